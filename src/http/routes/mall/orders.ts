import { createRoute, z } from '@hono/zod-openapi';
import { AppError, notFound } from '../../../domain/errors.ts';
import { LINE_STATUSES } from '../../../domain/order-status.ts';
import { cancelLines } from '../../../orders/cancel.ts';
import { acceptOrder } from '../../../orders/intake.ts';
import { runnerDeps } from '../../../workflow-runner.ts';
import { findOrder, orderView } from '../../../orders/order-store.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { mallSecurity } from '../../schemas.ts';

const id = (max: number, example: string) => z.string().trim().min(1).max(max).regex(/^[\w.:-]+$/, 'letters, digits and . _ : - only').openapi({ example });

const CreateOrder = z
  .object({
    mallOrderId: id(64, 'M-20261123-0001'),
    member: z.object({ id: id(64, 'member-8812'), tier: z.string().trim().min(1).max(32).optional() }).strict(),
    recipient: z
      .object({
        name: z.string().trim().min(1).max(50),
        phone: z.string().trim().min(5).max(20).openapi({ example: '13800138000' }),
        province: z.string().trim().min(1).max(20).openapi({ example: '北京' }),
        city: z.string().trim().min(1).max(30).openapi({ example: '北京市' }),
        district: z.string().trim().min(1).max(30).openapi({ example: '朝阳区' }),
        address: z.string().trim().min(1).max(200),
      })
      .strict()
      .optional()
      .openapi({ description: 'Required when any line is a physical item; encrypted at rest, never returned' }),
    lines: z
      .array(
        z
          .object({
            lineId: id(64, '1'),
            skuId: z.string().min(1).max(64),
            quantity: z.number().int().min(1).max(999),
            pointsPaid: z.number().int().min(0).max(2_000_000_000).openapi({ description: 'Line total' }),
            cashPaidFen: z.number().int().min(0).max(2_000_000_000).openapi({ description: 'Line total' }),
            rechargeAccount: z.string().trim().min(3).max(64).optional().openapi({ description: 'Phone number or platform account; required for virtual items' }),
          })
          .strict(),
      )
      .min(1)
      .max(50)
      .refine((ls) => new Set(ls.map((l) => l.lineId)).size === ls.length, 'lineId must be unique within the order'),
  })
  .strict()
  .openapi('CreateOrderRequest');

const Line = z.object({
  lineId: z.string(),
  skuId: z.string(),
  kind: z.string(),
  quantity: z.number().int(),
  status: z.enum(LINE_STATUSES),
  quantityFulfilled: z.number().int(),
  quantityFailed: z.number().int(),
  quantityCancelled: z.number().int(),
  pointsPaid: z.number().int(),
  cashPaidFen: z.number().int(),
  source: z.string().nullable().openapi({ description: 'Supplier fulfilling the line' }),
  failureReason: z.string().nullable(),
  shipments: z.array(
    z.object({
      carrier: z.enum(['SF', 'JD', 'ZTO', 'YTO', 'STO', 'YUNDA', 'EMS', 'OTHER']),
      trackingNo: z.string(),
      status: z.string().openapi({ description: 'picked_up, in_transit, out_for_delivery, delivered, exception, returned_to_sender' }),
      events: z.array(z.object({ status: z.string(), at: z.string(), location: z.string().optional(), description: z.string() })).openapi({ description: 'Oldest first' }),
    }),
  ).openapi({ description: 'Parcels of the line (a JD split gives several), with their tracking timeline' }),
  issuance: z.object({ status: z.string(), vouchers: z.array(z.object({ code: z.string().openapi({ description: 'Masked' }), expiresAt: z.string().nullable() })) }).nullable(),
  refunds: z.array(z.object({ points: z.number().int(), cashFen: z.number().int(), units: z.number().int(), reason: z.string().nullable(), at: z.string() })),
});

export const Order = z
  .object({
    orderId: z.string(),
    mallOrderId: z.string(),
    status: z.enum(['accepted', 'in_progress', 'completed', 'partially_failed', 'failed', 'cancelled']),
    member: z.object({ id: z.string(), tier: z.string().nullable() }),
    createdAt: z.string(),
    updatedAt: z.string(),
    lines: z.array(Line),
  })
  .openapi('Order');
export type Order = z.infer<typeof Order>;

const IdempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().openapi({ param: { name: 'idempotency-key', in: 'header', required: true }, description: 'Required; one key per order, kept forever' }),
});

