// Run by bench/overhead.ts in a child process under callgrind, started with instrumentation off (several times faster
// than callgrind's ~50× slowdown): one scenario's warm-up pairs, then `warm` on stdout; the parent switches
// instrumentation on (vgdb) and answers `go` on stdin. Then the measured pairs, each span (the handler's, then the raw
// replay's) marked by os.getPriority() before it and os.setPriority() after it, where callgrind zeroes and writes out
// its counters (MARKER_FUNCTIONS). Prints how many spans it marked, as JSON on its last line.
import { getPriority, setPriority } from 'node:os';
import { measureOverhead, SCENARIOS, type ScenarioName } from './overhead';

/** Waits for `go` on stdin; a timer keeps the process running meanwhile, so Valgrind's gdbserver sees vgdb's command. */
function go(): Promise<void> {
  return new Promise((resolve, reject) => {
    const awake = setInterval(() => {}, 5);
    let text = '';
    const done = (err?: Error) => {
      clearInterval(awake);
      process.stdin.off('data', onData).off('end', onEnd).destroy();
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      text += String(chunk);
      if (text.includes('go\n')) done();
    };
    const onEnd = () => done(new Error('stdin closed before go'));
    process.stdin.on('data', onData).on('end', onEnd);
  });
}

async function main(): Promise<void> {
  const [scenario, pairs, warmup] = process.argv.slice(2);
  if (!scenario || !(scenario in SCENARIOS) || !Number(pairs) || Number.isNaN(Number(warmup))) {
    throw new Error('usage: overheadCount.ts <intake|review> <pairs> <warm-up pairs>');
  }
  const priority = getPriority();
  const marked = { starts: 0, ends: 0 };
  await measureOverhead({
    scenarios: [scenario as ScenarioName],
    pairs: Number(pairs),
    warmup: Number(warmup),
    marks: {
      ready: async () => {
        process.stdout.write('warm\n');
        await go();
      },
      start: () => {
        marked.starts += 1;
        getPriority();
      },
      end: () => {
        marked.ends += 1;
        setPriority(priority);
      },
    },
    log: (line) => console.error(line),
  });
  process.stdout.write(`${JSON.stringify(marked)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
