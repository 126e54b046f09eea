// The same handlers the Lambdas run, served by the local gateway from the one route table.
import type http from 'node:http';
import { join } from 'node:path';
import { type HandlerName, handlers, routes } from '../shared/web/routes';
import { createGateway, type LambdaHttpHandler, listen } from './gateway';

const root = join(__dirname, '..');

export async function loadHandler(name: HandlerName): Promise<LambdaHttpHandler> {
  const module = (await import(join(root, handlers[name].file))) as { handler: LambdaHttpHandler };
  return module.handler;
}

export async function startGateway(
  port: number,
  log?: (line: string) => void,
): Promise<{ server: http.Server; port: number; close: () => Promise<void> }> {
  const server = createGateway({ routes, loadHandler, log });
  const bound = await listen(server, port);
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
