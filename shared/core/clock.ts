// The one source of "now": tests and the local stack may fix it; every date rule (months, expiry, windows) reads it.
// China has no daylight saving time, so Asia/Shanghai is always UTC+8.

let fixed: (() => Date) | undefined;

export function now(): Date {
  return fixed ? fixed() : new Date();
}

/** Fix the clock (tests); `undefined` restores the real one. */
export function setClock(source: Date | (() => Date) | undefined): void {
  fixed = source === undefined ? undefined : typeof source === 'function' ? source : () => source;
}

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

export interface ShanghaiTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export function shanghai(date: Date): ShanghaiTime {
  const d = new Date(date.getTime() + SHANGHAI_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2026-11`: the Asia/Shanghai month an event belongs to in reports. */
export function monthOf(date: Date): string {
  const t = shanghai(date);
  return `${t.year}-${pad(t.month)}`;
}

/** Whether `text` names a month as months are written here: `2026-11`. */
export const isMonth = (text: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(text);

/** `2026-11` → the months from it up to `to` (inclusive), oldest first; none when `from` is after `to`. */
export function monthsFrom(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (let guard = 0; guard < 1200; guard++) {
    const month = `${y}-${pad(m)}`;
    if (month > to) break;
    out.push(month);
    m += 1;
    if (m > 12) {
      y += 1;
      m = 1;
    }
  }
  return out;
}

/** `2026-11-26 13:05`, as shown to users. */
export function formatShanghai(date: Date | string): string {
  const t = shanghai(typeof date === 'string' ? new Date(date) : date);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`;
}

/** `2026年12月10日`, for dates in prose. */
export function formatShanghaiDate(date: Date | string): string {
  const t = shanghai(typeof date === 'string' ? new Date(date) : date);
  return `${t.year}年${t.month}月${t.day}日`;
}

/** `2026-11-26`: the Asia/Shanghai calendar day of an instant (adoption dates, rule dates). */
export function dayOf(date: Date | string): string {
  const t = shanghai(typeof date === 'string' ? new Date(date) : date);
  return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
}

/** The calendar day `days` after `day` (before, when negative), both written `2026-10-15`. */
export const shiftDay = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Whether `text` is a real calendar day written `2026-10-15` (not `2026-02-30`). */
export function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}
