import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { HubDeps, HubEnv } from '../context.ts';
import { setResponseHeader } from '../response-header.ts';

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * First middleware of every request: echoes a well-formed `X-Request-Id` (or makes one), gives the
 * request its own EntityManager and a child logger, and records the access log line and metrics.
 */
export function requestContext(deps: HubDeps): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const requestId = given && VALID_ID.test(given) ? given : randomUUID();
    const logger = deps.logger.child({ requestId });
    c.set('deps', deps);
    c.set('requestId', requestId);
    c.set('logger', logger);
    c.set('em', deps.orm.em.fork());
    setResponseHeader(c, 'X-Request-Id', requestId);
    try {
      await next();
    } finally {
      // Again for answers built as a Response of their own (docs, metrics): without a ServerResponse only c.res carries it.
      setResponseHeader(c, 'X-Request-Id', requestId);
      const status = c.res.status;
      const route = c.req.routePath && c.req.routePath !== '/*' ? c.req.routePath : 'unmatched';
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.httpDuration.observe({ method: c.req.method, route, status: String(status) }, seconds);
      // Path only: a query string may carry personal data. Bodies and headers are never logged.
      const principal = c.get('principal');
      logger.info(
        { method: c.req.method, route, path: c.req.path, status, ms: Math.round(seconds * 1000), mallId: principal?.kind === 'mall' ? principal.mallId : undefined },
        'request',
      );
    }
  };
}
