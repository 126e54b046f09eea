// The operators' CLI as an operator runs it (`npm run admin -- …`): a child process with the Lambda's node, and the
// test's own process environment (its county: table, signing key, the stand-ins' endpoints; add --aws to use it).
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function admin(...args: string[]): Promise<CliRun> {
  const env = { ...process.env, PATH: `${join(ROOT, 'node_modules/node/bin')}:${process.env.PATH}` };
  const tsx = join(ROOT, 'node_modules/.bin/tsx');
  return new Promise((resolve) => {
    execFile(
      tsx,
      ['--require', './local/esmOnly.cjs', 'scripts/admin.ts', ...args],
      { cwd: ROOT, env, timeout: 25_000 },
      (err, stdout, stderr) => {
        // No command may print a signed link (or anything else that works as one).
        expect(`${stdout}${stderr}`).not.toMatch(/https?:\/\/|[?&]k=/);
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
