// What every mail transport shares: the email as the outbox and the mail runs hand it over, the sender it goes out
// as, and the last door before any header. SES (ses.ts, rawEmail.ts) and SMTP (smtp.ts) both build on it; a module
// without either client, so that the SMTP module loads without the SES one and no transport imports another.
import { config } from '../core/config';

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
}

export interface Attachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface OutgoingEmailWithAttachments extends OutgoingEmail {
  attachments: Attachment[];
}

/** Anything that reaches a header: no CR/LF (header injection), no other control characters. */
export function headerSafe(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return value.replace(/[\r\n\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** The sender: its display name ("县委组织部信息科", '' for none) and address, header-safe, unencoded. */
export function sender(): { name: string; address: string } {
  const { sender: address, senderName } = config();
  return { name: headerSafe(senderName).replace(/["\\]/g, ''), address: headerSafe(address) };
}
