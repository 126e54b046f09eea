// SES adapter (SES v1 API, as the design card says): one client per process; one recipient per message.
// Header values are stripped of CR/LF here, the last door before SES, whatever the caller passed.
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { boundToBudget } from '../core/budget';
import { config } from '../core/config';

let client: SESClient | undefined;

/** The SES client (created on first use); every send carries the request's abort signal. */
export function sesClient(): SESClient {
  if (!client) {
    const { sesEndpoint, region } = config();
    client = new SESClient({
      region,
      ...(sesEndpoint
        ? { endpoint: sesEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 },
    });
    boundToBudget(client);
  }
  return client;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
}

/** Anything that reaches a header: no CR/LF (header injection), no other control characters. */
export function headerSafe(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return value.replace(/[\r\n\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** `县委组织部信息科 <address>`: a non-ASCII display name goes as an RFC 2047 encoded word, as SES requires. */
export function source(): string {
  const { sender, senderName } = config();
  const name = headerSafe(senderName).replace(/["\\]/g, '');
  if (name === '') return headerSafe(sender);
  const display = /^[\x20-\x7e]*$/.test(name) ? `"${name}"` : `=?UTF-8?B?${Buffer.from(name).toString('base64')}?=`;
  return `${display} <${headerSafe(sender)}>`;
}

export async function sendEmail(input: OutgoingEmail): Promise<string> {
  // Lone surrogates cannot be encoded for SES; validation refuses them, this is the last door.
  const email = {
    to: input.to,
    subject: input.subject.toWellFormed(),
    html: input.html.toWellFormed(),
    text: input.text.toWellFormed(),
  };
  const result = await sesClient().send(
    new SendEmailCommand({
      Source: source(),
      Destination: { ToAddresses: [headerSafe(email.to)] },
      Message: {
        Subject: { Data: headerSafe(email.subject), Charset: 'UTF-8' },
        Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
      },
    }),
  );
  return result.MessageId ?? '';
}
