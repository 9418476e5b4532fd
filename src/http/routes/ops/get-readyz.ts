import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../domain/errors.ts';
import { checkReadiness } from '../../../observability/readiness.ts';
import type { HubApp } from '../../app-type.ts';
import { documentedError } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { publicRoute, ReadinessChecks } from '../../schemas.ts';

const Ready = z.object({ status: z.literal('ready'), checks: ReadinessChecks });

const route = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getReadyz',
  tags: ['Operations'],
  summary: 'Readiness: PostgreSQL and Redis reachable, migrations applied',
  description: 'Each check is bounded by `HUB_READY_TIMEOUT_MS`. On failure answers 503 `unavailable`; `details.failed` names the failing checks and `details.checks` has all of them. For a readiness probe.',
  security: publicRoute,
  responses: {
    200: jsonResponse('Ready', Ready, { status: 'ready', checks: { postgres: { ok: true, ms: 2 }, redis: { ok: true, ms: 1 }, migrations: { ok: true, ms: 4 } } }),
    503: documentedError(503, {
      description: 'Not ready (`unavailable`): `details.failed` names the failing checks; retry after `Retry-After` seconds',
      examples: {
        redisDown: {
          summary: 'Redis does not answer',
          value: {
            error: {
              code: 'unavailable',
              message: 'not ready: redis failed',
              details: { failed: ['redis'], checks: { postgres: { ok: true, ms: 2 }, redis: { ok: false, error: 'no answer within 1000 ms', ms: 1001 }, migrations: { ok: true, ms: 5 } } },
            },
          },
        },
      },
    }),
  },
});

/** GET /readyz */
export function registerGetReadyz(app: HubApp): void {
  app.openapi(route, async (c) => {
    const deps = c.get('deps');
    const checks = await checkReadiness(deps, deps.config.readyTimeoutMs);
    const failed = Object.entries(checks).filter(([, r]) => !r.ok).map(([name]) => name);
    if (failed.length) {
      throw new AppError('unavailable', `not ready: ${failed.join(', ')} failed`, { details: { failed, checks }, retryAfterMs: 5_000 });
    }
    return c.json({ status: 'ready' as const, checks }, 200);
  });
}
