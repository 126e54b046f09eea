// Email templates as the outbox sees them: a notification stores a template name and its data, never the rendered
// email (links are signed when it is rendered, so no token is ever stored). A template renders from what is in
// memory: the notification's data, the item it rides on (the event, with the piece's text) and what the roster says
// of the recipient now (their key version signs the links). Each feature defines its own templates and hands them
// to the outbox; the sweeper is handed every feature's (shared/app/emailTemplates.ts).
import { DroppedEmailError } from '../core/errors';
import type { OutgoingEmail } from './ses';

/** What a notification carries for its template: names, ids, numbers — all a template needs besides its item. */
export type EmailData = Record<string, string | number>;

export type RenderedEmail = Omit<OutgoingEmail, 'to'>;

/** The roster's word on a recipient when the email is rendered. */
export interface Recipient {
  name: string;
  role: string;
  /** The current key version: links in the email are signed with it, so they work even after a revoke. */
  keyVersion: number;
}

export interface RenderContext {
  /** The item the notification rides on, as written or as read: the event with the piece's text. */
  item: Record<string, unknown>;
  /** The notification's `personId` as the roster has it now; absent when it names nobody or nobody still there. */
  recipient?: Recipient;
}

export type EmailTemplate = (data: EmailData, context: RenderContext) => RenderedEmail | Promise<RenderedEmail>;

/** Template name → template, as a feature defines them. */
export type EmailTemplates = Readonly<Record<string, EmailTemplate>>;

export const str = (data: EmailData, name: string): string => String(data[name] ?? '');
export const num = (data: EmailData, name: string): number => Number(data[name] ?? 0);

/** The recipient an email with a personal link needs; nobody to send to any more: the email is dropped. */
export function recipientOf(context: RenderContext): Recipient {
  if (!context.recipient) throw new DroppedEmailError('the recipient is no longer in the roster');
  return context.recipient;
}
