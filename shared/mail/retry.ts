// When an email is tried again, and when it is given up: one rule for the outbox's notifications and the 通报's
// recipients. A module of its own, without the SES client, so that code which only schedules retries bundles none.

const MAX_BACKOFF_MS = 15 * 60_000;
/** Attempts before an email is given up (with the back-off, about an hour and a half of trying). */
export const MAX_ATTEMPTS = 10;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 15_000 * 2 ** Math.max(0, attempts - 1));
}

/** SES errors that will not go away by trying again: the address or the message is refused. */
const PERMANENT = ['MessageRejected', 'InvalidParameterValue', 'MailFromDomainNotVerifiedException'];

/** Whether an email that failed `attempts` times (this one included) with `err` is given up. */
export function isGivenUp(attempts: number, err: unknown): boolean {
  return attempts >= MAX_ATTEMPTS || (err instanceof Error && PERMANENT.includes(err.name));
}
