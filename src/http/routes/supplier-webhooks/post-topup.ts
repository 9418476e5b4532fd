import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { receiveSupplierWebhook } from './receive.ts';

const Params = z.object({ provider: z.string().min(1).max(100).openapi({ param: { name: 'provider', in: 'path' }, example: 'topup-fulu' }) });

const route = createRoute({
  method: 'post',
  path: '/webhooks/topup/{provider}',
  operationId: 'receiveTopupCallback',
  tags: ['Supplier webhooks'],
  summary: 'Top-up provider result callback',
  description: 'Signed like provider requests, stale after 10 minutes; deduplicated on order id and final state.',
  request: { params: Params },
  responses: {
    200: { description: 'Stored (or a duplicate, ignored): the supplier\'s own acknowledgement (plain text `success`)', content: { 'text/plain': { schema: z.string() } } },
    ...errorResponses(401, 404, 413),
  },
});

/** POST /webhooks/topup/{provider} */
export function registerTopupWebhook(app: HubApp): void {
  app.openapi(route, (c) => receiveSupplierWebhook(c, c.req.valid('param').provider, 'topup') as never);
}
