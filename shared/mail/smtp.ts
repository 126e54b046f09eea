// SMTP transport (nodemailer), for where SES is not offered (AWS China: cn-north-1, cn-northwest-1) or a county must
// send through its own or a government mail server: MAIL_TRANSPORT=smtp. sendEmail and sendEmailWithAttachments
// (ses.ts, rawEmail.ts) hand their email here, so the outbox and the mail runs send the same way whichever transport
// is configured. A module of its own in a deployed function (LAZY_MODULES), loaded on the first send: functions
// that send through SES never parse nodemailer's SMTP code.
//
// One connection per message, no pool. Lambda freezes a process between invocations; a pooled connection left open
// meanwhile is dropped by the server's idle time-out (or a NAT's) and the next send meets a dead socket, and warm
// containers would each hold connections a county's server may count against its limit. A send's abort (the budget)
// closes its own connection and nothing else. The price: connect, TLS, login and the message are ~10 round trips
// (~0.3 s at 30 ms), against ~3 on a warm pooled connection — measured on loopback, 1.4 ms a message pooled and
// ~10 ms plus the server's greeting delay unpooled. Little beside the volumes here: an outbox item's handful of
// emails, sent at once; a 通报 paced at BULLETIN_RATE a second, which also bounds the connections open at once.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import addressparser from 'nodemailer/lib/addressparser';
import Mail from 'nodemailer/lib/mailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import { boundToBudget, budgetSignal } from '../core/budget';
import { config, type SmtpConfig } from '../core/config';
import { type Attachment, headerSafe, type OutgoingEmail, sender } from './message';

// Time-outs, for a job (outside any request budget); in a request, its budget's signal ends the send sooner.
/** Connecting in all: the DNS lookup, TCP, TLS, the greeting and a STARTTLS upgrade (nodemailer counts them as one). */
const CONNECT_TIMEOUT_MS = 5000;
/** Silence from the server for this long, at any later step, ends the send. */
const SOCKET_TIMEOUT_MS = 10_000;

interface Credentials {
  user: string;
  pass: string;
}

let credentials: Promise<Credentials> | undefined;

/** The login: given directly (local), or read once per process from Secrets Manager (AWS). */
export function smtpCredentials(): Promise<Credentials> {
  credentials ??= loadCredentials().catch((err) => {
    credentials = undefined; // a failed read is retried on the next send instead of poisoning the process
    throw err;
  });
  return credentials;
}

async function loadCredentials(): Promise<Credentials> {
  const settings = smtpSettings();
  if (!settings.secretArn) return { user: settings.user ?? '', pass: settings.pass ?? '' };
  const client = boundToBudget(new SecretsManagerClient({ region: config().region }));
  const secret = await client.send(new GetSecretValueCommand({ SecretId: settings.secretArn }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret.SecretString ?? '');
  } catch {
    parsed = undefined;
  }
  const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
    // Never the secret's text in the message: it may be the password itself.
    throw new Error('The SMTP secret is not JSON of the form {"username":"…","password":"…"}');
  }
  return { user: username, pass: password };
}

function smtpSettings(): SmtpConfig {
  const settings = config().smtp;
  if (!settings) throw new Error('MAIL_TRANSPORT is not smtp');
  return settings;
}

let mailer: Promise<Mail<SMTPTransport.SentMessageInfo>> | undefined;

/** The transport, made once per process (its settings and login do not change); it opens a connection per send. */
function smtpMailer(): Promise<Mail<SMTPTransport.SentMessageInfo>> {
  mailer ??= smtpCredentials().then((auth) => {
    const { host, port, secure, allowSelfSigned } = smtpSettings();
    return new Mail(
      new SMTPTransport({
        host,
        port,
        secure,
        // Without implicit TLS, the server must offer STARTTLS and the login waits for it: no password in clear.
        requireTLS: !secure,
        auth,
        tls: { rejectUnauthorized: !allowSelfSigned },
        connectionTimeout: CONNECT_TIMEOUT_MS,
        greetingTimeout: CONNECT_TIMEOUT_MS,
        socketTimeout: SOCKET_TIMEOUT_MS,
        // Content only ever comes as bytes: never let a value be read as a file path or a URL to fetch.
        disableFileAccess: true,
        disableUrlAccess: true,
      }),
    );
  });
  mailer.catch(() => {
    mailer = undefined;
  });
  return mailer;
}

/**
 * The one address a message goes to. The roster keeps plain addresses; this is the last door, as SES's refusal of a
 * malformed destination is: a list or a group would become several recipients of one message. Refused the way
 * nodemailer refuses an invalid recipient (`EENVELOPE` before any command), so retry.ts gives it up at once.
 */
function recipient(to: string): string {
  const parsed = addressparser(headerSafe(to));
  const [only] = parsed;
  if (parsed.length !== 1 || !only?.address || only.group) {
    throw Object.assign(new Error(`Invalid recipient ${JSON.stringify(headerSafe(to))}`), {
      code: 'EENVELOPE',
      command: 'API',
    });
  }
  return only.address;
}

/**
 * Sends one email to one recipient over SMTP and returns its Message-ID (`<…>`). UTF-8 bodies as base64, non-ASCII
 * headers as RFC 2047 encoded words, a non-ASCII filename as RFC 2231 parameters (nodemailer's composer). In a
 * request, the send ends when the request's budget does (the connection is closed).
 */
export async function sendSmtp(input: OutgoingEmail & { attachments?: Attachment[] }): Promise<string> {
  const to = recipient(input.to);
  const from = sender();
  const signal = budgetSignal();
  const transport = await smtpMailer();
  const info = await transport
    .sendMail({
      from: from.name ? { name: from.name, address: from.address } : from.address,
      to: { name: '', address: to },
      // Explicit: this message goes to this one address, whatever the headers might be read to say.
      envelope: { from: from.address, to: [to] },
      subject: headerSafe(input.subject.toWellFormed()),
      text: input.text.toWellFormed(),
      html: input.html.toWellFormed(),
      attachments: (input.attachments ?? []).map((attachment) => ({
        filename: headerSafe(attachment.filename.toWellFormed()),
        contentType: headerSafe(attachment.contentType),
        content: Buffer.from(attachment.content),
        contentTransferEncoding: 'base64',
      })),
      textEncoding: 'base64',
      disableFileAccess: true,
      disableUrlAccess: true,
      ...(signal ? { signal } : {}),
    })
    .catch((err: unknown) => {
      // A refused login: the secret may have been rotated since it was read. The next send reads it again.
      if ((err as { code?: unknown } | undefined)?.code === 'EAUTH') {
        credentials = undefined;
        mailer = undefined;
      }
      throw err;
    });
  return info.messageId;
}
