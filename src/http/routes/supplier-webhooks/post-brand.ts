import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { receiveSupplierWebhook } from './receive.ts';

const Params = z.object({ supplierId: z.string().min(1).max(100).openapi({ param: { name: 'supplierId', in: 'path' }, example: 'brand-acme' }) });

const route = createRoute({
  method: 'post',
  path: '/webhooks/brand/{supplierId}',
  operationId: 'receiveBrandWebhook',
  tags: ['Supplier webhooks'],
  summary: 'Brand supplier webhook',
  description: 'X-Brand-Signature `t=…,v1=…` over `t.body`, stale after 5 minutes; deduplicated on the event id.',
  request: { params: Params },
  responses: {
    200: { description: 'Stored (or a duplicate, ignored): the supplier\'s own acknowledgement (`{"received":true}`)', content: { 'application/json': { schema: z.string() } } },
    ...errorResponses(401, 404, 413),
  },
});

/** POST /webhooks/brand/{supplierId} */
export function registerBrandWebhook(app: HubApp): void {
  app.openapi(route, (c) => receiveSupplierWebhook(c, c.req.valid('param').supplierId, 'brand') as never);
}
