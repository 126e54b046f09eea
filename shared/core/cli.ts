// The operators' CLI (`npm run admin -- …`, scripts/admin.ts) as every feature's commands see it: the shape of a
// command, which the one parser, the help and the run take, and what a command is given; and the few helpers many
// commands print or write with. Each feature's commands sit beside the feature (`shared/roster/rosterCli.ts`…); only
// the CLI loads them, so no function's bundle holds them.
import { writeFileSync } from 'node:fs';

/** The options as node:util parseArgs read them. */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a sweep of the outbox reports, as far as a command prints it. */
export interface Swept {
  sent: number;
  failed: number;
  pending: number;
}

export interface Input {
  args: string[];
  values: Values;
  county: string;
  /**
   * Sends now what the command has just queued (the sweeper's pass). Given by scripts/admin.ts: the pass knows every
   * feature's templates (shared/app), which no feature may import.
   */
  sweep: () => Promise<Swept>;
}

/** A command as scripts/admin.ts registers it; one that needs less of the input names it, so a test can give only that. */
export interface Command<I = Input> {
  summary: string;
  /** Required positional arguments, by the name the usage shows. */
  args?: string[];
  options?: Record<string, { type: 'string' | 'boolean'; value?: string; help: string }>;
  details?: string[];
  run: (input: I) => Promise<number>;
}

export const str = (value: Values[string]) => (typeof value === 'string' ? value : undefined);

/** Units named by id or by name (`,`/`，`/`、` between them), or `all`. */
export function unitIdsOf(roster: { units: { unitId: string; name: string }[] }, raw: string | undefined): string[] {
  const byName = new Map(roster.units.map((u) => [u.name, u.unitId]));
  return (raw ?? 'all')
    .split(/[,，、]/)
    .map((u) => u.trim())
    .filter((u) => u !== '')
    .map((u) => byName.get(u) ?? u);
}

/** The files `--xlsx FILE` and `--csv FILE` ask for, written from the same table. */
export async function writeFiles(
  values: Values,
  file: (format: 'xlsx' | 'csv') => Promise<{ body: Buffer }>,
): Promise<void> {
  for (const format of ['xlsx', 'csv'] as const) {
    const path = str(values[format]);
    if (!path) continue;
    writeFileSync(path, (await file(format)).body);
    console.log(`已写入 ${path}`);
  }
}

/** Text columns lined up in a terminal, a Chinese character two columns wide; the numbers right-aligned. */
export function table(rows: string[][]): string[] {
  const width = (s: string) => [...s].reduce((w, c) => w + ((c.codePointAt(0) ?? 0) > 0x2e7f ? 2 : 1), 0);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? ''))));
  return rows.map((r) =>
    r
      .map((cell, i) =>
        i === 0 ? cell + ' '.repeat(widths[0]! - width(cell)) : ' '.repeat(widths[i]! - width(cell)) + cell,
      )
      .join('  '),
  );
}
