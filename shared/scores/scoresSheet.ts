// A ranking as a download (.xlsx or CSV): the same columns as the desk's 积分 page, and the tie rule under them.
import { LEVEL_LABELS } from '../scoring/rules';
import { type Sheet, sheetFile } from '../sheets/write';
import { RANK_BY_LABELS, type Ranking, TIE_RULE } from './rankings';

export function scoresSheet(r: Ranking): Sheet {
  const withUnit = r.by !== 'unit';
  return {
    name: `${r.period}积分排名（${RANK_BY_LABELS[r.by]}）`.replace(/\s/g, '').slice(0, 31),
    columns: [
      { header: '名次', width: 6 },
      { header: RANK_BY_LABELS[r.by], width: r.by === 'piece' ? 50 : 24 },
      ...(withUnit ? [{ header: '所在单位', width: 24 }] : []),
      { header: '积分', width: 8 },
      { header: '采用篇次', width: 10 },
      ...(['central', 'region', 'prefecture', 'county'] as const).map((l) => ({
        header: `${LEVEL_LABELS[l]}采用`,
        width: l === 'county' ? 20 : 12,
      })),
      { header: '最后采用日期', width: 14 },
    ],
    rows: [
      ...r.rows.map((row) => [
        row.rank,
        row.name,
        ...(withUnit ? [row.unitName ?? ''] : []),
        row.points,
        row.adoptions,
        row.byLevel.central,
        row.byLevel.region,
        row.byLevel.prefecture,
        row.byLevel.county,
        row.lastOn,
      ]),
      [],
      [`排名规则：${TIE_RULE}`],
    ],
  };
}

/** `组工信息积分排名-2026-单位.xlsx` (or a month's, or `.csv`). */
export function scoresFile(r: Ranking, format: 'xlsx' | 'csv') {
  return sheetFile(scoresSheet(r), `组工信息积分排名-${r.month ?? r.year}-${RANK_BY_LABELS[r.by]}`, format);
}
