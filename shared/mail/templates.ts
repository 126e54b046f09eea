// Email templates as the outbox sees them: a notification stores a template name and its data, never the rendered
// email (links are signed when it is rendered, so no token is ever stored). Each feature defines its own templates
// and hands them to `deliver`; the sweeper is handed every feature's (shared/app/emailTemplates.ts).
import type { OutgoingEmail } from './ses';

/** What a notification carries for its template: names, ids, numbers — all a template needs to render. */
export type EmailData = Record<string, string | number>;

export type RenderedEmail = Omit<OutgoingEmail, 'to'>;

export type EmailTemplate = (data: EmailData) => RenderedEmail | Promise<RenderedEmail>;

/** Template name → template, as a feature defines them. */
export type EmailTemplates = Readonly<Record<string, EmailTemplate>>;

export const str = (data: EmailData, name: string): string => String(data[name] ?? '');
export const num = (data: EmailData, name: string): number => Number(data[name] ?? 0);
