// The desk's 数据 as a download: one row per unit (this month, then the year to date, sent and accepted by kind),
// a 合计 row, and whether the unit sent nothing this month — the same figures as the page, for Excel.
import type { Figures, UnitFigures } from '../reports/figures';
import { type Sheet, sheetFile } from '../sheets/write';
import type { DownloadFile } from '../web/http';

const COLUMNS: Sheet['columns'] = [
  { header: '单位', width: 28 },
  { header: '本月报送', width: 10 },
  { header: '本月报送：信息', width: 14 },
  { header: '本月报送：调研文稿', width: 18 },
  { header: '本月采用', width: 10 },
  { header: '本月采用：信息', width: 14 },
  { header: '本月采用：调研文稿', width: 18 },
  { header: '本年报送', width: 10 },
  { header: '本年报送：信息', width: 14 },
  { header: '本年报送：调研文稿', width: 18 },
  { header: '本年采用', width: 10 },
  { header: '本年采用：信息', width: 14 },
  { header: '本年采用：调研文稿', width: 18 },
  { header: '本月未报送', width: 12 },
  { header: '本月上级采用', width: 14 },
  { header: '本月积分', width: 10 },
  { header: '本年上级采用', width: 14 },
  { header: '本年积分', width: 10 },
];

const counts = (c: UnitFigures['month']) => [
  c.sent,
  c.sentByKind.info,
  c.sentByKind.research,
  c.accepted,
  c.acceptedByKind.info,
  c.acceptedByKind.research,
];

const scores = (u: Pick<UnitFigures, 'month' | 'year'>) => [
  u.month.adopted,
  u.month.points,
  u.year.adopted,
  u.year.points,
];

export function figuresSheet(figures: Figures): Sheet {
  const silent = new Set(figures.silent);
  return {
    name: `${figures.month} 数据`,
    columns: COLUMNS,
    rows: [
      ...figures.units.map((u) => [
        u.name,
        ...counts(u.month),
        ...counts(u.year),
        silent.has(u.name) ? '是' : '',
        ...scores(u),
      ]),
      [
        '合计',
        ...counts(figures.total.month),
        ...counts(figures.total.year),
        figures.silent.length,
        ...scores(figures.total),
      ],
    ],
  };
}

/** The file to download: `组工信息数据-2026-11.xlsx` (or `.csv`). */
export function figuresFile(figures: Figures, format: 'xlsx' | 'csv'): Promise<DownloadFile> {
  return sheetFile(figuresSheet(figures), `组工信息数据-${figures.month}`, format);
}
