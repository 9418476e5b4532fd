import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../domain/errors.ts';
import { checkReadiness } from '../../../observability/readiness.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';

const Check = z.object({ ok: z.boolean(), error: z.string().optional(), ms: z.number().int() });
const Ready = z.object({ status: z.literal('ready'), checks: z.object({ postgres: Check, redis: Check, migrations: Check }) });

const route = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getReadyz',
  tags: ['Operations'],
  summary: 'Readiness: PostgreSQL and Redis reachable, migrations applied',
  description: 'On failure answers 503 `unavailable`; `details.failed` names the failing dependencies.',
  responses: { 200: { description: 'Ready', content: { 'application/json': { schema: Ready } } }, ...errorResponses(503) },
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
