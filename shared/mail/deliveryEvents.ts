// What SES says became of an email it accepted: bounces and complaints, published by the configuration set to SNS,
// read into marks on an address; and the rule a mark makes. A hard bounce, an address on a suppression list (SES
// accepts the send and drops it) or a complaint stops mail to that address: the outbox and the mail runs give such an
// email up with the reason instead of sending it. A transient bounce (a full mailbox) is only noted. Ground: the
// roster keeps the marks on its people (roster/recordMailEvents.ts); here nothing knows who a person is.
import { formatShanghaiDate } from '../core/clock';
import { digest } from '../store/keys';

/** 退信 (a hard bounce, or a suppressed address), 投诉 (a complaint), 暂时退信 (a transient bounce: noted only). */
export type MailMarkKind = 'bounce' | 'complaint' | 'transient';

export interface MailMark {
  kind: MailMarkKind;
  /** The address SES reported, lower case: the mark applies to it only, so a corrected address is not stopped. */
  address: string;
  /** Why, in words a desk user reads. */
  reason: string;
  /** What the receiving server answered (its diagnostic code), when it said. */
  detail?: string;
  /** When SES saw it (ISO). */
  at: string;
  /** One SES event for one recipient (its message, type and address): delivered twice, it is one mark. */
  eventId: string;
}

/** What the outbox learns of a recipient from the roster besides their name: a stop on their address, if any. */
export interface StopMark {
  mailStop?: MailMark;
}

export const MARK_WORDS: Record<MailMarkKind, string> = { bounce: '退信', complaint: '投诉', transient: '暂时退信' };

/** The stop `mark` makes on `address`, if it is a stop and for that address (any other address goes out). */
export function stopOn(mark: unknown, address: string): MailMark | undefined {
  if (!isMark(mark) || mark.kind === 'transient') return undefined;
  return mark.address === address.trim().toLowerCase() ? mark : undefined;
}

/** `退信（2026年3月2日）：地址不存在。服务器答复：…`: a mark as the 名单 shows it. */
export function markLabel(mark: MailMark): string {
  const detail = mark.detail ? `。服务器答复：${mark.detail}` : '';
  return `${MARK_WORDS[mark.kind]}（${formatShanghaiDate(mark.at)}）：${mark.reason}${detail}`;
}

/** Why an email was not sent to a stopped address, as the failed-email lists show it. */
export function stopNotice(mark: MailMark): string {
  return `未发送，此邮箱已停发。${markLabel(mark)}`;
}

function isMark(value: unknown): value is MailMark {
  const m = value as MailMark | undefined;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.address === 'string' &&
    typeof m.reason === 'string' &&
    typeof m.at === 'string' &&
    (m.kind === 'bounce' || m.kind === 'complaint' || m.kind === 'transient')
  );
}

/** What one SNS message held: a mark per recipient, or why nothing was taken from it. */
export interface ReadEvent {
  marks: MailMark[];
  /** Set when the message is not a bounce or complaint this code reads (its type, or what was wrong with it). */
  ignored?: string;
}

// SES's bounce subtypes, in the words of the desk. The suppression lists are SES's own: a send to such an address is
// accepted and then dropped, so without this it would look sent.
const PERMANENT: Record<string, string> = {
  General: '地址无效，收件方拒收',
  NoEmail: '地址不存在',
  Suppressed: '在 SES 的全局禁止发送名单中（此地址近期多次退信）',
  OnAccountSuppressionList: '在 SES 的禁止发送名单中（本账号此前退信或投诉）',
  UnsubscribedRecipient: '收件人已退订',
};
const TRANSIENT: Record<string, string> = {
  General: '暂时无法投递',
  MailboxFull: '邮箱已满',
  MessageTooLarge: '邮件过大，被收件方拒收',
  ContentRejected: '内容被收件方拒收',
  AttachmentRejected: '附件被收件方拒收',
};
const COMPLAINTS: Record<string, string> = {
  abuse: '收件人将邮件标为垃圾邮件',
  'auth-failure': '收件方报告邮件认证失败',
  fraud: '收件人举报为欺诈邮件',
  'not-spam': '收件人投诉（标为非垃圾邮件）',
  virus: '收件方报告邮件含病毒',
  other: '收件人投诉',
};

