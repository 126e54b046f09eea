import type { RunningServer } from '../local/standins';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __standins?: RunningServer[] }).__standins ?? [];
  await Promise.all(servers.map((s) => s.close()));
}
