// Quarters (季度) as the department counts them, on Asia/Shanghai days: `2026Q4` is October to December 2026.
import { dayOf, now } from '../core/clock';

export const isQuarter = (text: string): boolean => /^\d{4}Q[1-4]$/.test(text);

/** The quarter of a day (`2026-11-05`) or a month (`2026-11`). */
export const quarterOf = (dayOrMonth: string): string =>
  `${dayOrMonth.slice(0, 4)}Q${Math.floor((Number(dayOrMonth.slice(5, 7)) - 1) / 3) + 1}`;

export const thisQuarter = (): string => quarterOf(dayOf(now()));

/** Its three months, `2026-10`, `2026-11`, `2026-12`. */
export function quarterMonths(quarter: string): string[] {
  const year = quarter.slice(0, 4);
  const first = (Number(quarter.slice(5)) - 1) * 3 + 1;
  return [0, 1, 2].map((i) => `${year}-${String(first + i).padStart(2, '0')}`);
}

/** Its first and last day. */
export function quarterDays(quarter: string): { first: string; last: string } {
  const months = quarterMonths(quarter);
  const [y, m] = months[2]!.split('-').map(Number);
  const lastDay = new Date(Date.UTC(y!, m!, 0)).getUTCDate();
  return { first: `${months[0]}-01`, last: `${months[2]}-${String(lastDay).padStart(2, '0')}` };
}

export function shiftQuarter(quarter: string, by: number): string {
  const index = Number(quarter.slice(0, 4)) * 4 + Number(quarter.slice(5)) - 1 + by;
  return `${Math.floor(index / 4)}Q${(index % 4) + 1}`;
}

const NAMES = ['一', '二', '三', '四'];

/** `2026年第四季度`. */
export const quarterLabel = (quarter: string): string =>
  `${quarter.slice(0, 4)}年第${NAMES[Number(quarter.slice(5)) - 1]}季度`;
