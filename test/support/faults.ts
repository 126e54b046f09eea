// A fault injector for the real SDK clients (DynamoDB, SES and S3), as middleware on their stacks, usable from any
// test.
// It counts every command a request makes and can, at the Nth command from now:
// - `lostAnswer`: let the call reach the stand-in (a write commits), then fail as if the connection dropped, so
//   the SDK retries it (the retry of a conditional write then fails its own condition);
// - `throttle`: refuse the call as throttled, after the SDK's own retries (nothing reaches the stand-in);
// - `timeout`: hold the answer back past the request's budget, so the request's abort signal stops the call (the
//   call still reaches the stand-in first: its outcome is unknown to the request, as a real time-out's is).
// SES can also be made to fail for a while (`failSes`).
import { sesClient } from '../../shared/mail/ses';
import { db } from '../../shared/store/db';
import { s3Client } from '../../shared/store/objects';

export type Fault = 'lostAnswer' | 'throttle' | 'timeout';
export const FAULTS: readonly Fault[] = ['lostAnswer', 'throttle', 'timeout'];
export type Service = 'dynamodb' | 'ses' | 's3';

export interface Call {
  service: Service;
  command: string;
  /** The command's input (table, key, key condition…), for tests that check what was read. */
  input: Record<string, unknown>;
}

interface Armed {
  service: Service;
  /** 1-based index among this service's commands counted since arming. */
  at: number;
  fault: Fault;
  seen: number;
  fired: boolean;
}

/** What `timeout` waits at most when no abort comes (the test's budget is far shorter). */
const TIMEOUT_HOLD_MS = 30_000;

class FaultInjector {
  readonly calls: Call[] = [];
  private armed: Armed | undefined;
  private lastFired = false;
  private sesFailuresLeft = 0;
  private sesRejectionsLeft = 0;
  private installed = false;

  install(): this {
    if (this.installed) return this;
    this.installed = true;
    this.hook('dynamodb', db().middlewareStack as unknown as Stack);
    this.hook('ses', sesClient().middlewareStack as unknown as Stack);
    this.hook('s3', s3Client().middlewareStack as unknown as Stack);
    return this;
  }

  /** Forgets the counted calls; the next command of `service` numbered `at` (1-based) gets `fault`. */
  arm(service: Service, at: number, fault: Fault): void {
    this.calls.length = 0;
    this.armed = { service, at, fault, seen: 0, fired: false };
  }

  /** True when the last armed fault was injected (the request made at least `at` calls of that service). */
  get fired(): boolean {
    return this.lastFired;
  }

  /** Stops injecting; `fired` keeps telling whether the fault fired. */
  disarm(): void {
    this.lastFired = this.armed?.fired ?? false;
    this.armed = undefined;
  }

  /** Starts counting anew without a fault. */
  count(): void {
    this.calls.length = 0;
    this.armed = undefined;
  }

  /** The next `n` SES sends fail (after the SDK's retries), as when SES is unreachable. */
  failSes(n: number): void {
    this.sesFailuresLeft = n;
  }

  /** The next `n` SES sends are refused for good (MessageRejected), as SES refuses an address it will never take. */
  rejectSes(n: number): void {
    this.sesRejectionsLeft = n;
  }

  callsOf(service: Service): Call[] {
    return this.calls.filter((c) => c.service === service);
  }

  private firing(service: Service, stage: 'command' | 'attempt'): Fault | undefined {
    const armed = this.armed;
    if (!armed || armed.fired || armed.service !== service) return undefined;
    // `throttle` is decided once per command (above the SDK's retries); the others on the command's first attempt.
    if (stage === 'command') {
      armed.seen += 1;
      if (armed.seen === armed.at && armed.fault === 'throttle') {
        armed.fired = true;
        return 'throttle';
      }
      return undefined;
    }
    if (armed.seen === armed.at && armed.fault !== 'throttle') {
      armed.fired = true;
      return armed.fault;
    }
    return undefined;
  }

  private hook(service: Service, stack: Stack): void {
    stack.add(
      (next, context) => async (args) => {
        this.calls.push({
          service,
          command: String((context as { commandName?: string }).commandName),
          input: ((args as { input?: Record<string, unknown> }).input ?? {}) as Record<string, unknown>,
        });
        if (this.firing(service, 'command') === 'throttle') throw throttled(service);
        if (service === 'ses' && this.sesFailuresLeft > 0) {
          this.sesFailuresLeft -= 1;
          throw unreachable();
        }
        if (service === 'ses' && this.sesRejectionsLeft > 0) {
          this.sesRejectionsLeft -= 1;
          throw Object.assign(new Error('Email address is not verified (injected)'), {
            name: 'MessageRejected',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: `faults-${service}-command`, priority: 'high' },
    );
    stack.add(
      (next, context) => async (args) => {
        const fault = this.firing(service, 'attempt');
        const result = await next(args);
        if (fault === 'lostAnswer') throw connectionReset();
        if (fault === 'timeout') {
          const signal = (context as { __smithy_context?: { abortSignal?: AbortSignal } }).__smithy_context
            ?.abortSignal;
          // In a request, the answer is held until the request's budget aborts the call. A job has no budget: there
          // the SDK's own request time-out ends the wait, and the SDK retries, as it does on AWS.
          if (signal) await holdUntilAborted(signal);
          else throw timedOut();
        }
        return result;
      },
      { step: 'finalizeRequest', name: `faults-${service}-attempt`, priority: 'low' },
    );
  }
}

function throttled(service: Service): Error {
  const name =
    service === 'ses' ? 'Throttling' : service === 's3' ? 'SlowDown' : 'ProvisionedThroughputExceededException';
  return Object.assign(new Error('Rate of requests exceeds the allowed throughput (injected)'), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts: 3 },
  });
}

function connectionReset(): Error {
  return Object.assign(new Error('socket hang up (injected: the answer was lost)'), {
    code: 'ECONNRESET',
    $metadata: {},
  });
}

function timedOut(): Error {
  return Object.assign(new Error('Connection timed out after 5000 ms (injected)'), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
    $metadata: {},
  });
}

function unreachable(): Error {
  return Object.assign(new Error('connect ECONNREFUSED (injected)'), { code: 'ECONNREFUSED', $metadata: {} });
}

function holdUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const abort = () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
    if (signal.aborted) return abort();
    const timer = setTimeout(abort, TIMEOUT_HOLD_MS);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      abort();
    });
  });
}

/** The part of an SDK client's middleware stack the injector uses. */
type Stack = {
  add: (
    middleware: (next: (args: unknown) => Promise<unknown>, context: object) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize' | 'finalizeRequest'; name: string; priority: 'high' | 'low' },
  ) => void;
};

let injector: FaultInjector | undefined;

/** The injector on this process's clients (installed once; call after the test county set the environment). */
export function faults(): FaultInjector {
  injector ??= new FaultInjector().install();
  return injector;
}
