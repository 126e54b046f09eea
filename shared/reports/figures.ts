// Use case: the desk's 数据 (and `npm run admin -- figures`): per unit, this month and the year to date — pieces sent
// (first revisions) and accepted, by kind — and the units that sent nothing this month. Reads the month partitions
// of the report index from January to the month asked for: the cost follows the year, never history. A decision
// counts in the month it was made, a piece in the month it was first sent (as the monthly bulletin counts them), an
// adoption upstream and its points in the month it was recorded (the acceptance's points with the acceptance).

import { monthsFrom } from '../core/clock';
import type { PieceEvent } from '../pieces/events';
import type { PieceKind } from '../pieces/piece';
import { type Contribution, type ScoreEvent, standing } from '../scoring/contributions';
import { monthsEvents } from './issueStats';

export interface Counts {
  sent: number;
  accepted: number;
  /** By kind: 信息 and 调研文稿. */
  sentByKind: Record<PieceKind, number>;
  acceptedByKind: Record<PieceKind, number>;
  /** Adoptions upstream (地区, 自治区, 中央) recorded in the period and standing, and the points of all adoptions. */
  adopted: number;
  points: number;
}

export interface UnitFigures {
  unitId: string;
  name: string;
  month: Counts;
  year: Counts;
}

export interface Figures {
  /** `2026-11`. */
  month: string;
  units: UnitFigures[];
  /** Units with informants that sent nothing this month, by name. */
  silent: string[];
  total: { month: Counts; year: Counts };
}

const zero = (): Counts => ({
  sent: 0,
  accepted: 0,
  sentByKind: { info: 0, research: 0 },
  acceptedByKind: { info: 0, research: 0 },
  adopted: 0,
  points: 0,
});

/** An adoption standing (its points now), into the counts of its month and year. */
function score(counts: Counts, c: Contribution): void {
  if (c.level !== 'county') counts.adopted += 1;
  counts.points = Math.round((counts.points + c.points) * 100) / 100;
}

function count(counts: Counts, e: PieceEvent): void {
  if (e.type === 'submitted') {
    counts.sent += 1;
    counts.sentByKind[e.kind] += 1;
  } else if (e.type === 'accepted') {
    counts.accepted += 1;
    counts.acceptedByKind[e.kind] += 1;
  }
}

/** The roster's units as the figures need them: every name, and which units are expected to send pieces. */
export interface RosterUnits {
  /** unitId → name, every unit of the roster. */
  names: Record<string, string>;
  /** The units with an informant: listed even with nothing sent, and named among the silent when so. */
  reporting: string[];
}

/** A unit gone from the roster still shows with what it did; a unit without informants shows only if it sent. */
export async function figures(county: string, month: string, roster: RosterUnits): Promise<Figures> {
  const units = roster.names;
  const byMonth = await monthsEvents(county, monthsFrom(`${month.slice(0, 4)}-01`, month));
  const rows = new Map<string, UnitFigures>();
  const row = (unitId: string): UnitFigures => {
    let r = rows.get(unitId);
    if (!r) {
      r = { unitId, name: units[unitId] ?? `（已不在名单中的单位 ${unitId}）`, month: zero(), year: zero() };
      rows.set(unitId, r);
    }
    return r;
  };
  for (const unitId of roster.reporting) row(unitId);
  const total = { month: zero(), year: zero() };
  byMonth.forEach((events, i) => {
    const current = i === byMonth.length - 1;
    for (const e of events) {
      const r = row(e.unitId);
      count(r.year, e);
      count(total.year, e);
      if (current) {
        count(r.month, e);
        count(total.month, e);
      }
    }
    for (const c of standing(events as unknown as ScoreEvent[])) {
      const r = row(c.unitId);
      for (const counts of current ? [r.year, total.year, r.month, total.month] : [r.year, total.year])
        score(counts, c);
    }
  });
  const list = [...rows.values()].sort(
    (a, b) =>
      b.month.sent - a.month.sent ||
      b.month.accepted - a.month.accepted ||
      b.year.sent - a.year.sent ||
      a.name.localeCompare(b.name, 'zh'),
  );
  const silent = list
    .filter((r) => r.month.sent === 0 && roster.reporting.includes(r.unitId))
    .map((r) => r.name)
    .sort((a, b) => a.localeCompare(b, 'zh'));
  return { month, units: list, silent, total };
}
