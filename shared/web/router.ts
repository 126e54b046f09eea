// The one Lambda handler of an HTTP function. API Gateway sends it a whole path family (`ANY /desk/{proxy+}`); the
// router matches the request against the detailed route table as API Gateway would (the most specific path, then the
// method; a GET route answers HEAD), hands the handler the event that route would have made (its route key and path
// parameters), and loads the handler's module on first use, so a cold start parses only the router and the first
// route's module. A known path asked with another method gets 405, an unknown path 404, both from handler modules too.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { log } from '../core/log';
import { matchRoute } from './routeMatch';
import { functionOf, type HandlerName, type HttpFunctionName, httpFunctions, type Route, routes } from './routes';

export type RouteHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** How a function loads each handler module: `() => import('./desk.js')`, a file of its own in the asset. */
export type ModuleLoaders = Record<HandlerName, () => Promise<{ handler: RouteHandler }>>;

/** Each path once, answering any method: the first match finds the path, as API Gateway's does. */
const paths: Route[] = [...new Map(routes.map((route) => [route.path, { ...route, method: 'ANY' as const }])).values()];
/** The routes of each path, by method: the second match picks among them. */
const routesOfPath = Map.groupBy(routes, (route) => route.path);

interface Routed {
  handler: HandlerName;
  /** The detailed route matched, method and path (none for the 405 and the 404). */
  route?: Route;
  routeKey: string;
  pathParameters?: Record<string, string>;
}

/** The route API Gateway would have picked for this request had every page its own route. */
export function routeRequest(method: string, rawPath: string): Routed {
  const path = matchRoute(paths, method, rawPath);
  if (!path) return { handler: 'fallback', routeKey: '$default' };
  const exact = matchRoute(routesOfPath.get(path.route.path) ?? [], method, rawPath);
  if (!exact) {
    return { handler: 'methodNotAllowed', routeKey: `ANY ${path.route.path}`, pathParameters: path.pathParameters };
  }
  return {
    handler: exact.route.handler,
    route: exact.route,
    routeKey: exact.routeKey,
    pathParameters: exact.pathParameters,
  };
}

/**
 * The handler of function `fn` (every route when undefined: a test's or a script's single router). A request for a
 * route of another function cannot come through the API, whose routes are derived from the same table; if one does,
 * it gets the 404.
 */
export function createRouter(fn: HttpFunctionName | undefined, modules: ModuleLoaders): RouteHandler {
  if (fn !== undefined && !(fn in httpFunctions)) throw new Error(`Unknown HTTP function "${fn}" (BAOSONG_FUNCTION)`);
  const own = new Set(routes.filter((route) => fn === undefined || functionOf(route) === fn));
  const loaded = new Map<HandlerName, Promise<RouteHandler>>();
  const load = (name: HandlerName): Promise<RouteHandler> => {
    let pending = loaded.get(name);
    if (!pending) {
      pending = modules[name]().then((module) => module.handler);
      loaded.set(name, pending);
      // A failed load is retried by the next request rather than remembered.
      pending.catch(() => loaded.delete(name));
    }
    return pending;
  };
  return async (event, context) => {
    let routed = routeRequest(event.requestContext.http.method.toUpperCase(), event.rawPath);
    if (routed.route && !own.has(routed.route)) {
      log.warn('route of another function', { fn, routeKey: routed.routeKey });
      routed = { handler: 'fallback', routeKey: '$default' };
    }
    const { pathParameters: _family, ...rest } = event;
    const routedEvent: APIGatewayProxyEventV2 = {
      ...rest,
      routeKey: routed.routeKey,
      requestContext: { ...event.requestContext, routeKey: routed.routeKey },
      ...(routed.pathParameters && Object.keys(routed.pathParameters).length > 0
        ? { pathParameters: routed.pathParameters }
        : {}),
    };
    return (await load(routed.handler))(routedEvent, context);
  };
}
