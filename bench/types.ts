// What every part of `npm run bench` returns: figures with their goal, measured in one run on this machine.

export interface Figure {
  /** Which group it belongs to, e.g. 'bundle size', 'cold init', 'request overhead'. */
  group: string;
  /** What was measured, e.g. 'createSubmission minified'. */
  name: string;
  value: number;
  unit: string;
  /** The goal, as shown, e.g. '≤ 400 KB' or '≤ 1.10×'. */
  goal: string;
  /** Met or not; null when the figure has no goal (context only, e.g. requests/s). */
  pass: boolean | null;
  /** A short note: what dominates, the sample size, the baseline. */
  detail?: string;
}

export interface BenchOptions {
  /** `--quick`: the smoke run of `npm test`: every part runs with tiny samples; no goal is enforced. */
  quick: boolean;
  /** Where parts may write files (bundles, raw samples). */
  outDir: string;
  log: (line: string) => void;
}

export type BenchPart = (options: BenchOptions) => Promise<Figure[]>;

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
