import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { publicRoute } from '../../schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealthz',
  tags: ['Operations'],
  summary: 'Liveness: the process is up',
  description: 'Answers 200 as long as the process serves HTTP; it checks nothing else (PostgreSQL and Redis are GET /readyz). For a liveness probe.',
  security: publicRoute,
  responses: { 200: jsonResponse('Up', z.object({ status: z.literal('ok') }), { status: 'ok' }) },
});

/** GET /healthz */
export function registerGetHealthz(app: HubApp): void {
  app.openapi(route, (c) => c.json({ status: 'ok' as const }, 200));
}
