import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { pathParam, publicRoute } from '../../schemas.ts';
import { signatureRejected, supplierBadRequest, supplierBody, unknownSupplier } from './openapi.ts';
import { receiveSupplierWebhook } from './receive.ts';

const Params = z.object({ supplierId: pathParam('supplierId', z.string().min(1).max(100), 'The brand supplier account (as configured in HUB_BRAND_SUPPLIERS)', 'brand-acme') });

const BODY =
  '{"id":"whe_20261201093000_5f2c","type":"order.shipped","created":"2026-12-01T01:30:00.000Z","data":{"orderId":"BO-20261201-00042","clientReference":"0196f0c1a2b37d4e8f9a0b1c2d3e4f60a1","status":"shipped","shipment":{"carrier":"顺丰速运","trackingNumber":"SF1428390012345","items":[{"productId":"ACME-000174","quantity":1}],"shippedAt":"2026-12-01T01:30:00.000Z","events":[{"status":"picked_up","at":"2026-12-01T01:30:00.000Z","location":"广州市白云区","description":"顺丰速运 已收取快件"}]}}}';

const route = createRoute({
  method: 'post',
  path: '/webhooks/brand/{supplierId}',
  operationId: 'receiveBrandWebhook',
  tags: ['Supplier callbacks'],
  summary: 'Brand supplier webhook',
  description:
    'A brand supplier reports its orders (accepted, backordered, shipped, delivered, cancelled, issued) and returns. `X-Brand-Signature: t=…,v1=…` is an HMAC-SHA256 over `t.body`, refused after 5 minutes; deduplicated on the event `id`. The event is stored, acknowledged, then processed by a worker.',
  security: publicRoute,
  parameters: [
    {
      name: 'X-Brand-Signature',
      in: 'header',
      required: true,
      description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with the webhook secret>`',
      schema: { type: 'string' },
      example: 't=1796088600,v1=787269beea705cbc86e696c63ce89c5a78438385d373d16ca25e51d8d4467b27',
    },
  ],
  request: {
    params: Params,
    body: supplierBody(
      {
        type: 'object',
        required: ['id', 'type', 'created', 'data'],
        properties: {
          id: { type: 'string', description: 'The event id, the same on every retry: the hub deduplicates on it' },
          type: { type: 'string', description: '`order.*` or `return.*`; other types are stored and ignored' },
          created: { type: 'string', format: 'date-time', description: 'When the brand wrote the event' },
          data: { type: 'object', description: 'The order (`orderId`, `clientReference`: the hub’s reference, `status`, `shipment`) or return the event is about' },
        },
      },
      JSON.parse(BODY),
    ),
  },
  responses: {
    200: {
      description: "Stored (or a repeat, ignored): the brand's expected acknowledgement. Anything else and the brand sends it again.",
      content: { 'application/json': { schema: z.object({ received: z.literal(true) }), example: { received: true } } },
    },
    400: supplierBadRequest(),
    401: signatureRejected('brand', 'bad_signature'),
    404: unknownSupplier('brand', 'brand-unknown'),
    ...errorResponses(413),
  },
});

/** POST /webhooks/brand/{supplierId} */
export function registerBrandWebhook(app: HubApp): void {
  app.openapi(route, (c) => receiveSupplierWebhook(c, c.req.valid('param').supplierId, 'brand') as never);
}
