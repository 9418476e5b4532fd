import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { receiveSupplierWebhook } from './receive.ts';

const route = createRoute({
  method: 'post',
  path: '/webhooks/taobao',
  operationId: 'receiveTaobaoPush',
  tags: ['Supplier webhooks'],
  summary: 'Taobao (TOP) message push',
  description: 'Signed like TOP requests; deduplicated on msg_id.',
  responses: {
    200: { description: 'Stored (or a duplicate, ignored): the supplier\'s own acknowledgement (`{"success":true}`)', content: { 'application/json': { schema: z.string() } } },
    ...errorResponses(401, 413),
  },
});

/** POST /webhooks/taobao */
export function registerTaobaoWebhook(app: HubApp): void {
  app.openapi(route, (c) => receiveSupplierWebhook(c, 'taobao', 'taobao') as never);
}
