// The 通报's unit table as a sheet: attached to the email as .xlsx, and the same rows for the desk's download.
import type { Sheet } from '../sheets/write';
import { adoptedTotal, type Bulletin, type UnitRow } from './bulletin';

export const rankChange = (r: Pick<UnitRow, 'yearRank' | 'lastYearRank'>): string => {
  if (r.lastYearRank === undefined) return '—';
  const d = r.lastYearRank - r.yearRank;
  return d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : '—';
};

export function bulletinSheet(b: Bulletin): Sheet {
  return {
    name: `${b.year}年${Number(b.month.slice(5))}月`,
    columns: [
      { header: '累计名次', width: 9 },
      { header: '单位', width: 24 },
      { header: '本月报送', width: 9 },
      { header: '其中调研', width: 9 },
      { header: '本月编入专报', width: 12 },
      { header: '本月地区采用', width: 12 },
      { header: '本月自治区采用', width: 14 },
      { header: '本月中央采用', width: 12 },
      { header: '本月积分', width: 9 },
      { header: '本月名次', width: 9 },
      { header: '累计报送', width: 9 },
      { header: '累计编入专报', width: 12 },
      { header: '累计上级采用', width: 12 },
      { header: '累计积分', width: 9 },
      { header: '名次变化', width: 9 },
      { header: '本月未报送', width: 10 },
      { header: '低于进度', width: 9 },
    ],
    rows: b.units.map((r) => [
      r.yearRank,
      r.name,
      r.month.sent,
      r.month.research,
      r.month.accepted,
      r.month.adopted.prefecture,
      r.month.adopted.region,
      r.month.adopted.central,
      r.month.points,
      r.monthRank,
      r.year.sent,
      r.year.accepted,
      adoptedTotal(r.year.adopted),
      r.year.points,
      rankChange(r),
      r.silent ? '是' : '',
      r.belowShare ? '是' : '',
    ]),
  };
}

export const sheetFileName = (b: Bulletin): string => `${b.year}年${Number(b.month.slice(5))}月各单位报送情况.xlsx`;
