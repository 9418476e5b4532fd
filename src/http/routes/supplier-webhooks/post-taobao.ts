import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { publicRoute } from '../../schemas.ts';
import { signatureRejected, supplierBadRequest, supplierBody } from './openapi.ts';
import { receiveSupplierWebhook } from './receive.ts';

const route = createRoute({
  method: 'post',
  path: '/webhooks/taobao',
  operationId: 'receiveTaobaoPush',
  tags: ['Supplier callbacks'],
  summary: 'Taobao (TOP) message push',
  description:
    'Taobao pushes distribution order and item messages (shipped, closed, refund changed, stock and price changed). Signed like TOP requests (`sign` over the other fields) and refused when `pub_time` is stale; deduplicated on `msg_id`. The push is stored, acknowledged, then processed by a worker.',
  security: publicRoute,
  request: {
    body: supplierBody(
      {
        type: 'object',
        required: ['topic', 'content', 'pub_time', 'msg_id', 'sign'],
        properties: {
          topic: { type: 'string', description: 'The message topic (`fenxiao_OrderShipped`, `fenxiao_OrderClosed`, `fenxiao_RefundStatusChanged`, `item_StockChanged`, `item_PriceChanged`); others are stored and ignored' },
          content: { type: 'string', description: 'The message itself, as JSON text' },
          pub_time: { type: 'string', description: 'When TOP published it, `yyyy-MM-dd HH:mm:ss` in Beijing time' },
          user_id: { type: ['string', 'integer'], description: 'The seller account the message is for' },
          nick: { type: 'string', description: 'Its nick' },
          msg_id: { type: 'string', description: 'The message id, the same on every repeat: the hub deduplicates on it' },
          sign: { type: 'string', description: 'Upper-case hex HMAC-SHA256 of the other fields with the app secret, as TOP signs requests' },
        },
      },
      {
        topic: 'fenxiao_OrderShipped',
        content:
          '{"fenxiao_id":"3180592617","status":"WAIT_BUYER_CONFIRM_GOODS","logistics_company_name":"中通快递","logistics_company_code":"ZTO","logistics_id":"78312645590021","consign_time":"2026-12-01 09:30:00","modified":"2026-12-01 09:30:00","items":[{"item_id":"600810997602","num":1}],"trace":[]}',
        pub_time: '2026-12-01 09:30:00',
        user_id: 2201339920,
        nick: 'redemption_hub',
        msg_id: '2800129871532',
        sign: '3D92765C67533C77C8B1F336A8767912B25B3D30A99D3C66F1362079FFFF5682',
      },
    ),
  },
  responses: {
    200: {
      description: "Stored (or a repeat, ignored): TOP's own acknowledgement. Anything else and TOP pushes again.",
      content: { 'application/json': { schema: z.object({ success: z.literal(true) }), example: { success: true } } },
    },
    400: supplierBadRequest(),
    401: signatureRejected('taobao', 'stale'),
    ...errorResponses(413),
  },
});

/** POST /webhooks/taobao */
export function registerTaobaoWebhook(app: HubApp): void {
  app.openapi(route, (c) => receiveSupplierWebhook(c, 'taobao', 'taobao') as never);
}
