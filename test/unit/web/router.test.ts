// The router every HTTP function runs: API Gateway hands it a whole path family, and it must hand each handler the
// event that the handler's own route would have made, load only the module that route needs, and answer 405 and 404
// as the per-page routes did.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { matchRoute } from '../../../shared/web/routeMatch';
import { createRouter, type ModuleLoaders, type RouteHandler, routeRequest } from '../../../shared/web/router';
import {
  allowedMethods,
  apiRoutes,
  functionOf,
  type HandlerName,
  type HttpFunctionName,
  handlers,
  handlersOf,
  httpFunctions,
  routes,
} from '../../../shared/web/routes';

const loaded: HandlerName[] = [];
const seen: { name: HandlerName; event: APIGatewayProxyEventV2 }[] = [];

/** Modules that record their loading and echo the event they were given. */
const modules = Object.fromEntries(
  (Object.keys(handlers) as HandlerName[]).map((name) => [
    name,
    async () => {
      loaded.push(name);
      const handler: RouteHandler = async (event) => {
        seen.push({ name, event });
        return { statusCode: 200, body: name };
      };
      return { handler };
    },
  ]),
) as ModuleLoaders;

/** The event API Gateway sends for `method path` to the API route that takes it. */
function apiEvent(method: string, rawPath: string): APIGatewayProxyEventV2 {
  const api = matchRoute(apiRoutes, method, rawPath)!;
  return {
    version: '2.0',
    routeKey: api.routeKey,
    rawPath,
    rawQueryString: '',
    headers: {},
    ...(api.pathParameters ? { pathParameters: api.pathParameters } : {}),
    requestContext: {
      http: { method, path: rawPath },
      routeKey: api.routeKey,
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
  };
}

const context = {} as Context;
const samplePath = (path: string) => path.replace(/\{[^}]+\}/g, 'x1');

beforeEach(() => {
  loaded.length = 0;
  seen.length = 0;
});

