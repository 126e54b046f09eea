// Report cost growth: the monthly figures (shared/reports/monthlyReport) for one month, computed over a county with 1× and
// one with 10× as much earlier history. Reads follow the month (one partition of the report index), so both the
// consumed read capacity and the time should not grow with history. The same for the 月通报 (computeBulletin): the
// months of its year (Queries by month partition) and its topics, before and after ten times more earlier history.

import { performance } from 'node:perf_hooks';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { computeBulletin } from '../shared/bulletin/computeBulletin';
import { config } from '../shared/core/config';
import { monthlyReport } from '../shared/reports/monthlyReport';
import { db, tableName } from '../shared/store/db';
import { keys } from '../shared/store/keys';
import { BENCH_ROSTER, startBenchCounty } from './standins';
import { type BenchPart, type Figure, median } from './types';

const TARGET = { year: 2026, month: 10 };
const UNITS = Array.from({ length: 40 }, (_, i) => `u${String(i).padStart(3, '0')}`);
const TYPES = ['submitted', 'submitted', 'submitted', 'accepted', 'returned', 'revised', 'rejected'] as const;

function monthKey(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** The month `back` months before the target. */
function monthBefore(back: number): string {
  const index = TARGET.year * 12 + (TARGET.month - 1) - back;
  return monthKey(Math.floor(index / 12), (index % 12) + 1);
}

/**
 * Events shaped like the real ones (keys, report attributes, a body-sized text), `perMonth` in each month from `from`
 * to `to` months before the target.
 */
async function seed(county: string, perMonth: number, from: number, to: number): Promise<void> {
  const items: Record<string, unknown>[] = [];
  for (let back = from; back <= to; back++) {
    const month = monthBefore(back);
    for (let i = 0; i < perMonth; i++) {
      const receipt = `${month.slice(0, 4)}-${String(back * perMonth + i + 1).padStart(5, '0')}`;
      const type = TYPES[i % TYPES.length]!;
      const at = `${month}-15T02:00:00.${String(i % 1000).padStart(3, '0')}Z`;
      items.push({
        pk: keys.piece(county, receipt),
        sk: keys.eventSk(1),
        type,
        seq: 1,
        at,
        county,
        pieceId: receipt,
        receipt,
        revision: 1,
        unitId: UNITS[i % UNITS.length],
        informantId: `p${i % 90}`,
        kind: i % 4 === 0 ? 'research' : 'info',
        title: `标题 ${receipt}`,
        body: '基层党建工作信息正文。'.repeat(60),
        gsi1pk: keys.month(county, month),
        gsi1sk: `${at}#${receipt}#0001`,
      });
    }
  }
  for (let i = 0; i < items.length; i += 25) {
    let batch: Record<string, unknown> = {
      [tableName()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (Object.keys(batch).length > 0) {
      const out = await db().send(new BatchWriteCommand({ RequestItems: batch as never }));
      batch = (out.UnprocessedItems ?? {}) as Record<string, unknown>;
    }
  }
}

export const reportFigures: BenchPart = async (options) => {
  const bench = await startBenchCounty(BENCH_ROSTER);
  try {
    const perMonth = options.quick ? 20 : 300;
    const history = options.quick ? 2 : 12;
    const runs = options.quick ? 3 : 61;
    const small = `${bench.countyId}-h1`;
    const large = `${bench.countyId}-h10`;
    const started = performance.now();
    await seed(small, perMonth, 0, history);
    await seed(large, perMonth, 0, history * 10);
    options.log(
      `  seeded ${(history * 11 + 2) * perMonth} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const month = monthBefore(0);
    const reads = { small: { readUnits: 0 }, large: { readUnits: 0 } };
    const smallReport = await monthlyReport(small, month, reads.small);
    const largeReport = await monthlyReport(large, month, reads.large);
    if (JSON.stringify(smallReport) !== JSON.stringify(largeReport)) {
      throw new Error('the same month gave different figures with more history: the report reads beyond its month');
    }

    // Warm up (JIT, connections) before timing; then interleave, so a slow moment of the machine hits both alike.
    for (let i = 0; i < (options.quick ? 1 : 10); i++) {
      await monthlyReport(small, month);
      await monthlyReport(large, month);
    }
    const times = { small: [] as number[], large: [] as number[] };
    for (let i = 0; i < runs; i++) {
      for (const [side, county] of i % 2
        ? ([
            ['large', large],
            ['small', small],
          ] as const)
        : ([
            ['small', small],
            ['large', large],
          ] as const)) {
        const t = performance.now();
        await monthlyReport(county, month);
        times[side].push(performance.now() - t);
      }
    }
    const readRatio = reads.large.readUnits / reads.small.readUnits;

    // The 通报 of the month on the bench's own county: the year so far and `history` earlier months, then ten times
    // as many earlier months (all before the year: the 通报's figures stay the same).
    const own = config().countyId;
    const thisYear = TARGET.month - 1;
    await seed(own, perMonth, 0, thisYear + history);
    const bulletinReads = { before: { readUnits: 0 }, after: { readUnits: 0 } };
    const before = await computeBulletin(month, bulletinReads.before);
    await seed(own, perMonth, thisYear + history + 1, thisYear + history * 10);
    const after = await computeBulletin(month, bulletinReads.after);
    const { computedAt: _b, ...beforeFigures } = before;
    const { computedAt: _a, ...afterFigures } = after;
    if (JSON.stringify(beforeFigures) !== JSON.stringify(afterFigures)) {
      throw new Error('the 通报 changed with more history in earlier years: it reads beyond its year');
    }
    const bulletinRatio = bulletinReads.after.readUnits / bulletinReads.before.readUnits;
    // Matched pairs: each run of one side against the run of the other next to it, then the median ratio.
    const timeRatio = median(times.large.map((t, i) => t / times.small[i]!));
    const figures: Figure[] = [
      {
        group: 'report cost growth',
        name: 'monthly figures: read units, 10× history vs 1×',
        value: readRatio,
        unit: '×',
        goal: '≤ 1.10×',
        pass: readRatio <= 1.1,
        detail: `${reads.small.readUnits} vs ${reads.large.readUnits} RCU for ${perMonth} events of ${month} (${history} vs ${history * 10} earlier months)`,
      },
      {
        group: 'report cost growth',
        name: '月通报: read units, 10× history vs 1×',
        value: bulletinRatio,
        unit: '×',
        goal: '≤ 1.10×',
        pass: bulletinRatio <= 1.1,
        detail: `${bulletinReads.before.readUnits} vs ${bulletinReads.after.readUnits} RCU for the 通报 of ${month} (the year's ${TARGET.month} months and ${history} vs ${history * 10} earlier ones, ${perMonth} events each)`,
      },
      {
        group: 'report cost growth',
        name: 'monthly figures: time, 10× history vs 1×',
        value: timeRatio,
        unit: '×',
        goal: '≤ 1.10×',
        pass: timeRatio <= 1.1,
        detail: `median ${median(times.small).toFixed(1)} vs ${median(times.large).toFixed(1)} ms, matched-pair median over ${runs} interleaved pairs`,
      },
    ];
    return figures;
  } finally {
    await bench.close();
  }
};
