// Use case: one month's figures per unit — the core the monthly bulletin (月通报) is built on: pieces submitted,
// revisions, decisions. Reads one month partition of the report index, so its cost follows the month, not history.
// Late decisions count in the month they are recorded (the event's month), as the design says.
import type { ReadUsage } from '../store/db';
import { monthEvents } from './issueStats';

export interface UnitMonth {
  unitId: string;
  /** New pieces (first revisions) submitted this month. */
  submitted: number;
  revised: number;
  accepted: number;
  returned: number;
  rejected: number;
}

export interface MonthlyReport {
  month: string;
  units: UnitMonth[];
}

const COUNTED: string[] = ['submitted', 'revised', 'accepted', 'returned', 'rejected'];

export async function monthlyReport(county: string, month: string, usage?: ReadUsage): Promise<MonthlyReport> {
  const byUnit = new Map<string, UnitMonth>();
  for (const event of await monthEvents(county, month, usage)) {
    // Adoptions and their corrections share the partition; they are the scores' to count.
    if (!COUNTED.includes(event.type)) continue;
    let unit = byUnit.get(event.unitId);
    if (!unit) {
      unit = { unitId: event.unitId, submitted: 0, revised: 0, accepted: 0, returned: 0, rejected: 0 };
      byUnit.set(event.unitId, unit);
    }
    unit[event.type as keyof Omit<UnitMonth, 'unitId'>] += 1;
  }
  return { month, units: [...byUnit.values()].sort((a, b) => a.unitId.localeCompare(b.unitId)) };
}
