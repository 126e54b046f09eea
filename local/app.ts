// The same functions the Lambdas run, served by the local gateway from the one route table: the HTTP API's routes
// pick the function, and the function's router (functions/router.ts) picks the handler module, as on AWS.
import type http from 'node:http';
import { join } from 'node:path';
import { modules } from '../functions/router';
import { createRouter, routeRequest } from '../shared/web/router';
import { apiRoutes, type HandlerName, type HttpFunctionName, handlers } from '../shared/web/routes';
import { createGateway, type LambdaHttpHandler, listen } from './gateway';

const root = join(__dirname, '..');

/** One handler module, called directly (the bench's in-process requests, which come with their route's event). */
export async function loadHandler(name: HandlerName): Promise<LambdaHttpHandler> {
  const module = (await import(join(root, handlers[name].file))) as { handler: LambdaHttpHandler };
  return module.handler;
}

/** An HTTP function as deployed: its router, serving its own routes only. */
export async function loadFunction(fn: string): Promise<LambdaHttpHandler> {
  return createRouter(fn as HttpFunctionName, modules);
}

export async function startGateway(
  port: number,
  log?: (line: string) => void,
): Promise<{ server: http.Server; port: number; close: () => Promise<void> }> {
  const server = createGateway({
    routes: apiRoutes,
    loadHandler: loadFunction,
    log,
    // The page's own route (`/review/{token}/next`, never the token itself), as the function's router will find it.
    describe: (method, rawPath) => routeRequest(method, rawPath).routeKey.replace(/^\S+ /, ''),
  });
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
