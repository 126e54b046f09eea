// Every key of the single table, in one place. Every key starts with the county id (the tenant).
import { createHash } from 'node:crypto';

const h = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

export const keys = {
  roster: (county: string) => `C#${county}#ROSTER`,
  personSk: (personId: string) => `P#${personId}`,
  unitSk: (unitId: string) => `U#${unitId}`,
  /** Roster events (welcome, new link, link request): they carry the emails to send. */
  rosterEvents: (county: string) => `C#${county}#ROSTER#EV`,
  piece: (county: string, pieceId: string) => `C#${county}#P#${pieceId}`,
  eventSk: (seq: number) => `E#${String(seq).padStart(4, '0')}`,
  /** The sequence number an event's sort key names (`E#0003` → 3). */
  seqOf: (eventSk: string) => Number(eventSk.slice(2)),
  month: (county: string, month: string) => `C#${county}#M#${month}`,
  receiptCounter: (county: string, year: number) => `C#${county}#COUNTER#RECEIPT#${year}`,
  claim: (county: string, digest: string) => `C#${county}#CLAIM#${digest}`,
  /** A desk session (信息科工作台), by a digest of its secret: the cookie holds the secret, the table never does. */
  session: (county: string, digest: string) => `C#${county}#SESSION#${digest}`,
  /** Uploaded files on their way to a revision (`U#<uploadId>`): the sweeper removes them if the revision never came. */
  uploads: (county: string) => `C#${county}#UPLOAD`,
  outbox: (county: string) => `C#${county}`,
  /** The outbox partition of items whose remaining email was given up. */
  outboxFailed: (county: string) => `C#${county}#FAILED`,
  awaiting: (county: string) => `C#${county}`,
  /** Scoring rules: their versions (one item) and the audit events of re-scoring. */
  rules: (county: string) => `C#${county}#RULES`,
  /** The 信息奖 of a year, once computed and sent. */
  award: (county: string, year: number) => `C#${county}#AWARD#${year}`,
  /** An adoption of a piece (under the piece): its id is derived from (level, outlet, issue), so the same is one. */
  adoptionSk: (adoptionId: string) => `A#${adoptionId}`,
  /** Topics (点题): one item each (`T#<id>`), and the list of open ones (`OPEN`) a submission reads. */
  topics: (county: string) => `C#${county}#TOPIC`,
  topicSk: (topicId: string) => `T#${topicId}`,
  /** 重点调研 research tasks: one item each (`Q#<quarter>#<id>`), the open ones' list (`OPEN`), reminder marks. */
  tasks: (county: string) => `C#${county}#TASK`,
  /** A quarter's research status email: its run and sent marks, as a month's 通报. */
  quarterly: (county: string, quarter: string) => `C#${county}#QUARTERLY#${quarter}`,
  /** A month's 通报: the run (`RUN`), the frozen content and one sent mark per recipient (`R#<round>#<personId>`). */
  bulletin: (county: string, month: string) => `C#${county}#BULLETIN#${month}`,
};

/** A person's id is derived from the email, so a re-import finds the same person instead of adding one. */
export function personIdOf(county: string, email: string): string {
  return h(`${county}:${email.trim().toLowerCase()}`, 16);
}

export function unitIdOf(county: string, unitName: string): string {
  return `u${h(`${county}:${unitName.trim()}`, 10)}`;
}

export function digest(...parts: string[]): string {
  return h(parts.join('\u0000'), 32);
}
