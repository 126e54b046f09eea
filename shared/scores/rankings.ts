// Use case: the ranking (积分排名) of a year or of one month, by unit, by informant or by piece — the desk's 积分 page,
// its downloads, `npm run admin -- scores` and the 信息奖. Reads the month partitions of the report index (a year:
// its twelve months, never history); an adoption counts in the Asia/Shanghai month it was recorded, with every
// correction of it filed there too. Ties are broken by a rule stated with the table (TIE_RULE).
import { monthOf, monthsFrom, now } from '../core/clock';
import { config } from '../core/config';
import { monthsEvents } from '../reports/issueStats';
import { listRoster, type Roster, reportingUnits } from '../roster/people';
import { type Contribution, type ScoreEvent, standing } from '../scoring/contributions';
import { LEVELS, type Level } from '../scoring/rules';
import { getItems, keyId } from '../store/db';

export type RankBy = 'unit' | 'informant' | 'piece';

export const RANK_BY_LABELS: Record<RankBy, string> = { unit: '单位', informant: '信息员', piece: '稿件' };

export const TIE_RULE =
  '积分相同时，依次比较中央、自治区、地区、县《组工专报》的采用篇次，多者在前；仍相同时，最后一次采用日期较早者（先达到该积分）在前。';

export interface RankRow {
  rank: number;
  /** unitId, informantId or pieceId. */
  id: string;
  name: string;
  /** The unit's name (informant and piece rows). */
  unitName?: string;
  points: number;
  /** Adoptions standing, all levels. */
  adoptions: number;
  byLevel: Record<Level, number>;
  /** The day of the last adoption that counts (`2026-10-15`); empty when none. */
  lastOn: string;
}

export interface Ranking {
  year: number;
  /** Only this month (`2026-10`), or the whole year. */
  month?: string;
  by: RankBy;
  rows: RankRow[];
  /** The period in words: `2026 年` or `2026 年 10 月`. */
  period: string;
}

const zeroLevels = (): Record<Level, number> => ({ county: 0, prefecture: 0, region: 0, central: 0 });
const round = (n: number) => Math.round(n * 100) / 100;

/** Higher first: points, then adoptions from the top level down, then the earlier last adoption, then the name. */
export function compareRows(a: RankRow, b: RankRow): number {
  return tieOrder(a, b) || a.name.localeCompare(b.name, 'zh') || a.id.localeCompare(b.id);
}

function tieOrder(a: RankRow, b: RankRow): number {
  if (a.points !== b.points) return b.points - a.points;
  for (const level of [...LEVELS].reverse())
    if (a.byLevel[level] !== b.byLevel[level]) return b.byLevel[level] - a.byLevel[level];
  if (a.lastOn !== b.lastOn) return (a.lastOn || '9999') < (b.lastOn || '9999') ? -1 : 1;
  return 0;
}

/** Rows sorted and numbered; rows equal under the whole rule share a rank (1, 2, 2, 4). */
export function ranked(rows: Omit<RankRow, 'rank'>[]): RankRow[] {
  const sorted = rows.map((r) => ({ ...r, rank: 0 })).sort(compareRows);
  sorted.forEach((r, i) => {
    const before = sorted[i - 1];
    r.rank = before && tieOrder(before, r) === 0 ? before.rank : i + 1;
  });
  return sorted;
}

/** The months a ranking reads: the one asked for, or the year's up to this month. */
export function monthsOf(year: number, month?: string): string[] {
  if (month) return [month];
  const current = monthOf(now());
  return monthsFrom(`${year}-01`, `${year}-12` < current ? `${year}-12` : current);
}

/** The adoptions standing in the months (each month one Query of its partition). */
export async function standingIn(months: string[]): Promise<Contribution[]> {
  const events = (await monthsEvents(config().countyId, months)).flat() as unknown as ScoreEvent[];
  return standing(events);
}

/**
 * The rows of a ranking from the adoptions standing (pure but for the piece titles, one BatchGet per hundred);
 * `titledTo`: only the pieces ranked that high get their titles read (the 信息奖 names its top ones only).
 */
export async function rank(
  adoptions: Contribution[],
  by: RankBy,
  roster: Roster,
  options: { titledTo?: number } = {},
): Promise<RankRow[]> {
  const units = reportingUnits(roster);
  const people = new Map(roster.people.map((p) => [p.personId, p]));
  const rows = new Map<string, Omit<RankRow, 'rank'>>();
  const unitName = (unitId: string) => units.names[unitId] ?? `（已不在名单中的单位）`;
  const row = (id: string, name: string, unit?: string) => {
    let r = rows.get(id);
    if (!r) {
      r = {
        id,
        name,
        ...(unit !== undefined ? { unitName: unit } : {}),
        points: 0,
        adoptions: 0,
        byLevel: zeroLevels(),
        lastOn: '',
      };
      rows.set(id, r);
    }
    return r;
  };
  // Every unit expected to send is on the table, with nothing if so: the ranking shows who has no points too.
  if (by === 'unit') for (const unitId of units.reporting) row(unitId, unitName(unitId));
  for (const c of adoptions) {
    const r =
      by === 'unit'
        ? row(c.unitId, unitName(c.unitId))
        : by === 'informant'
          ? row(c.informantId, people.get(c.informantId)?.name ?? '（已不在名单中）', unitName(c.unitId))
          : row(c.pieceId, c.receipt, unitName(c.unitId));
    r.points = round(r.points + c.points);
    r.adoptions += 1;
    r.byLevel[c.level] += 1;
    if (c.adoptedOn > r.lastOn) r.lastOn = c.adoptedOn;
  }
  const sorted = ranked([...rows.values()]);
  if (by === 'piece') {
    // A piece's title: on its accepted revision, or on an adoption record.
    const titled = sorted.filter((r) => options.titledTo === undefined || r.rank <= options.titledTo);
    const keyOf = new Map(adoptions.filter((c) => c.titleKey).map((c) => [c.pieceId, c.titleKey!]));
    const items = await getItems(
      titled.flatMap((r) => (keyOf.has(r.id) ? [keyOf.get(r.id)!] : [])),
      {
        attributes: ['title'],
      },
    );
    for (const r of titled) {
      const key = keyOf.get(r.id);
      const title = key ? items.get(keyId(key))?.title : undefined;
      r.name = `${r.name} ${typeof title === 'string' ? title : ''}`.trim();
    }
  }
  return sorted;
}

/** What a ranking is made from: the adoptions standing in its months and the roster (names). */
export interface ScoreRead {
  adoptions: Contribution[];
  roster: Roster;
}

/** The adoptions standing in a year (or one month of it) and the roster, read together. */
export async function readScores(year: number, month?: string): Promise<ScoreRead> {
  const [adoptions, roster] = await Promise.all([standingIn(monthsOf(year, month)), listRoster(config().countyId)]);
  return { adoptions, roster };
}

/** `read`: what was read already for the same period (a page that shows the year's ranking and its award). */
export async function ranking(
  options: { year: number; month?: string; by: RankBy },
  read?: ScoreRead,
): Promise<Ranking> {
  const { year, month, by } = options;
  const { adoptions, roster } = read ?? (await readScores(year, month));
  return {
    year,
    ...(month ? { month } : {}),
    by,
    rows: await rank(adoptions, by, roster),
    period: month ? `${month.slice(0, 4)} 年 ${Number(month.slice(5))} 月` : `${year} 年`,
  };
}
