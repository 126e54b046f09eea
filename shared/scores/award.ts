// Use case: the annual 信息奖 — 先进单位 (the top N units), 先进个人 (the top M informants), 优秀信息 (the top K
// pieces) of a year's ranking, N/M/K from the rules in force at the year's end unless given. Computing it reads the
// year's twelve month partitions and changes nothing. Sending it (`award --send`, the desk's button) freezes it in
// one item per county-year, written only if absent, which carries one email per editor and leader: a second send —
// a retry, a second press, another editor — finds it and sends nothing again.
import { now, shanghai } from '../core/clock';
import { config } from '../core/config';
import { ConflictError, ValidationError } from '../core/errors';
import { log } from '../core/log';
import { type NotificationDraft, outboxAttributes } from '../mail/outbox';
import { isActive } from '../roster/people';
import type { Deliver } from '../roster/rosterEvents';
import { versionOn } from '../scoring/rules';
import { readRuleVersions } from '../scoring/ruleVersions';
import { getItems, type ItemKey, keyId, putIfAbsent } from '../store/db';
import { keys } from '../store/keys';
import { type RankRow, rank, readScores, type ScoreRead } from './rankings';

export interface Places {
  units: number;
  informants: number;
  pieces: number;
}

export interface Award {
  year: number;
  places: Places;
  units: RankRow[];
  informants: RankRow[];
  pieces: RankRow[];
  /** The year is not over yet: the award may still change. */
  provisional: boolean;
}

export interface SentAward {
  award: Award;
  sentAt: string;
  sentBy: string;
  recipients: number;
}

/** The award of a year is sent from its December on: once sent it is final, and adoptions come in all year. */
export function awardMaySend(year: number): boolean {
  const t = shanghai(now());
  return year < t.year || (year === t.year && t.month === 12);
}

export class AwardTooEarlyError extends ConflictError {
  constructor(year: number) {
    super(
      `${year} 年度还没有到 12 月：信息奖发送后不再改变，请在 ${year} 年 12 月或之后发送。现在可以先查看按目前积分排出的结果。`,
    );
  }
}

export const awardKey = (county: string, year: number): ItemKey => ({ pk: keys.award(county, year), sk: 'SENT' });

/** The winners: the top places, and whoever ties with the last place (never anyone without points). */
const top = (rows: RankRow[], places: number) => rows.filter((r) => r.points > 0 && r.rank <= places);

export function checkYear(raw: unknown): number {
  const year = Number(raw);
  if (!Number.isInteger(year) || year < 2000 || year > shanghai(now()).year) {
    throw new ValidationError([
      { field: 'year', message: `年份不正确：应为 2000 到 ${shanghai(now()).year} 之间，例如 2026。` },
    ]);
  }
  return year;
}

/** `read`: the year's adoptions and the roster, when the caller has read them already. */
export async function computeAward(year: number, places?: Partial<Places>, read?: ScoreRead): Promise<Award> {
  const county = config().countyId;
  const [{ adoptions, roster: people }, versions] = await Promise.all([
    read ? Promise.resolve(read) : readScores(year),
    readRuleVersions(county),
  ]);
  const defaults = versionOn(versions, `${year}-12-31`).rules.award;
  const p: Places = {
    units: places?.units ?? defaults.units,
    informants: places?.informants ?? defaults.informants,
    pieces: places?.pieces ?? defaults.pieces,
  };
  const [units, informants, pieces] = await Promise.all([
    rank(adoptions, 'unit', people),
    rank(adoptions, 'informant', people),
    rank(adoptions, 'piece', people, { titledTo: p.pieces }),
  ]);
  return {
    year,
    places: p,
    units: top(units, p.units),
    informants: top(informants, p.informants),
    pieces: top(pieces, p.pieces),
    provisional: year >= shanghai(now()).year,
  };
}

/** The award as sent, if it was. */
export async function sentAward(year: number): Promise<SentAward | undefined> {
  const key = awardKey(config().countyId, year);
  const item = (await getItems([key], { consistent: true })).get(keyId(key));
  return item ? (item as unknown as SentAward) : undefined;
}

/** Sends the year's award to every active editor and leader, once per year; false: it was sent before (as then). */
export async function sendAward(
  year: number,
  by: { name: string },
  options: { places?: Partial<Places>; deliver?: Deliver | undefined } = {},
): Promise<{ sent: SentAward; now: boolean }> {
  const county = config().countyId;
  const before = await sentAward(year);
  if (before) return { sent: before, now: false };
  // Sent once and for good: not while most of the year's adoptions may still come.
  if (!awardMaySend(year)) throw new AwardTooEarlyError(year);
  const read = await readScores(year);
  const roster = read.roster;
  const award = await computeAward(year, options.places, read);
  const recipients = roster.people.filter((p) => (p.role === 'editor' || p.role === 'leader') && isActive(p));
  const at = now().toISOString();
  const notifications: NotificationDraft[] = recipients.map((p) => ({
    to: p.email,
    template: 'award',
    personId: p.personId,
    // The person again in the data: a template that links to the desk signs the link for them.
    data: { name: p.name, personId: p.personId },
  }));
  const sent: SentAward = { award, sentAt: at, sentBy: by.name, recipients: recipients.length };
  const item = {
    ...awardKey(county, year),
    type: 'award',
    ...sent,
    ...(notifications.length
      ? outboxAttributes(county, notifications, at, { held: options.deliver !== undefined })
      : {}),
  };
  if (!(await putIfAbsent(item))) return { sent: (await sentAward(year)) ?? sent, now: false };
  log.info('award sent', { year, recipients: recipients.length });
  if (options.deliver && recipients[0]) await options.deliver(item, recipients[0]);
  return { sent, now: true };
}
