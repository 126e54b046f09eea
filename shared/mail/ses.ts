// SES adapter (SES v1 API, as the design card says): one client per process; one recipient per message.
// Header values are stripped of CR/LF here, the last door before SES, whatever the caller passed. With
// MAIL_TRANSPORT=smtp the same sends go through SMTP instead (smtp.ts, loaded on first use): the outbox and the mail
// runs call these functions whichever way the mail leaves.
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { boundToBudget } from '../core/budget';
import { config } from '../core/config';
import { headerSafe, type OutgoingEmail, sender } from './message';

export { headerSafe, type OutgoingEmail } from './message';

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

/** `县委组织部信息科 <address>`: a non-ASCII display name goes as an RFC 2047 encoded word, as SES requires. */
export function source(): string {
  const { name, address } = sender();
  if (name === '') return address;
  const display = /^[\x20-\x7e]*$/.test(name) ? `"${name}"` : `=?UTF-8?B?${Buffer.from(name).toString('base64')}?=`;
  return `${display} <${address}>`;
}

/** The configuration set every SES send names (bounce and complaint events), when the stack made one. */
export function configurationSet(): { ConfigurationSetName?: string } {
  const name = config().sesConfigurationSet;
  return name ? { ConfigurationSetName: name } : {};
}

export async function sendEmail(input: OutgoingEmail): Promise<string> {
  // Lone surrogates cannot be encoded for SES; validation refuses them, this is the last door.
  const email = {
    to: input.to,
    subject: input.subject.toWellFormed(),
    html: input.html.toWellFormed(),
    text: input.text.toWellFormed(),
  };
  if (config().mailTransport === 'smtp') return (await import('./smtp.js')).sendSmtp(email);
  const result = await sesClient().send(
    new SendEmailCommand({
      Source: source(),
      ...configurationSet(),
      Destination: { ToAddresses: [headerSafe(email.to)] },
      Message: {
        Subject: { Data: headerSafe(email.subject), Charset: 'UTF-8' },
        Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
      },
    }),
  );
  return result.MessageId ?? '';
}
