// A fault injector for the real SDK clients (DynamoDB, SES and S3), as middleware on their stacks, and for the test
// SMTP server (the `smtp` service, once `watchSmtp` joined it), usable from any test.
// It counts every command a request makes (for SMTP: every message, at its RCPT TO) and can, at the Nth from now:
// - `lostAnswer`: let the call reach the stand-in (a write commits), then fail as if the connection dropped, so
//   the SDK retries it (the retry of a conditional write then fails its own condition). Over SMTP: the server takes
//   and keeps the message, then drops the connection before its 250;
// - `throttle`: refuse the call as throttled, after the SDK's own retries (nothing reaches the stand-in). Over SMTP:
//   RCPT TO is refused for now, 421 (closing the connection) at an odd-numbered message, 451 at an even one, the two
//   answers a rate-limiting server gives; nothing is kept;
// - `timeout`: hold the answer back past the request's budget, so the request's abort signal stops the call (the
//   call still reaches the stand-in first: its outcome is unknown to the request, as a real time-out's is). Over
//   SMTP: the server keeps the message and never answers its DATA; in a job (no budget) the client's own socket
//   time-out ends the wait, shortened for sends outside a budget (SMTP_SOCKET_TIMEOUT_MS) so that a case costs about
//   a second. A request's send keeps the real one (10 s), so only its budget can end the wait in time.
// SES can also be made to fail for a while (`failSes`).
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { budgetSignal } from '../../shared/core/budget';
import { sesClient } from '../../shared/mail/ses';
import { db } from '../../shared/store/db';
import { s3Client } from '../../shared/store/objectStore';
import type { MessageFault, TestSmtpServer } from './smtp';

export type Fault = 'lostAnswer' | 'throttle' | 'timeout';
export const FAULTS: readonly Fault[] = ['lostAnswer', 'throttle', 'timeout'];
export type Service = 'dynamodb' | 'ses' | 's3' | 'smtp';

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
/**
 * The SMTP client's socket time-out, outside any request budget, in a process the injector watches an SMTP server
 * for: shared/mail/smtp.ts gives 10 s (a job's wait for a silent server), which every `timeout` case of a job would
 * spend in full. Sends inside a request's budget keep the 10 s: there the budget must end the wait.
 */
const SMTP_SOCKET_TIMEOUT_MS = 1200;

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

  /**
   * Joins the `smtp` service to the test SMTP server: every message it is sent is counted as a call (at its RCPT
   * TO), and the armed fault is played by the server. Once per server; from then on the SMTP client's socket
   * time-out is shortened outside a request's budget (see SMTP_SOCKET_TIMEOUT_MS).
   */
  watchSmtp(server: TestSmtpServer): this {
    shortenSmtpSocketTimeout(SMTP_SOCKET_TIMEOUT_MS);
    server.intercept(({ to }) => {
      this.calls.push({ service: 'smtp', command: 'RCPT TO', input: { to } });
      const fault = this.firing('smtp', 'command');
      return fault && smtpFault(fault, this.armed?.at ?? 1);
    });
    return this;
  }

  callsOf(service: Service): Call[] {
    return this.calls.filter((c) => c.service === service);
  }

  private firing(service: Service, stage: 'command' | 'attempt'): Fault | undefined {
    const armed = this.armed;
    if (!armed || armed.fired || armed.service !== service) return undefined;
    // `throttle` is decided once per command (above the SDK's retries); the others on the command's first attempt.
    // An SMTP message has one attempt, where it is counted: every fault is decided there.
    if (stage === 'command') {
      armed.seen += 1;
      if (armed.seen === armed.at && (armed.fault === 'throttle' || service === 'smtp')) {
        armed.fired = true;
        return armed.fault;
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

/** What the test SMTP server plays for a fault of the `smtp` service (the `at`th message since arming). */
function smtpFault(fault: Fault, at: number): MessageFault {
  if (fault === 'lostAnswer') return { kind: 'lostAnswer' };
  if (fault === 'timeout') return { kind: 'timeout' };
  // Texts of no SES error: the code under test must go by the reply code, not by wording it happens to know.
  return at % 2 === 1
    ? { kind: 'refuse', at: 'rcpt', code: 421, text: '4.7.0 Too many connections, closing channel (injected)' }
    : { kind: 'refuse', at: 'rcpt', code: 451, text: '4.7.1 Too many messages, try again later (injected)' };
}

let socketTimeoutShortened = false;

/** Caps the socket time-out of every SMTP connection nodemailer opens from now on outside a request's budget. */
function shortenSmtpSocketTimeout(ms: number): void {
  if (socketTimeoutShortened) return;
  socketTimeoutShortened = true;
  const proto = SMTPConnection.prototype as unknown as {
    connect: (...args: unknown[]) => unknown;
    options: { socketTimeout?: number };
  };
  const connect = proto.connect;
  proto.connect = function (this: typeof proto, ...args: unknown[]) {
    // The budget's store reaches here from sendSmtp through nodemailer's callbacks (AsyncLocalStorage).
    if (!budgetSignal())
      this.options = { ...this.options, socketTimeout: Math.min(this.options.socketTimeout ?? ms, ms) };
    return connect.apply(this, args);
  };
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
