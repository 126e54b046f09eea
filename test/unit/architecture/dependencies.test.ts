// The architecture rules (.dependency-cruiser.cjs) fail on what they forbid: each test cruises a small tree made on
// the spot with the repo's own configuration and dependency-cruiser's own command, as `npm run deps` does.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

type Tree = Record<string, string>;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baosong-deps-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Writes `tree` (path → source) and cruises it as `npm run deps` does; returns the exit code and each violation as
 * `rule: from → to`, read from the report (`error no-circular: a.ts → b.ts …`).
 */
function cruise(tree: Tree): Promise<{ code: number; violations: string[] }> {
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fixture', private: true }));
  for (const [path, source] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const roots = [...new Set(Object.keys(tree).map((p) => p.split('/')[0]!))];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [DEPCRUISE, '--config', CONFIG, ...roots],
      { cwd: dir, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        if (!/dependency violations|no dependency violations/.test(stdout)) return reject(new Error(stderr || stdout));
        const violations = [...stdout.matchAll(/error (\S+): (\S+) →\s*(\S+)/g)].map(
          ([, r, f, t]) => `${r}: ${f} → ${t}`,
        );
        resolve({ code: err ? Number(err.code) : 0, violations: violations.sort() });
      },
    );
  });
}

const exported = (name: string) => `export const ${name} = 1;\n`;

/** A small, rule-abiding house: a feature above the ground, a handler above shared/. */
const clean: Tree = {
  'shared/core/clock.ts': exported('clock'),
  'shared/store/db.ts': `import { clock } from '../core/clock';\nexport const db = clock;\n`,
  'shared/pieces/events.ts': `import { db } from '../store/db';\nexport const events = db;\n`,
  'shared/review/decide.ts': `import { events } from '../pieces/events';\nexport const decide = events;\n`,
  'functions/decide.ts': `import { decide } from '../shared/review/decide';\nexport const handler = decide;\n`,
};

describe('the dependency rules', () => {
  it('find nothing in a tree that keeps them, and exit 0', async () => {
    const { code, violations } = await cruise(clean);
    expect(violations).toEqual([]);
    expect(code).toBe(0);
  });

  it('fail on an import cycle, an arrow from the ground to a feature, and a loose file in shared/', async () => {
    const { code, violations } = await cruise({
      ...clean,
      // A cycle inside one feature.
      'shared/review/a.ts': `import { b } from './b';\nexport const a = b;\n`,
      'shared/review/b.ts': `import { a } from './a';\nexport const b = a;\n`,
      // The ground reaching up into a feature.
      'shared/core/log.ts': `import { decide } from '../review/decide';\nexport const log = decide;\n`,
      'shared/store/keys.ts': `import { events } from '../pieces/events';\nexport const keys = events;\n`,
      // A feature reaching up into one above it.
      'shared/pieces/timeline.ts': `import { decide } from '../review/decide';\nexport const timeline = decide;\n`,
      // A file loose at the top of shared/, and a folder with no place in the layers.
      'shared/helpers.ts': `import { clock } from './core/clock';\nexport const helpers = clock;\n`,
      'shared/misc/util.ts': `import { clock } from '../core/clock';\nexport const util = clock;\n`,
    });
    expect(code).not.toBe(0);
    expect(violations).toEqual(
      expect.arrayContaining([
        'no-circular: shared/review/a.ts → shared/review/b.ts',
        'layer-core: shared/core/log.ts → shared/review/decide.ts',
        'layer-store: shared/store/keys.ts → shared/pieces/events.ts',
        'layer-pieces: shared/pieces/timeline.ts → shared/review/decide.ts',
        'shared-in-folders: shared/helpers.ts → shared/core/clock.ts',
        'shared-folders-known: shared/misc/util.ts → shared/core/clock.ts',
      ]),
    );
  });

  it('fail when shared/ reaches outside the Lambda code, or a handler reaches past shared/', async () => {
    const { code, violations } = await cruise({
      ...clean,
      'local/gateway.ts': exported('gateway'),
      'test/support/harness.ts': exported('harness'),
      'shared/review/fixture.ts': `import { harness } from '../../test/support/harness';\nexport const fixture = harness;\n`,
      'functions/home.ts': `import { gateway } from '../local/gateway';\nimport { handler as decide } from './decide';\nexport const handler = [gateway, decide];\n`,
    });
    expect(code).not.toBe(0);
    expect(violations).toEqual(
      expect.arrayContaining([
        'shared-is-lambda-code: shared/review/fixture.ts → test/support/harness.ts',
        'functions-use-shared-only: functions/home.ts → local/gateway.ts',
        'functions-use-shared-only: functions/home.ts → functions/decide.ts',
      ]),
    );
  });
});
