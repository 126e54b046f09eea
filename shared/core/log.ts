// Structured logs, one JSON line each. Callers pass ids and hashes, never a token, a link or a body.

type Fields = Record<string, unknown>;

function write(level: 'info' | 'warn' | 'error', message: string, fields: Fields = {}): void {
  if (process.env.BAOSONG_QUIET === '1' && level === 'info') return;
  const line = JSON.stringify({ level, message, ...fields, time: new Date().toISOString() });
  if (level === 'error') console.error(line);
  else console.log(line);
}

export const log = {
  info: (message: string, fields?: Fields) => write('info', message, fields),
  warn: (message: string, fields?: Fields) => write('warn', message, fields),
  error: (message: string, fields?: Fields) => write('error', message, fields),
};

export function errorFields(err: unknown): Fields {
  return err instanceof Error ? { error: err.name, detail: err.message.slice(0, 300) } : { error: String(err) };
}
