import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';

const route = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'getMetrics',
  tags: ['Operations'],
  summary: 'Prometheus metrics (process, HTTP by route and status, queues, job outbox backlog)',
  responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
});

/** GET /metrics */
export function registerGetMetrics(app: HubApp): void {
  app.openapi(route, async (c) => {
    const { registry } = c.get('deps').metrics;
    return c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
  });
}
