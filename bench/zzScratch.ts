import { writeFileSync } from 'node:fs';
import { countScenario } from './overhead';
const [pairs, warmup, tag] = process.argv.slice(2);
async function main() {
  const t0 = Date.now();
  const res = await Promise.all(
    (['intake', 'review'] as const).map(async (s) => {
      const r = await countScenario(s, Number(pairs), Number(warmup), '/tmp/cgx');
      console.error(s, 'done in', (Date.now() - t0) / 1000);
      return [s, r] as const;
    }),
  );
  writeFileSync(`/tmp/cgx/exp-${tag}.json`, JSON.stringify(Object.fromEntries(res)));
}
main();
