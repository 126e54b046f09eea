// Use case: the year's 《组工专报》 in numbers — how many distinct issues and accepted pieces, for the bulletin.
// Reads the twelve month partitions of the year (the report index), never the whole history.
import { monthsFrom } from '../core/clock';
import { config } from '../core/config';
import type { PieceEvent } from '../pieces/events';
import { queryAll, type ReadUsage } from '../store/db';
import { keys } from '../store/keys';
import { MONTH_INDEX } from '../store/tableDefinition';

export interface IssueStats {
  year: number;
  accepted: number;
  /** Issue number → receipts of the pieces in it, ascending. */
  issues: { issueNo: number; receipts: string[] }[];
  acceptedWithoutIssue: number;
}

/** Every event of one Asia/Shanghai month of a county: one partition of the report index, its projection only. */
export async function monthEvents(county: string, month: string, usage?: ReadUsage): Promise<PieceEvent[]> {
  return (await queryAll(
    {
      IndexName: MONTH_INDEX.name,
      KeyConditionExpression: '#m = :m',
      ExpressionAttributeNames: { '#m': MONTH_INDEX.partition },
      ExpressionAttributeValues: { ':m': keys.month(county, month) },
    },
    usage,
  )) as unknown as PieceEvent[];
}

/** The events of several months, read together: one Query per month partition, each month's events apart. */
export function monthsEvents(county: string, months: string[], usage?: ReadUsage): Promise<PieceEvent[][]> {
  return Promise.all(months.map((m) => monthEvents(county, m, usage)));
}

/** Every event of a year's twelve months (the report index), never the whole history. */
export async function yearEvents(county: string, year: number): Promise<PieceEvent[]> {
  return (await monthsEvents(county, monthsFrom(`${year}-01`, `${year}-12`))).flat();
}

export async function issueStats(year: number): Promise<IssueStats> {
  const events = await yearEvents(config().countyId, year);
  const accepted = events.filter((e) => e.type === 'accepted');
  const byIssue = new Map<number, string[]>();
  for (const e of accepted) {
    if (e.issueNo) byIssue.set(e.issueNo, [...(byIssue.get(e.issueNo) ?? []), e.receipt]);
  }
  return {
    year,
    accepted: accepted.length,
    issues: [...byIssue.entries()]
      .sort(([a], [b]) => a - b)
      .map(([issueNo, receipts]) => ({ issueNo, receipts: receipts.sort() })),
    acceptedWithoutIssue: accepted.filter((e) => !e.issueNo).length,
  };
}