describe('the router of an HTTP function', () => {
  it("hands a desk page the route key and path parameters of its own route, not the API's family", async () => {
    const desk = createRouter('desk', modules);
    await desk(apiEvent('GET', '/desk/pieces/2026-0042'), context);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.name).toBe('desk');
    expect(seen[0]!.event.routeKey).toBe('GET /desk/pieces/{id}');
    expect(seen[0]!.event.requestContext.routeKey).toBe('GET /desk/pieces/{id}');
    expect(seen[0]!.event.pathParameters).toEqual({ id: '2026-0042' });
  });

  it('hands the desk itself (`/desk`, its own API route) no path parameters, and a sign-in link its token', async () => {
    const desk = createRouter('desk', modules);
    await desk(apiEvent('GET', '/desk'), context);
    await desk(apiEvent('POST', '/desk/signin/tok3n'), context);
    expect(seen.map((s) => [s.name, s.event.routeKey, s.event.pathParameters])).toEqual([
      ['desk', 'GET /desk', undefined],
      ['deskSignin', 'POST /desk/signin/{token}', { token: 'tok3n' }],
    ]);
  });

  it('sends an old permanent desk link to the sign-in pages, and never a desk page of the same shape', async () => {
    const desk = createRouter('desk', modules);
    await desk(apiEvent('GET', '/desk/tok3n'), context);
    for (const page of ['/desk/pieces', '/desk/roster', '/desk/topics', '/desk/signedout']) {
      await desk(apiEvent('GET', page), context);
    }
    await desk(apiEvent('POST', '/desk/signout'), context);
    expect(seen.map((s) => `${s.name} ${s.event.routeKey}`)).toEqual([
      'deskSignin GET /desk/{token}',
      'desk GET /desk/pieces',
      'desk GET /desk/roster',
      'deskTopics GET /desk/topics',
      'deskSignin GET /desk/signedout',
      'deskSignin POST /desk/signout',
    ]);
    expect(seen[0]!.event.pathParameters).toEqual({ token: 'tok3n' });
  });

  it('loads a module on the first request that needs it and never again', async () => {
    const desk = createRouter('desk', modules);
    await desk(apiEvent('GET', '/desk'), context);
    await desk(apiEvent('GET', '/desk/pieces'), context);
    await desk(apiEvent('GET', '/desk/topics'), context);
    expect(loaded).toEqual(['desk', 'deskTopics']);
  });

  it('answers HEAD from the GET route, as the per-page HEAD routes did', async () => {
    const review = createRouter('review', modules);
    await review(apiEvent('HEAD', '/review/tok3n'), context);
    expect(seen[0]).toMatchObject({ name: 'reviewPage', event: { routeKey: 'HEAD /review/{token}' } });
  });

  it('answers a known path asked with another method from the 405 module, with the path for its Allow header', async () => {
    const documents = createRouter('public', modules);
    await documents(apiEvent('PUT', '/submissions/2026-0001'), context);
    expect(seen[0]).toMatchObject({ name: 'methodNotAllowed', event: { routeKey: 'ANY /submissions/{id}' } });
    expect(allowedMethods('/submissions/{id}')).toEqual(['GET', 'HEAD']);
    // A path with GET in one function and POST in another still says both.
    expect(routeRequest('DELETE', '/revise/t').routeKey).toBe('ANY /revise/{token}');
    expect(allowedMethods('/revise/{token}').sort()).toEqual(['GET', 'HEAD', 'POST']);
  });

  it('answers an unknown path from the 404 module, in every function', async () => {
    for (const fn of Object.keys(httpFunctions) as HttpFunctionName[]) {
      seen.length = 0;
      await createRouter(fn, modules)(apiEvent('GET', '/desk/no/such/page'), context);
      expect({ fn, name: seen[0]!.name }).toEqual({ fn, name: 'fallback' });
    }
  });

  it('serves no route of another function, even if one were sent to it', async () => {
    await createRouter('public', modules)(apiEvent('GET', '/desk/pieces'), context);
    expect(seen[0]!.name).toBe('fallback');
    expect(loaded).not.toContain('desk');
  });

  it('refuses to start as a function the route table does not know', () => {
    expect(() => createRouter('admin' as HttpFunctionName, modules)).toThrow(/Unknown HTTP function "admin"/);
  });
});

describe('the route table', () => {
  it('sends every page to the function its API route goes to, and that function serves it', () => {
    for (const route of routes) {
      const api = matchRoute(apiRoutes, route.method, samplePath(route.path));
      expect({ route: `${route.method} ${route.path}`, fn: api?.route.fn }).toEqual({
        route: `${route.method} ${route.path}`,
        fn: functionOf(route),
      });
      expect(handlersOf(functionOf(route))).toContain(route.handler);
      // The router finds the same route again from a real path.
      const routed = routeRequest(route.method, samplePath(route.path));
      expect(routed.route).toBe(route);
    }
  });

  it('keeps the desk in one function and the document readers in the one with the memory', () => {
    const deskPages = routes.filter((r) => r.path === '/desk' || r.path.startsWith('/desk/'));
    expect(deskPages.map((r) => r.handler)).toContain('deskSignin');
    expect(new Set(deskPages.map(functionOf))).toEqual(new Set(['desk']));
    const readers = routes.filter((r) => handlers[r.handler].file.match(/createSubmission|revise\.ts/));
    expect(new Set(readers.map(functionOf))).toEqual(new Set(['documents']));
    expect(httpFunctions.documents.memory).toBe(1024);
  });

  it('has an API route per path family only, every one of them serving a page', () => {
    expect(apiRoutes.length).toBeLessThanOrEqual(8);
    for (const api of apiRoutes.filter((a) => a.path !== '$default')) {
      expect({ api: api.path, pages: routes.some((r) => matchRoute([api], r.method, samplePath(r.path))) }).toEqual({
        api: api.path,
        pages: true,
      });
    }
  });
});
