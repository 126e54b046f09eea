// Use case: send a month's 通报, exactly once per recipient, paced (the mail run of mail/runs.ts): the content is the
// month's computed 通报, the recipients the roles configured (leaders, editors, informants), each message the HTML
// email with its plain text and the unit table attached as .xlsx, a signed link to the web view in it. Where emails
// carry no work text (EMAIL_FULL_TEXT=link), the email is the link alone and nothing is attached.
import { config } from '../core/config';
import { bulletinUrl } from '../links/links';
import { fullText } from '../mail/frame';
import type { DeliveryResult } from '../mail/outbox';
import {
  defaultSend,
  type Run,
  type RunEmail,
  type RunKind,
  readRun,
  resumeRun,
  runProgress,
  runRecipients,
  type Send,
  type SendResult,
  sendRun,
} from '../mail/runs';
import { listRoster } from '../roster/people';
import { xlsxOf } from '../sheets/write';
import { keys } from '../store/keys';
import type { Bulletin } from './bulletin';
import { bulletinSheet, sheetFileName } from './bulletinSheet';
import { computeBulletin } from './computeBulletin';
import { bulletinEmail } from './emails';

export type { Send, SendResult };
export type BulletinRun = Run<Bulletin>;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The email of one recipient (a name: the greeting), the unit table attached (when the setting lets it go). */
function emailOf(b: Bulletin, to: string, view: string, sheet: Uint8Array | undefined, name?: string): RunEmail {
  return {
    to,
    ...bulletinEmail(b, { view }, name),
    attachments: sheet ? [{ filename: sheetFileName(b), contentType: XLSX, content: sheet }] : [],
  };
}

/** The unit table as .xlsx: its figures are work data, kept out of `link` emails. */
const sheetOf = (b: Bulletin): Promise<Uint8Array | undefined> =>
  fullText() ? xlsxOf(bulletinSheet(b)) : Promise.resolve(undefined);

const ROLES = { leaders: 'leader', editors: 'editor', informants: 'informant' } as const;

export const bulletinKind: RunKind<Bulletin> = {
  job: 'bulletin',
  partition: (county, month) => keys.bulletin(county, month),
  compute: (month) => computeBulletin(month),
  recipients: async () =>
    runRecipients(
      (await listRoster(config().countyId)).people,
      new Set(config().bulletinRecipients.map((a) => ROLES[a])),
    ),
  emails: async (run) => {
    const [view, sheet] = await Promise.all([bulletinUrl(run.period), sheetOf(run.content)]);
    return (r) => emailOf(run.content, r.email, view, sheet, r.name);
  },
  rate: () => config().bulletinRate,
  busy: '这个月的通报还在发送中，请等全部发出后再重发（可在工作台“通报”查看进度）。',
};

/** The run of a month as stored (consistently read), if any. */
export const bulletinRun = (month: string): Promise<BulletinRun | undefined> => readRun(bulletinKind, month);

export const bulletinProgress = (run: BulletinRun) => runProgress(bulletinKind, run);

/** Sends the month's 通报 to whoever of its run has not had it (`freezeOnly`: queued for the sweeper). */
export const sendBulletin = (
  month: string,
  options: { by?: string; resend?: boolean; send?: Send; freezeOnly?: boolean } = {},
): Promise<SendResult> => sendRun(bulletinKind, month, options);

/** The sweeper's pass over a queued (or stopped) 通报 run. */
export const resumeBulletin = (item: Record<string, unknown>, leaseId: string): Promise<DeliveryResult> =>
  resumeRun(bulletinKind, item, leaseId);

/** A trial send to one address (`--to`): the month's 通报 as it stands now, outside any run. */
export async function sendTrial(month: string, to: string, send: Send = defaultSend): Promise<string> {
  const bulletin = await computeBulletin(month);
  const [view, sheet] = await Promise.all([bulletinUrl(month), sheetOf(bulletin)]);
  return send(emailOf(bulletin, to, view, sheet));
}
