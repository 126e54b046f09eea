// The months a 通报 is about: the Asia/Shanghai month before a moment (what the schedule on the 1st reports on).
import { monthOf } from '../core/clock';

export function previousMonth(at: Date): string {
  const [y, m] = monthOf(at).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
