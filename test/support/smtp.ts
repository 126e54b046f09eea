// A real SMTP server for tests (smtp-server, on a free loopback port): login required, and only over TLS — STARTTLS
// on a plain port, or implicit TLS — with a self-signed certificate made for the run (so the client must be told to
// accept it: SMTP_ALLOW_SELF_SIGNED, local runs only). Every message is kept as it came (envelope, raw bytes, TLS,
// login) and parsed with mailparser, the parser the SES stand-in uses too. A test can arm the faults a mail server
// shows: a refusal of an address or a message (4yz: try later; 5yz: never), an answer lost after the message was
// taken (the connection dropped), an answer that never comes, a server that takes the connection and never greets,
// and a server that is down. A judge (`intercept`, the fault injector's `smtp` service) can pick each message's fault
// as it comes. `smtpCounty()` reads it as the harness's TestCounty reads the SES stand-in's mailbox.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { StoredEmail, TestCounty } from './harness';

export const SMTP_USER = 'baosong-sender';
export const SMTP_PASS = 'pa ss:w0rd"测试';

export interface ReceivedMessage {
  /** The envelope: MAIL FROM and every RCPT TO the server accepted for this message. */
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
  /** Whether the session was under TLS when the message came, and who had logged in. */
  secure: boolean;
  user: unknown;
}

export type SmtpFault =
  /** RCPT TO or the end of DATA answered with `code` (421, 451, 550…), and `text` if given. */
  | { kind: 'refuse'; at: 'rcpt' | 'data'; code: number; text?: string }
  /** The message taken (kept), then the connection dropped before the answer: the client cannot know it went. */
  | { kind: 'lostAnswer' }
  /** The message taken (kept), and no answer ever. */
  | { kind: 'timeout' }
  /** The connection taken, and no greeting ever. */
  | { kind: 'silent' };

/** What a judge may choose for a message (`silent` comes before any message). */
export type MessageFault = Exclude<SmtpFault, { kind: 'silent' }>;

/** Asked at each message's RCPT TO, before any armed fault: the fault this message meets, if any. */
export type SmtpJudge = (message: { to: string }) => MessageFault | undefined;

interface Armed {
  fault: SmtpFault;
  left: number;
  /** Only messages to this address (not for `silent`, which comes before any address). */
  to?: string;
}

export interface TestSmtpServer {
  port: number;
  /** Implicit TLS (else STARTTLS on a plain port). */
  secure: boolean;
  messages: ReceivedMessage[];
  /** The next `times` matching messages (or connections, for `silent`) meet `fault`. */
  arm: (fault: SmtpFault, options?: { times?: number; to?: string }) => void;
  disarm: () => void;
  /** Sets (or, with undefined, removes) the judge of every message from now on; `disarm` leaves it in place. */
  intercept: (judge: SmtpJudge | undefined) => void;
  /** Connections that met a `silent` or `timeout` fault and were cut off by the client. */
  readonly hung: number;
  /** Stops listening (the port stays this server's: `start` takes it again). */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  clear: () => void;
  close: () => Promise<void>;
  /** The environment that points the app at this server. */
  env: (overrides?: Record<string, string>) => Record<string, string>;
}

const refusal = (code: number, given?: string): Error => {
  const text: Record<number, string> = {
    421: '4.3.2 Service not available, closing channel (test)',
    450: '4.2.1 Mailbox busy (test)',
    451: '4.3.0 Local error in processing (test)',
    452: '4.3.1 Insufficient system storage (test)',
    550: '5.1.1 Mailbox unavailable (test)',
    553: '5.1.3 Mailbox name not allowed (test)',
    554: '5.7.1 Message rejected (test)',
  };
  return Object.assign(new Error(given ?? text[code] ?? `Refused (test)`), { responseCode: code });
};

let certificate: { key: string; cert: string } | undefined | null = null;

/**
 * A self-signed certificate for 127.0.0.1, made once per test file by openssl. Where openssl is missing, smtp-server's
 * built-in one is used instead (self-signed too, and expired: the client refuses it just the same unless told not to).
 */
function selfSigned(): { key: string; cert: string } | undefined {
  if (certificate !== null) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'baosong-smtp-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'],
        ...['-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ],
      { stdio: 'ignore' },
    );
    certificate = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } catch {
    certificate = undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return certificate;
}

