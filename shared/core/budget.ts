// A request's time budget. Every HTTP request runs inside one (shared/web/http.ts): when it is spent, its signal
// aborts, and the adapters pass that signal to every AWS call, so a request that ran out of time stops where it is
// instead of going on after its answer (Lambda would freeze it and resume it at the next invocation).
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<{ signal: AbortSignal; deadline: number }>();

/** The signal of the budget this code runs in, if any. */
export function budgetSignal(): AbortSignal | undefined {
  return current.getStore()?.signal;
}

/** Milliseconds left in the budget this code runs in (Infinity outside any). */
export function budgetLeft(): number {
  const budget = current.getStore();
  return budget ? Math.max(0, budget.deadline - Date.now()) : Number.POSITIVE_INFINITY;
}

/** Runs `fn` with `ms` to spend; its AWS calls abort when the time is up. */
export async function withBudget<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new BudgetSpentError(ms)), Math.max(0, ms));
  timer.unref?.();
  try {
    return await current.run({ signal: controller.signal, deadline: Date.now() + ms }, fn);
  } finally {
    clearTimeout(timer);
  }
}

/** The error a spent budget aborts with (the SDK wraps it as the cause of its AbortError). */
export class BudgetSpentError extends Error {
  constructor(readonly ms: number) {
    super(`request budget of ${ms} ms spent`);
    this.name = 'BudgetSpentError';
  }
}

/** True for an AWS call stopped by an abort signal: the request ran out of time, the call's outcome is unknown. */
export function isAborted(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'BudgetSpentError');
}

type Sender = { send: (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown> };

/** Makes every `send` of an SDK client carry the signal of the budget it is called in (unless given one). */
export function boundToBudget<T extends object>(client: T): T {
  const sender = client as unknown as Sender;
  const send = sender.send.bind(client);
  sender.send = (command, options) => send(command, { abortSignal: budgetSignal(), ...options });
  return client;
}

/** What work that must follow a commit may still take once the request's own budget is spent. */
export const SETTLE_MS = 1000;

/**
 * Runs `fn` in what is left of the request's budget, or in a short one of its own when less than that is left: for
 * the look that settles a write's outcome and the bookkeeping after a write that did happen, so that the answer can
 * be true to it. Outside any budget (jobs, the CLI) it just runs.
 */
export function settle<T>(fn: () => Promise<T>): Promise<T> {
  // Enough left (or no budget at all, outside a request): the budget it runs in already gives it that time.
  return budgetLeft() >= SETTLE_MS ? fn() : withBudget(SETTLE_MS, fn);
}