const create = createRoute({
  method: 'post',
  path: '/v1/orders',
  operationId: 'createOrder',
  tags: ['Orders'],
  summary: 'Place a redemption order (idempotent on Idempotency-Key)',
  description:
    'Checked against the synced catalog: unknown SKU, price below the current price × quantity, no source in stock and an address no source serves are 422 and write nothing. A repeated request with the same key and body answers 200 with the same order.',
  security: mallSecurity,
  request: { headers: IdempotencyHeader, body: { required: true, content: { 'application/json': { schema: CreateOrder } } } },
  responses: {
    201: { description: 'Accepted', content: { 'application/json': { schema: Order } } },
    200: { description: 'The order this key already created', content: { 'application/json': { schema: Order } } },
    ...errorResponses(400, 401, 409, 413, 415, 422, 429),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/orders/{orderId}',
  operationId: 'getOrder',
  tags: ['Orders'],
  summary: 'One of the calling mall’s orders, line by line',
  security: mallSecurity,
  request: { params: z.object({ orderId: z.string().min(1).max(64).openapi({ param: { name: 'orderId', in: 'path' } }) }) },
  responses: { 200: { description: 'The order', content: { 'application/json': { schema: Order } } }, ...errorResponses(401, 404, 429) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/orders',
  operationId: 'findOrders',
  tags: ['Orders'],
  summary: 'Find an order by the mall’s own order id (a list of at most one)',
  security: mallSecurity,
  request: { query: z.object({ mallOrderId: z.string().min(1).max(64).openapi({ param: { name: 'mallOrderId', in: 'query' } }) }) },
  responses: { 200: { description: 'At most one order', content: { 'application/json': { schema: z.object({ items: z.array(Order), nextCursor: z.null() }) } } }, ...errorResponses(400, 401, 429) },
});

const CancelBody = z
  .object({
    lineIds: z.array(z.string().min(1).max(64)).min(1).max(50).optional().openapi({ description: 'Lines to cancel; all lines when omitted' }),
    reason: z.string().trim().min(1).max(200),
  })
  .strict()
  .openapi('CancelOrderRequest');

const CancelResult = z
  .object({
    orderId: z.string(),
    lines: z.array(z.object({ lineId: z.string(), result: z.enum(['cancelled', 'not_cancellable']), reason: z.string().optional() })),
    order: Order,
  })
  .openapi('CancelOrderResult');

const cancel = createRoute({
  method: 'post',
  path: '/v1/orders/{orderId}/cancel',
  operationId: 'cancelOrder',
  tags: ['Orders'],
  summary: 'Cancel lines not yet shipped or issued (cancelled at the supplier first where it was placed)',
  security: mallSecurity,
  request: {
    params: z.object({ orderId: z.string().min(1).max(64).openapi({ param: { name: 'orderId', in: 'path' } }) }),
    body: { required: true, content: { 'application/json': { schema: CancelBody } } },
  },
  // 503: a supplier could not be asked what it holds for a line (its submit answer was lost); that line is unchanged.
  responses: { 200: { description: 'Per line: cancelled, or not_cancellable with the reason', content: { 'application/json': { schema: CancelResult } } }, ...errorResponses(400, 401, 404, 415, 429, 503) },
});

/** POST /v1/orders, GET /v1/orders/{orderId}, GET /v1/orders?mallOrderId=, POST /v1/orders/{orderId}/cancel */
export function registerOrderRoutes(app: HubApp): void {
  app.openapi(create, async (c) => {
    const deps = c.get('deps');
    deps.intakeLoad.mark();
    const key = c.req.valid('header')['idempotency-key'];
    if (!key) throw new AppError('idempotency_key_required', 'POST /v1/orders needs an Idempotency-Key header');
    const out = await acceptOrder({ em: c.get('em'), store: deps.intakeStore, clock: deps.clock, crypto: deps.crypto }, callerMallId(c), key, c.req.valid('json'));
    // Start fulfilment now rather than at the relay's next tick; the outbox keeps the jobs if this fails.
    deps.committedJobs.dispatch(out.jobs);
    return c.json(out.order as Order, out.created ? 201 : 200);
  });
  app.openapi(get, async (c) => {
    const order = await findOrder(c.get('em'), callerMallId(c), { orderId: c.req.valid('param').orderId });
    if (!order) throw notFound('order');
    return c.json((await orderView(c.get('em'), order)) as Order, 200);
  });
  app.openapi(cancel, async (c) => {
    const deps = c.get('deps');
    const { orderId } = c.req.valid('param');
    const body = c.req.valid('json');
    const lines = await cancelLines({ ...runnerDeps({ ...deps }), em: c.get('em') }, callerMallId(c), orderId, body.lineIds, body.reason);
    const order = await findOrder(c.get('em'), callerMallId(c), { orderId });
    return c.json({ orderId, lines, order: (await orderView(c.get('em'), order as NonNullable<typeof order>)) as Order }, 200);
  });
  app.openapi(list, async (c) => {
    const order = await findOrder(c.get('em'), callerMallId(c), { mallOrderId: c.req.valid('query').mallOrderId });
    return c.json({ items: order ? [(await orderView(c.get('em'), order)) as Order] : [], nextCursor: null }, 200);
  });
}
