import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';

const route = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealthz',
  tags: ['Operations'],
  summary: 'Liveness: the process is up',
  responses: { 200: { description: 'Up', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

/** GET /healthz */
export function registerGetHealthz(app: HubApp): void {
  app.openapi(route, (c) => c.json({ status: 'ok' as const }, 200));
}
