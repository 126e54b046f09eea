// Matching a request to a route as API Gateway HTTP API does: the most specific path first (segment by segment,
// static before `{param}` before `{proxy+}`), then a route for the method (a GET route also for HEAD) over ANY, and
// `$default` for whatever else. The local gateway matches the API's routes with it; each function's router matches
// the detailed routes with it.

/** What API Gateway calls `$default`: the route for whatever no other route matches. */
export const DEFAULT_PATH = '$default';

/** A route as far as matching goes. */
export interface RoutePattern {
  method: string;
  path: string;
}

export interface RouteMatch<R extends RoutePattern = RoutePattern> {
  route: R;
  /** As AWS names it: 'GET /submissions/{id}', 'ANY /submit', 'HEAD /' (a GET route answers HEAD). */
  routeKey: string;
  /** URL-decoded; absent when the route has no parameters. */
  pathParameters?: Record<string, string>;
}

type Segment = { kind: 'static'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

function parseRoutePath(path: string): Segment[] {
  return path
    .split('/')
    .slice(1)
    .map((part): Segment => {
      const param = /^\{([^{}+]+)(\+?)\}$/.exec(part);
      if (!param) return { kind: 'static', value: part };
      return param[2] ? { kind: 'greedy', name: param[1]! } : { kind: 'param', name: param[1]! };
    });
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Path parameters when `rawPath` fits the route's path, undefined otherwise. */
function matchPath(segments: Segment[], rawPath: string): Record<string, string> | undefined {
  const parts = rawPath.split('/').slice(1);
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === 'static') {
      if (part !== segment.value) return undefined;
    } else if (segment.kind === 'param') {
      if (part === '') return undefined;
      params[segment.name] = decodeSegment(part);
    } else {
      const rest = parts.slice(i).join('/');
      if (rest === '') return undefined;
      params[segment.name] = decodeSegment(rest);
      return params;
    }
  }
  return parts.length === segments.length ? params : undefined;
}

const SEGMENT_RANK = { static: 0, param: 1, greedy: 2 } as const;

/** Negative when `a` is the more specific path: segment by segment, static beats `{param}` beats `{proxy+}`. */
function comparePathSpecificity(a: Segment[], b: Segment[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = SEGMENT_RANK[a[i]!.kind] - SEGMENT_RANK[b[i]!.kind];
    if (diff !== 0) return diff;
  }
  return b.length - a.length;
}

/**
 * The route API Gateway would pick: the most specific path first, then a route for the method (a GET route for HEAD)
 * over ANY. Undefined when nothing matches (AWS answers 404).
 */
export function matchRoute<R extends RoutePattern>(
  routes: readonly R[],
  method: string,
  rawPath: string,
): RouteMatch<R> | undefined {
  let best: { route: R; segments: Segment[]; params: Record<string, string>; exact: boolean } | undefined;
  for (const route of routes) {
    if (route.path === DEFAULT_PATH) continue;
    const exact = route.method === method || (method === 'HEAD' && route.method === 'GET');
    if (!exact && route.method !== 'ANY') continue;
    const segments = parseRoutePath(route.path);
    const params = matchPath(segments, rawPath);
    if (!params) continue;
    const better =
      !best ||
      comparePathSpecificity(segments, best.segments) < 0 ||
      (comparePathSpecificity(segments, best.segments) === 0 && exact && !best.exact);
    if (better) best = { route, segments, params, exact };
  }
  if (!best) {
    const fallback = routes.find((r) => r.path === DEFAULT_PATH);
    return fallback ? { route: fallback, routeKey: DEFAULT_PATH } : undefined;
  }
  const routeMethod = best.route.method === 'GET' && method === 'HEAD' ? 'HEAD' : best.route.method;
  return {
    route: best.route,
    routeKey: `${routeMethod} ${best.route.path}`,
    ...(Object.keys(best.params).length > 0 ? { pathParameters: best.params } : {}),
  };
}