/** `secure`: implicit TLS; `startTls: false`: a plain server that offers no STARTTLS (login would go in clear). */
export async function startSmtpServer(options: { secure?: boolean; startTls?: boolean } = {}): Promise<TestSmtpServer> {
  const secure = options.secure ?? false;
  const messages: ReceivedMessage[] = [];
  let armed: Armed[] = [];
  let judge: SmtpJudge | undefined;
  /** The judge's choice for a session's message, applied at the end of its DATA. */
  const judged = new Map<string, MessageFault>();
  let hung = 0;
  let port = 0;
  let server: SMTPServer | undefined;

  /** The armed fault this message (or connection) meets, counted off. */
  const take = (match: (f: SmtpFault) => boolean, to?: string): SmtpFault | undefined => {
    const a = armed.find((x) => x.left > 0 && match(x.fault) && (!x.to || !to || x.to === to));
    if (!a) return undefined;
    a.left -= 1;
    return a.fault;
  };
  const connectionOf = (session: SMTPServerSession) =>
    [...(server?.connections ?? [])].find((c) => c.id === session.id);

  const create = () =>
    new SMTPServer({
      ...selfSigned(),
      secure,
      disabledCommands: options.startTls === false ? ['STARTTLS'] : [],
      authOptional: false,
      // A plain server without STARTTLS takes the login in clear (the client must refuse to send it).
      allowInsecureAuth: options.startTls === false,
      authMethods: ['PLAIN', 'LOGIN'],
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 100,
      onConnect: (_session, callback) => {
        if (take((f) => f.kind === 'silent')) {
          hung += 1;
          return; // never greets
        }
        callback();
      },
      onClose: (session) => {
        judged.delete(session.id); // a message the client gave up before its DATA
      },
      onAuth: (auth, _session, callback) => {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASS) return callback(null, { user: auth.username });
        callback(Object.assign(new Error('5.7.8 Authentication credentials invalid (test)'), { responseCode: 535 }));
      },
      onRcptTo: (address, session, callback) => {
        const chosen = judge?.({ to: address.address });
        if (chosen?.kind === 'refuse' && chosen.at === 'rcpt') return callback(refusal(chosen.code, chosen.text));
        if (chosen) {
          judged.set(session.id, chosen);
          return callback(null);
        }
        const fault = take((f) => f.kind === 'refuse' && f.at === 'rcpt', address.address);
        callback(fault?.kind === 'refuse' ? refusal(fault.code, fault.text) : null);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          const chosen = judged.get(session.id);
          judged.delete(session.id);
          const fault = chosen ?? take((f) => f.kind !== 'silent' && !(f.kind === 'refuse' && f.at === 'rcpt'), to[0]);
          if (fault?.kind === 'refuse') return callback(refusal(fault.code, fault.text));
          const raw = Buffer.concat(chunks);
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const keep = simpleParser(raw).then((parsed) => {
            messages.push({ from, to, raw, parsed, secure: session.secure, user: session.user });
          });
          void keep.then(() => {
            if (fault?.kind === 'lostAnswer') connectionOf(session)?._socket.destroy();
            else if (fault?.kind === 'timeout') hung += 1;
            else callback();
          });
        });
      },
    });

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const s = create();
      s.on('error', () => {}); // a client cut off mid-command is the point of some tests
      s.server.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.server.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      for (const c of s.connections) c._socket.destroy();
      s.close(() => resolve());
    });

  await start();
  return {
    port,
    secure,
    messages,
    arm: (fault, o = {}) => {
      armed.push({ fault, left: o.times ?? 1, ...(o.to ? { to: o.to } : {}) });
    },
    disarm: () => {
      armed = [];
    },
    intercept: (j) => {
      judge = j;
    },
    get hung() {
      return hung;
    },
    stop,
    start,
    clear: () => {
      messages.length = 0;
    },
    close: stop,
    env: (overrides = {}) => ({
      MAIL_TRANSPORT: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(port),
      SMTP_SECURE: String(secure),
      SMTP_USER,
      SMTP_PASS,
      SMTP_ALLOW_SELF_SIGNED: '1',
      BAOSONG_LOCAL: '1',
      ...overrides,
    }),
  };
}

/** A received message as the SES stand-in stores one (`GET /store`), so tests read both transports alike. */
export function asStored(m: ReceivedMessage): StoredEmail {
  return {
    messageId: m.parsed.messageId ?? '',
    from: m.parsed.from?.text ?? '',
    destination: { to: m.to, cc: [], bcc: [] },
    subject: m.parsed.subject ?? '',
    body: { ...(m.parsed.text ? { text: m.parsed.text } : {}), ...(m.parsed.html ? { html: m.parsed.html } : {}) },
    at: m.parsed.date?.getTime() ?? 0,
  };
}

/** The test county reading this server's messages as its mailbox (the harness reads the SES stand-in's). */
export function smtpCounty(county: TestCounty, smtp: TestSmtpServer): TestCounty {
  const mails = async (to?: string) =>
    smtp.messages
      .map(asStored)
      .filter((m) => m.destination.to.some((address) => (to ? address === to : address.endsWith(`@${county.domain}`))));
  const waitForMails = async (to: string, count: number, subject?: RegExp) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = (await mails(to)).filter((m) => !subject || subject.test(m.subject));
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { ...county, mails, waitForMails };
}
