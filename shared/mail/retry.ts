// When an email is tried again, and when it is given up: one rule for the outbox's notifications and the 通报's
// recipients, whichever transport sent it (SES or SMTP). A module of its own, without the SES client or nodemailer,
// so that code which only schedules retries bundles neither.

const MAX_BACKOFF_MS = 15 * 60_000;
/** Attempts before an email is given up (with the back-off, about an hour and a half of trying). */
export const MAX_ATTEMPTS = 10;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 15_000 * 2 ** Math.max(0, attempts - 1));
}

/** SES errors that will not go away by trying again: the address or the message is refused. */
const PERMANENT = ['MessageRejected', 'InvalidParameterValue', 'MailFromDomainNotVerifiedException'];

/**
 * SMTP errors (as nodemailer gives them) that will not go away: the server refused this sender, this address or this
 * message for good — a 5yz reply (RFC 5321) to MAIL FROM, RCPT TO or DATA, as SES's MessageRejected — or the message
 * cannot be sent as it is (an invalid recipient, before any command). 503 is a command out of sequence: a new
 * connection may do. A 4yz reply, a dropped or silent connection, and whatever fails before the envelope (a refused
 * login or TLS, a server that greets with 5yz) are tried again: they are the server's or the settings' state, not
 * this message's, and are given up only after MAX_ATTEMPTS.
 */
function isPermanentSmtp(err: Error): boolean {
  const { code, responseCode } = err as { code?: unknown; responseCode?: unknown };
  if (code !== 'EENVELOPE' && code !== 'EMESSAGE') return false;
  if (typeof responseCode !== 'number') return true; // refused by the client itself: the message is wrong
  return responseCode >= 500 && responseCode < 600 && responseCode !== 503;
}

/** Whether an email that failed `attempts` times (this one included) with `err` is given up. */
export function isGivenUp(attempts: number, err: unknown): boolean {
  return attempts >= MAX_ATTEMPTS || (err instanceof Error && (PERMANENT.includes(err.name) || isPermanentSmtp(err)));
}

/**
 * A refusal for now that a short wait may heal, whichever transport met it: SES throttling (after the SDK's own
 * retries), or an SMTP server's 4yz reply (421 closing the connection, 450, 451, 452: a rate limit, a busy mailbox),
 * by its reply code, never by its wording. nodemailer reports a 421 as ECONNECTION, a 4yz to the envelope as
 * EENVELOPE, to the message as EMESSAGE: all with `responseCode`.
 */
export function isThrottled(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'Throttling' || err.name === 'ThrottlingException' || /rate exceeded/i.test(err.message)) {
    return true;
  }
  const { responseCode } = err as { responseCode?: unknown };
  return typeof responseCode === 'number' && responseCode >= 400 && responseCode < 500;
}