const DIAGNOSTIC_MAX = 200;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters from a remote server are dropped
const CONTROL = /[\u0000-\u001f\u007f]+/g;

const text = (v: unknown): string => (typeof v === 'string' ? v.replace(CONTROL, ' ').trim() : '');
const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(record) : []);

/** `"Name" <a@b.cn>` or `a@b.cn` → `a@b.cn`; empty when it is no address. */
function addressOf(raw: unknown): string {
  const value = text(raw);
  const address = (/<([^<>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(address) && address.length <= 254 ? address : '';
}

function instant(...candidates: unknown[]): string | undefined {
  for (const c of candidates) {
    const t = Date.parse(text(c));
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return undefined;
}

/**
 * One SNS message from the configuration set (SES event publishing: `eventType`; an identity's notifications say
 * `notificationType`, read the same). Never throws: a message that cannot be read is `ignored`, with the reason.
 * `receivedAt`: when the mark is dated if the event carries no time.
 */
export function readMailEvent(message: string, receivedAt: string): ReadEvent {
  let json: Record<string, unknown>;
  try {
    json = record(JSON.parse(message));
  } catch {
    return { marks: [], ignored: 'not JSON' };
  }
  const type = text(json.eventType) || text(json.notificationType);
  const mail = record(json.mail);
  const messageId = text(mail.messageId);
  let kind: (recipient: Record<string, unknown>) => MailMarkKind;
  let reason: (recipient: Record<string, unknown>) => string;
  let detail: (recipient: Record<string, unknown>) => string = () => '';
  let recipients: Record<string, unknown>[];
  let at: string;
  if (type === 'Bounce') {
    const bounce = record(json.bounce);
    const bounceType = text(bounce.bounceType);
    const subType = text(bounce.bounceSubType);
    const suppressed = subType === 'Suppressed' || subType === 'OnAccountSuppressionList';
    // Undetermined: SES could not tell why; noted as a transient one, so a doubtful report stops no one's mail.
    const hard = bounceType === 'Permanent' || suppressed;
    const words = hard
      ? (PERMANENT[subType] ?? PERMANENT.General!)
      : bounceType === 'Transient'
        ? (TRANSIENT[subType] ?? TRANSIENT.General!)
        : '退信原因不明';
    kind = () => (hard ? 'bounce' : 'transient');
    reason = () => words;
    // SES's own sentence for a suppressed address says no more than the words do.
    detail = (r) => (suppressed ? '' : text(r.diagnosticCode).slice(0, DIAGNOSTIC_MAX));
    recipients = list(bounce.bouncedRecipients);
    at = instant(bounce.timestamp, mail.timestamp) ?? receivedAt;
  } else if (type === 'Complaint') {
    const complaint = record(json.complaint);
    const feedback = text(complaint.complaintFeedbackType);
    const words =
      text(complaint.complaintSubType) === 'OnAccountSuppressionList'
        ? '在 SES 的禁止发送名单中（本账号此前投诉）'
        : (COMPLAINTS[feedback] ?? COMPLAINTS.abuse!);
    kind = () => 'complaint';
    reason = () => words;
    recipients = list(complaint.complainedRecipients);
    at = instant(complaint.timestamp, mail.timestamp) ?? receivedAt;
  } else {
    return { marks: [], ignored: type ? `event type ${type.slice(0, 40)}` : 'no event type' };
  }
  const marks = recipients
    .map((r) => ({ r, address: addressOf(r.emailAddress) }))
    .filter(({ address }) => address !== '')
    .map(
      ({ r, address }): MailMark => ({
        kind: kind(r),
        address,
        reason: reason(r),
        ...(detail(r) ? { detail: detail(r) } : {}),
        at,
        // The message, or without its id (never seen from SES) the whole text: the same delivery twice is one.
        eventId: digest('ses', messageId || message, type, address),
      }),
    );
  return marks.length ? { marks } : { marks, ignored: `${type} without a recipient address` };
}
