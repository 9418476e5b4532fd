import type { Hono, MiddlewareHandler } from 'hono';
import { AppError } from '../../domain/errors.ts';
import type { HubEnv } from '../context.ts';
import { errorResponse } from '../errors.ts';

/** A route's path as a pattern over request paths: `:name` is one segment, `*` anything. */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * 405 `method_not_allowed`, with `Allow`, for a request whose path a route serves with other
 * methods (`DELETE /v1/orders`): answered before authentication and body parsing, as routing is,
 * since which methods a path takes is public (the OpenAPI document lists them). A path no route
 * serves goes on to the 404. HEAD is allowed wherever GET is (Hono answers it with the GET route).
 * The routes are read from the app on the first request, once every route is registered.
 */
export function methodNotAllowed(app: Hono<HubEnv>): MiddlewareHandler<HubEnv> {
  let routes: { pattern: RegExp; method: string }[] | undefined;
  const allowed = (path: string): Set<string> => {
    routes ??= app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ pattern: patternOf(r.path), method: r.method.toUpperCase() }));
    const methods = new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return methods;
  };
  return async (c, next) => {
    const methods = allowed(c.req.path);
    if (methods.size === 0 || methods.has(c.req.method.toUpperCase())) return next();
    const allow = [...methods].sort().join(', ');
    c.header('Allow', allow);
    return errorResponse(c, new AppError('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow}`));
  };
}
