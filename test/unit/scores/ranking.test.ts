// The ranking's tie rule, as stated with every table (TIE_RULE): points, then adoptions from the top level down, then
// the earlier last adoption (who got there first); rows equal under the whole rule share a rank.
import { ranked } from '../../../shared/scores/rankings';

const row = (
  id: string,
  points: number,
  levels: Partial<Record<'county' | 'prefecture' | 'region' | 'central', number>>,
  lastOn: string,
) => ({
  id,
  name: id,
  points,
  adoptions: Object.values(levels).reduce((n, v) => n + (v ?? 0), 0),
  byLevel: { county: 0, prefecture: 0, region: 0, central: 0, ...levels },
  lastOn,
});

describe('the ranking', () => {
  it('puts more points first, then more adoptions at the higher level, then the earlier last adoption', () => {
    const rows = ranked([
      row('late', 30, { region: 3 }, '2026-10-20'),
      row('early', 30, { region: 3 }, '2026-10-02'),
      row('central', 30, { central: 1 }, '2026-11-30'),
      row('more', 31, { county: 31 }, '2026-12-01'),
      row('region-then-prefecture', 30, { region: 2, prefecture: 2 }, '2026-01-01'),
      row('nothing', 0, {}, ''),
    ]);
    expect(rows.map((r) => [r.id, r.rank])).toEqual([
      ['more', 1],
      ['central', 2],
      ['early', 3],
      ['late', 4],
      ['region-then-prefecture', 5],
      ['nothing', 6],
    ]);
  });

  it('gives rows equal under the whole rule the same rank, and the next row the rank after all of them', () => {
    const rows = ranked([
      row('b', 10, { region: 1 }, '2026-05-01'),
      row('a', 10, { region: 1 }, '2026-05-01'),
      row('c', 5, { prefecture: 1 }, '2026-05-01'),
    ]);
    expect(rows.map((r) => [r.id, r.rank])).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 3],
    ]);
  });
});
