import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunningServer } from '../local/standins';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __standins?: RunningServer[] }).__standins ?? [];
  await Promise.all(servers.map((s) => s.close()));
  printFaultCases();
}

/** The fault-injection suite's total: (route × call × fault) cases run, and how many broke an invariant. */
function printFaultCases(): void {
  const file = process.env.BAOSONG_FAULT_REPORT;
  if (!file || !existsSync(file)) return;
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { route: string; cases: number; violations: number });
  rmSync(dirname(file), { recursive: true, force: true });
  const cases = rows.reduce((sum, r) => sum + r.cases, 0);
  const violations = rows.reduce((sum, r) => sum + r.violations, 0);
  const detail = rows.map((r) => `${r.route} ${r.cases}`).join(', ');
  console.log(`\nfault injection: ${cases} (route × call × fault) cases, ${violations} violations (${detail})`);
}
