// Email with attachments (the monthly bulletin's .xlsx of the unit table): SES v1 takes attachments only as a raw
// MIME message (SendRawEmail, IAM action ses:SendRawEmail), built here by nodemailer's MailComposer and sent through
// the same client as ses.ts. Header values are stripped of CR/LF here too, whatever the caller passed. With
// MAIL_TRANSPORT=smtp the message goes through SMTP instead (smtp.ts), built there by nodemailer as well.
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer';
import { config } from '../core/config';
import { headerSafe, type OutgoingEmailWithAttachments } from './message';
import { configurationSet, sesClient, source } from './ses';

export type { Attachment, OutgoingEmailWithAttachments } from './message';

/**
 * The message as SES receives it: multipart/mixed of a multipart/alternative (text, html; UTF-8, base64) and the
 * attachments (base64). Non-ASCII headers go as RFC 2047 encoded words, a non-ASCII filename as RFC 2231 parameters
 * (with an encoded-word `name=` beside it for older Outlook).
 */
export async function composeRawEmail(input: OutgoingEmailWithAttachments): Promise<Buffer> {
  const message = await new MailComposer({
    to: headerSafe(input.to),
    subject: headerSafe(input.subject.toWellFormed()),
    text: input.text.toWellFormed(),
    html: input.html.toWellFormed(),
    attachments: input.attachments.map((attachment) => ({
      filename: headerSafe(attachment.filename.toWellFormed()),
      contentType: headerSafe(attachment.contentType),
      content: Buffer.from(attachment.content),
      contentTransferEncoding: 'base64',
    })),
    textEncoding: 'B',
    // Content only ever comes as bytes: never let a value be read as a file path or a URL to fetch.
    disableFileAccess: true,
    disableUrlAccess: true,
  })
    .compile()
    .build();
  // source() is already encoded as SES wants it. Given as `from`, MailComposer would put its encoded word in quotes
  // (shown literally by mail clients), and it refuses prepared address headers: so the From line goes on top.
  return Buffer.concat([Buffer.from(`From: ${source()}\r\n`), message]);
}

export async function sendEmailWithAttachments(input: OutgoingEmailWithAttachments): Promise<string> {
  if (config().mailTransport === 'smtp') return (await import('./smtp.js')).sendSmtp(input);
  const to = headerSafe(input.to);
  const result = await sesClient().send(
    new SendRawEmailCommand({
      ...configurationSet(),
      // Explicit destinations: SES then sends to this one address only, not to whatever the headers name.
      Destinations: [to],
      RawMessage: { Data: await composeRawEmail({ ...input, to }) },
    }),
  );
  return result.MessageId ?? '';
}
