// How long a piece of work takes and how much memory it adds at its peak, for the checks that a hostile upload is
// refused cheaply. The peak is sampled from a worker thread, which goes on sampling while the work blocks the main
// thread (mammoth parses a part in one synchronous call); it is the whole process's resident memory, above where it
// stood when the work began.
import { Worker } from 'node:worker_threads';

export interface Measured<T> {
  value: T;
  ms: number;
  /** Peak resident memory of the process during the work, above where it stood before, in MB. */
  peakMb: number;
  /** The JavaScript heap in use after the work, above where it stood before, in MB. */
  heapMb: number;
}

const MB = 1024 * 1024;

/** Samples the process's resident memory every millisecond into shared[0] (MB) until shared[1] is set. */
const SAMPLER = `
const { workerData } = require('node:worker_threads');
const shared = new Int32Array(workerData);
while (Atomics.load(shared, 1) === 0) {
  const mb = Math.ceil(process.memoryUsage.rss() / ${MB});
  if (mb > Atomics.load(shared, 0)) Atomics.store(shared, 0, mb);
  Atomics.wait(shared, 1, 0, 1);
}`;

export async function measured<T>(work: () => Promise<T>): Promise<Measured<T>> {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const sampler = new Worker(SAMPLER, { eval: true, workerData: shared.buffer });
  await new Promise((resolve) => sampler.once('online', resolve));
  // The sampler's own start-up is not the work's.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const rssBefore = process.memoryUsage.rss() / MB;
  const heapBefore = process.memoryUsage().heapUsed / MB;
  Atomics.store(shared, 0, 0);
  const started = performance.now();
  let value: T;
  try {
    value = await work();
  } finally {
    Atomics.store(shared, 1, 1);
    Atomics.notify(shared, 1);
  }
  const ms = Math.round(performance.now() - started);
  const rssAfter = process.memoryUsage.rss() / MB;
  const heapAfter = process.memoryUsage().heapUsed / MB;
  await new Promise((resolve) => sampler.once('exit', resolve));
  return {
    value,
    ms,
    peakMb: Math.round(Math.max(Atomics.load(shared, 0), rssAfter) - rssBefore),
    heapMb: Math.round(heapAfter - heapBefore),
  };
}
