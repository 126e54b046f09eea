// Use case: the desk's 采用 page — the year's adoptions upstream (or one month's), filtered by level and unit, newest
// first, each with its points now and whether it was withdrawn. Month-keyed Queries of the report index (the year's
// months, never history), then one BatchGet per hundred records for what the index does not carry (outlet, issue,
// title, who recorded it).

import type { AdoptionRecord, WithdrawalRecord } from '../adoption/adoptions';
import { isMonth, now, shanghai } from '../core/clock';
import { config } from '../core/config';
import { type FieldError, ValidationError } from '../core/errors';
import { monthsEvents } from '../reports/issueStats';
import { monthsOf } from '../scores/rankings';
import { contributions, type ScoreEvent } from '../scoring/contributions';
import { UPPER_LEVELS, type UpperLevel } from '../scoring/rules';
import { getItems, keyId } from '../store/db';

export interface AdoptionFilter {
  year: number;
  month?: string;
  level?: UpperLevel;
  unitId?: string;
}

export interface AdoptionRow {
  record: AdoptionRecord;
  points: number;
  withdrawal?: WithdrawalRecord;
}

export function adoptionFilterOf(query: Record<string, string | undefined>): AdoptionFilter {
  const errors: FieldError[] = [];
  const thisYear = shanghai(now()).year;
  const year = query.year ? Number(query.year) : query.month ? Number(query.month.slice(0, 4)) : thisYear;
  if (!Number.isInteger(year) || year < 2000 || year > thisYear)
    errors.push({ field: 'year', message: '年份不正确，例如 2026。' });
  const month = query.month || undefined;
  if (month && (!isMonth(month) || Number(month.slice(0, 4)) !== year)) {
    errors.push({ field: 'month', message: '月份不正确：请写成 年-月，例如 2026-10，并与年份一致。' });
  }
  const level = query.level || undefined;
  if (level && !(UPPER_LEVELS as readonly string[]).includes(level)) {
    errors.push({ field: 'level', message: '采用级别只能是地区、自治区或中央。' });
  }
  if (errors.length) throw new ValidationError(errors);
  return {
    year,
    ...(month ? { month } : {}),
    ...(level ? { level: level as UpperLevel } : {}),
    ...(query.unit ? { unitId: query.unit } : {}),
  };
}

export async function yearAdoptions(filter: AdoptionFilter): Promise<AdoptionRow[]> {
  const events = (
    await monthsEvents(config().countyId, monthsOf(filter.year, filter.month))
  ).flat() as unknown as (ScoreEvent & {
    pk: string;
    sk: string;
  })[];
  const upward = events.filter((e) => e.type === 'adopted' || e.type === 'withdrawn' || e.type === 'rescored');
  const now = new Map(contributions(upward).map((c) => [`${c.pieceId}#${c.adoptionId}`, c]));
  const chosen = upward.filter(
    (e) =>
      (e.type === 'adopted' || e.type === 'withdrawn') &&
      (!filter.level || e.level === filter.level) &&
      (!filter.unitId || e.unitId === filter.unitId),
  );
  const full = await getItems(chosen.map((e) => ({ pk: e.pk, sk: e.sk })));
  const records = chosen
    .filter((e) => e.type === 'adopted')
    .map((e) => full.get(keyId(e)) as unknown as AdoptionRecord | undefined);
  const withdrawals = new Map(
    chosen
      .filter((e) => e.type === 'withdrawn')
      .map((e) => [`${e.pieceId}#${e.adoptionId}`, full.get(keyId(e)) as unknown as WithdrawalRecord]),
  );
  return records
    .filter((r): r is AdoptionRecord => r !== undefined)
    .map((record) => {
      const id = `${record.pieceId}#${record.adoptionId}`;
      const withdrawal = withdrawals.get(id);
      return {
        record,
        points: withdrawal ? 0 : (now.get(id)?.points ?? record.points),
        ...(withdrawal ? { withdrawal } : {}),
      };
    })
    .sort((a, b) => b.record.at.localeCompare(a.record.at));
}
