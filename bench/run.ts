// `npm run bench`: builds every function as the stack does and measures what costs money and time on Lambda —
// bundle size, cold init, per-request overhead, round trips per request, report reads as history grows, local
// throughput — as ratios measured in one run. Prints one table and writes it as JSON to bench/out/results.json.
// `npm run bench -- --quick` is the smoke run inside `npm test`: tiny samples, no goal enforced.
// `npm run bench -- --only "round trips"` runs one part (its figures alone; results.json is left as it was).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { bundleFigures } from './bundles';
import { costFigures } from './cost';
import { overheadFigures } from './overhead';
import { reportFigures } from './reports';
import { roundTripFigures } from './roundTrips';
import { throughputFigures } from './throughput';
import type { BenchOptions, BenchPart, Figure } from './types';

const parts: [string, BenchPart][] = [
  ['bundles and cold init', bundleFigures],
  ['request overhead', overheadFigures],
  ['round trips', roundTripFigures],
  ['report cost growth', reportFigures],
  ['local throughput', throughputFigures],
  ['monthly cost', costFigures],
];

function format(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** In a quick run the samples are too small to judge a goal: results show as '—'. */
function table(figures: Figure[], quick: boolean): string {
  const rows = figures.map((f) => [
    f.group,
    f.name,
    `${format(f.value)} ${f.unit}`.trim(),
    f.goal,
    f.pass === null ? '' : quick ? '—' : f.pass ? 'pass' : 'FAIL',
    f.detail ?? '',
  ]);
  const header = ['group', 'figure', 'value', 'goal', 'result', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const outDir = join(__dirname, 'out');
  mkdirSync(outDir, { recursive: true });
  const options: BenchOptions = { quick, outDir, log: (line) => console.error(line) };
  const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  console.error(`baosong bench${quick ? ' (quick smoke run: no goals enforced)' : ''} on ${machine}`);

  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
  const figures: Figure[] = [];
  for (const [name, part] of parts) {
    if (only && name !== only) continue;
    const started = Date.now();
    options.log(`— ${name}…`);
    figures.push(...(await part(options)));
    options.log(`  ${name} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  console.log(table(figures, quick));
  const failed = figures.filter((f) => f.pass === false);
  writeFileSync(
    join(outDir, only ? 'results-part.json' : quick ? 'results-quick.json' : 'results.json'),
    `${JSON.stringify({ machine, quick, at: new Date().toISOString(), figures }, null, 2)}\n`,
  );
  if (quick) {
    console.log(`bench smoke run: ${figures.length} figures measured.`);
    return;
  }
  console.log(failed.length ? `${failed.length} goal(s) missed.` : `All ${figures.length} figures meet their goals.`);
  if (failed.length) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
