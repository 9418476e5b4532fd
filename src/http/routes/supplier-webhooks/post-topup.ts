import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { pathParam, publicRoute } from '../../schemas.ts';
import { signatureRejected, supplierBadRequest, supplierBody, unknownSupplier } from './openapi.ts';
import { receiveSupplierWebhook } from './receive.ts';

const Params = z.object({ provider: pathParam('provider', z.string().min(1).max(100), 'The top-up provider account (as configured in HUB_TOPUP_PROVIDERS)', 'topup-fulu') });

const route = createRoute({
  method: 'post',
  path: '/webhooks/topup/{provider}',
  operationId: 'receiveTopupCallback',
  tags: ['Supplier callbacks'],
  summary: 'Top-up provider result callback',
  description:
    'A top-up provider reports the final state of a recharge (`success` or `failed`). Signed like provider requests (`sign` over the other fields) and refused when `timestamp` is more than 10 minutes off; deduplicated on `order_id` and `order_status`. Stored, acknowledged with the plain text `success`, then processed by a worker.',
  security: publicRoute,
  request: {
    params: Params,
    body: supplierBody(
      {
        type: 'object',
        required: ['order_id', 'customer_order_no', 'order_status', 'timestamp', 'sign'],
        properties: {
          order_id: { type: 'string', description: "The provider's order id" },
          customer_order_no: { type: 'string', description: 'The hub’s reference for the recharge' },
          order_status: { type: 'string', description: '`success` or `failed` (another value is stored and ignored)' },
          recharge_description: { type: 'string', description: 'The provider’s words on the result' },
          charge_finish_time: { type: 'string', description: 'When it finished, `yyyy-MM-dd HH:mm:ss` in Beijing time (empty if not)' },
          timestamp: { type: 'string', description: 'When this callback was signed, `yyyy-MM-dd HH:mm:ss` in Beijing time' },
          sign: { type: 'string', description: 'Lower-case hex MD5 signature of the other fields with the app secret' },
        },
      },
      {
        order_id: 'FL202612010930000042',
        customer_order_no: '0196f0c1a2b37d4e8f9a0b1c2d3e4f61a1',
        order_status: 'success',
        recharge_description: '充值成功',
        charge_finish_time: '2026-12-01 09:30:00',
        timestamp: '2026-12-01 09:30:00',
        sign: '5e16cb918635d39e5128d95acb4396ab',
      },
    ),
  },
  responses: {
    200: { description: "Stored (or a repeat, ignored): the provider's expected acknowledgement, the plain text `success`. Anything else and it calls again.", content: { 'text/plain': { schema: z.literal('success'), example: 'success' } } },
    400: supplierBadRequest(),
    401: signatureRejected('topup', 'stale'),
    404: unknownSupplier('topup', 'topup-unknown'),
    ...errorResponses(413),
  },
});

/** POST /webhooks/topup/{provider} */
export function registerTopupWebhook(app: HubApp): void {
  app.openapi(route, (c) => receiveSupplierWebhook(c, c.req.valid('param').provider, 'topup') as never);
}
