import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';
import { publicRoute } from '../../schemas.ts';

const EXAMPLE = `# HELP hub_http_request_duration_seconds HTTP request duration by route template and status
# TYPE hub_http_request_duration_seconds histogram
hub_http_request_duration_seconds_bucket{le="0.05",method="POST",route="/v1/orders",status="201"} 18231
hub_http_request_duration_seconds_count{method="POST",route="/v1/orders",status="201"} 18302
# HELP hub_outbox_pending_jobs Jobs committed to the outbox and not yet on their queues
# TYPE hub_outbox_pending_jobs gauge
hub_outbox_pending_jobs 0
# HELP hub_catalog_sync_running_seen_skus Listings a running catalog sync run has seen
# TYPE hub_catalog_sync_running_seen_skus gauge
hub_catalog_sync_running_seen_skus{supplier="taobao",mode="full",run="1839"} 11800
`;

const route = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'getMetrics',
  tags: ['Operations'],
  summary: 'Prometheus metrics (process, HTTP by route and status, queues, job outbox backlog, catalog sync progress)',
  description: 'The Prometheus text exposition format, for a scraper. HTTP metrics are labelled by route template, never by concrete ids.',
  security: publicRoute,
  responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string(), example: EXAMPLE } } } },
});

/** GET /metrics */
export function registerGetMetrics(app: HubApp): void {
  app.openapi(route, async (c) => {
    const { registry } = c.get('deps').metrics;
    return c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
  });
}
