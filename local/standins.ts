// The local stand-ins for AWS: dynalite for DynamoDB, aws-ses-v2-local for SES and s3rver for S3. `npm start` and the
// jest global setup both start them from here, so the tests run against exactly what a local user runs.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocal from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import S3rver from 's3rver';

export interface RunningServer {
  port: number;
  close: () => Promise<void>;
}

function portInUse(port: number, what: string): Error {
  return new Error(`Port ${port} is already in use: cannot start ${what}. Stop the other process or set another port.`);
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
}

/** dynalite on 127.0.0.1; persisted under `path` (LevelDB) when given, in memory otherwise. */
export async function startDynalite(options: { port: number; path?: string }): Promise<RunningServer> {
  const server: Server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? portInUse(options.port, 'DynamoDB (dynalite)') : err),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, close: closer(server) };
}

/** aws-ses-v2-local on 127.0.0.1: captures every email; web mailbox at `/`, JSON at `/store`. */
export async function startSes(options: { port: number }): Promise<RunningServer> {
  // The package starts listening itself and offers no error hook: probe the port first so a clash is a clear message.
  await assertPortFree(options.port, 'SES (aws-ses-v2-local)');
  const start = (sesLocal as unknown as { default?: typeof sesLocal }).default ?? sesLocal;
  const server = (await start({ port: options.port, host: '127.0.0.1' })) as Server;
  return { port: (server.address() as AddressInfo).port, close: closer(server) };
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  if (port === 0) return;
  const { createServer } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? portInUse(port, what) : err),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** s3rver on 127.0.0.1, its objects as files under `directory`, with the bucket `bucket` made if missing. */
export async function startS3(options: { port: number; directory: string; bucket: string }): Promise<RunningServer> {
  // It offers no error hook for a port in use either.
  await assertPortFree(options.port, 'S3 (s3rver)');
  const s3 = new S3rver({
    port: options.port,
    address: '127.0.0.1',
    directory: options.directory,
    silent: true,
    configureBuckets: [{ name: options.bucket, configs: [] }],
  });
  const address = (await s3.run()) as AddressInfo;
  return { port: address.port, close: () => s3.close() };
}
