// The fault-injection suite's frame: for one request (route or job), run it once to count its calls, then again for
// every call position × every fault, each time on fresh state, and check the invariants after recovery. Each file
// reports how many cases it ran and which broke an invariant; the global teardown prints the total.
import { appendFileSync } from 'node:fs';
import { FAULTS, type Fault, faults, type Service } from './faults';

export interface FaultCase {
  service: Service;
  /** 1-based position of the faulted call among the request's calls of that service. */
  at: number;
  fault: Fault;
  /** Whether the injected fault actually fired (the request made that many calls this time). */
  fired: boolean;
}

export interface FaultMatrix<S, R> {
  /** A name for the report, e.g. `POST /submissions`. */
  route: string;
  /** Fresh state for one case (a new piece to decide, a new title to submit…), made without faults. */
  prepare: (label: string) => Promise<S>;
  /** The request itself, as a user or a job makes it. */
  act: (state: S) => Promise<R>;
  /** Recovery and the invariants, without faults: violations as sentences (empty when all hold). */
  verify: (state: S, result: R, faultCase: FaultCase | undefined) => Promise<string[]>;
  /** The services whose calls are faulted (default: DynamoDB and SES; `smtp` needs `faults().watchSmtp`). */
  services?: Service[];
  /** Fault kinds to try at SES calls (default: all). */
  sesFaults?: readonly Fault[];
}

export interface MatrixResult {
  cases: number;
  violations: string[];
  calls: Record<Service, number>;
}

/** Runs the clean case, then every (call × fault) case; returns the count and every violation found. */
export async function runFaultMatrix<S, R>(matrix: FaultMatrix<S, R>): Promise<MatrixResult> {
  const injector = faults();
  // The code under test logs every fault it meets, as it should; here that is thousands of expected lines.
  const quiet = [jest.spyOn(console, 'log'), jest.spyOn(console, 'error')].map((s) => s.mockImplementation(() => {}));
  const services = matrix.services ?? ['dynamodb', 'ses'];
  const violations: string[] = [];

  const clean = await matrix.prepare('clean');
  injector.count();
  const cleanResult = await matrix.act(clean);
  const calls = {
    dynamodb: injector.callsOf('dynamodb').length,
    ses: injector.callsOf('ses').length,
    s3: injector.callsOf('s3').length,
    smtp: injector.callsOf('smtp').length,
  };
  injector.disarm();
  violations.push(...(await matrix.verify(clean, cleanResult, undefined)).map((v) => `clean run: ${v}`));

  let cases = 0;
  for (const service of services) {
    const kinds = service === 'ses' ? (matrix.sesFaults ?? FAULTS) : FAULTS;
    for (let at = 1; at <= calls[service]; at++) {
      for (const fault of kinds) {
        const label = `${service}-${at}-${fault}`;
        const state = await matrix.prepare(label);
        injector.arm(service, at, fault);
        let result: R;
        try {
          result = await matrix.act(state);
        } finally {
          injector.disarm();
        }
        const faultCase: FaultCase = { service, at, fault, fired: injector.fired };
        if (process.env.FAULT_DEBUG === label) {
          const calls = injector.calls.map((c, i) => `${i + 1} ${c.service} ${c.command}`).join('\n');
          process.stderr.write(`${label}\n${calls}\n${JSON.stringify(result).slice(0, 3000)}\n`);
        }
        cases += 1;
        violations.push(...(await matrix.verify(state, result, faultCase)).map((v) => `${label}: ${v}`));
      }
    }
  }
  for (const spy of quiet) spy.mockRestore();
  report(matrix.route, cases, calls, violations);
  return { cases, violations, calls };
}

function report(route: string, cases: number, calls: Record<Service, number>, violations: string[]): void {
  const line = JSON.stringify({ route, cases, calls, violations: violations.length });
  const file = process.env.BAOSONG_FAULT_REPORT;
  if (file) appendFileSync(file, `${line}\n`);
}
