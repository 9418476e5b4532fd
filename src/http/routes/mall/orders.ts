import { createRoute, z } from '@hono/zod-openapi';
import { AppError, notFound } from '../../../domain/errors.ts';
import { cancelLines } from '../../../orders/cancel.ts';
import { acceptOrder } from '../../../orders/intake.ts';
import { findOrder, orderView } from '../../../orders/order-store.ts';
import { runnerDeps } from '../../../workflow-runner.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { documentedError, errorResponses } from '../../errors.ts';
import { idempotencyKeyHeader, jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { mallSecurity } from '../../schemas.ts';
import { Order, ORDER_EXAMPLE, ORDER_ID_EXAMPLE, OrderIdParam } from './order-schemas.ts';

export { Order } from './order-schemas.ts';

const id = (max: number, example: string) => z.string().trim().min(1).max(max).regex(/^[\w.:-]+$/, 'letters, digits and . _ : - only').openapi({ example });

const CreateOrder = z
  .object({
    mallOrderId: id(64, 'JF20261201000123').openapi({ description: 'Your own order id: 1 to 64 of `A–Z a–z 0–9 _ . : -`, unique per mall' }),
    member: z.object({ id: id(64, 'member-8812'), tier: z.string().trim().min(1).max(32).optional().openapi({ example: 'gold' }) }).strict(),
    recipient: z
      .object({
        name: z.string().trim().min(1).max(50).openapi({ example: '张三' }),
        phone: z.string().trim().min(5).max(20).openapi({ description: 'A mainland mobile number (an optional `+86`/`86` prefix, spaces and dashes allowed)', example: '13800138000' }),
        province: z.string().trim().min(1).max(20).openapi({ example: '北京' }),
        city: z.string().trim().min(1).max(30).openapi({ example: '北京市' }),
        district: z.string().trim().min(1).max(30).openapi({ example: '朝阳区' }),
        address: z.string().trim().min(1).max(200).openapi({ example: '建国路 88 号 2 单元 301' }),
      })
      .strict()
      .optional()
      .openapi({ description: 'Required when any line is a physical item; encrypted at rest, never returned' }),
    lines: z
      .array(
        z
          .object({
            lineId: id(64, '1').openapi({ description: 'Your line id, unique within the order' }),
            skuId: z.string().min(1).max(64).openapi({ example: 'sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7' }),
            quantity: z.number().int().min(1).max(999),
            pointsPaid: z.number().int().min(0).max(2_000_000_000).openapi({ description: 'What the member paid for the whole line (not per unit)' }),
            cashPaidFen: z.number().int().min(0).max(2_000_000_000).openapi({ description: 'Cash the member paid for the whole line, in fen' }),
            rechargeAccount: z.string().trim().min(3).max(64).optional().openapi({
              description:
                'The account a recharge goes to. Required for phone top-ups and data packages (a mainland mobile number: 11 digits, 1[3-9]…, with an optional +86 prefix, spaces and dashes) and memberships (the forms the platform takes: a mobile number; also a QQ number for 腾讯视频 and QQ音乐, an e-mail address for 网易云音乐; any account without spaces for a platform the hub has no rule for). Refused (`not_applicable`) for voucher codes, brand e-vouchers and goods, which take none. See docs/contract.md.',
              example: '13900139000',
            }),
          })
          .strict(),
      )
      .min(1)
      .max(50)
      .refine((ls) => new Set(ls.map((l) => l.lineId)).size === ls.length, 'lineId must be unique within the order'),
  })
  .strict()
  .openapi('CreateOrderRequest');

const CREATE_EXAMPLE: z.input<typeof CreateOrder> = {
  mallOrderId: 'JF20261201000123',
  member: { id: 'member-8812', tier: 'gold' },
  recipient: { name: '张三', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路 88 号 2 单元 301' },
  lines: [
    { lineId: '1', skuId: 'sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7', quantity: 1, pointsPaid: 329_900, cashPaidFen: 0 },
    { lineId: '2', skuId: 'sku_8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', quantity: 1, pointsPaid: 5_800, cashPaidFen: 0, rechargeAccount: '13900139000' },
  ],
};
const ACCEPTED: Order = {
  ...ORDER_EXAMPLE,
  status: 'accepted',
  updatedAt: ORDER_EXAMPLE.createdAt,
  lines: ORDER_EXAMPLE.lines.map((l) => ({ ...l, status: 'pending', quantityFulfilled: 0, source: null, shipments: [], issuance: l.issuance && { status: 'pending', vouchers: [] } })),
};

const IdempotencyHeader = idempotencyKeyHeader('order (derive it from your order id)', 'JF20261201000123');

const create = createRoute({
  method: 'post',
  path: '/v1/orders',
  operationId: 'createOrder',
  tags: ['Orders'],
  summary: 'Place a redemption order (idempotent on Idempotency-Key)',
  description:
    'Checked against the synced catalog, in this order, the first failing rule answering and nothing written: an unknown SKU (422 `unknown_sku`); a missing recipient or recharge account, an invalid phone or account, or an account for an item that takes none (400 `validation_failed`, the fields named `body.lines.{i}.rechargeAccount`); a price below the current price × quantity (422 `price_changed`); no source in stock (422 `out_of_stock`); a province no source serves (422 `address_unserviceable`). A repeated request with the same key and body answers 200 with the same order.',
  security: mallSecurity,
  request: { headers: IdempotencyHeader, body: jsonBody(CreateOrder, CREATE_EXAMPLE) },
  responses: {
    201: jsonResponse('Accepted: every line `pending`; `order.accepted` was written with it', Order, ACCEPTED),
    200: jsonResponse('The order this key already created, as it is now', Order, ORDER_EXAMPLE),
    400: documentedError(400, {
      description: 'Malformed JSON, a missing `Idempotency-Key`, or a field that failed validation (`invalid_json`, `idempotency_key_required`, `validation_failed`)',
      examples: {
        account: {
          summary: 'A top-up recharged to something that is not a mobile number',
          value: { error: { code: 'validation_failed', message: 'request validation failed', details: { fields: [{ path: 'body.lines.1.rechargeAccount', message: 'a phone top-up is recharged to a mainland mobile number (11 digits, 1[3-9]…)', code: 'invalid_account' }] } } },
        },
        notApplicable: {
          summary: 'A recharge account on a voucher line',
          value: { error: { code: 'validation_failed', message: 'request validation failed', details: { fields: [{ path: 'body.lines.0.rechargeAccount', message: 'this item takes no recharge account (its codes are issued to the order); leave rechargeAccount out', code: 'not_applicable' }] } } },
        },
        key: { summary: 'No Idempotency-Key', value: { error: { code: 'idempotency_key_required', message: 'POST /v1/orders needs an Idempotency-Key header' } } },
      },
    }),
    ...errorResponses(409, 422),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/orders/{orderId}',
  operationId: 'getOrder',
  tags: ['Orders'],
  summary: 'One of the calling mall’s orders, line by line',
  description: 'Always current: re-read it whenever an event arrives. Another mall’s order answers 404 like one that does not exist.',
  security: mallSecurity,
  request: { params: OrderIdParam },
  responses: { 200: jsonResponse('The order', Order, ORDER_EXAMPLE), ...errorResponses(404) },
});

const CancelBody = z
  .object({
    lineIds: z.array(z.string().min(1).max(64)).min(1).max(50).optional().openapi({ description: 'Lines to cancel (the mall’s line ids); all lines when omitted. A line the order does not have is 404, and nothing is cancelled' }),
    reason: z.string().trim().min(1).max(200).openapi({ example: '会员取消兑换' }),
  })
  .strict()
  .openapi('CancelOrderRequest');

const CancelResult = z
  .object({
    orderId: z.string(),
    lines: z.array(z.object({
      lineId: z.string(),
      result: z.enum(['cancelled', 'not_cancellable']),
      reason: z.string().optional().openapi({ description: 'Why not (`not_cancellable`)', example: 'jd can no longer cancel it (confirmed); request an after-sales return' }),
    })),
    order: Order,
  })
  .openapi('CancelOrderResult');

const cancel = createRoute({
  method: 'post',
  path: '/v1/orders/{orderId}/cancel',
  operationId: 'cancelOrder',
  tags: ['Orders'],
  summary: 'Cancel lines not yet shipped or issued (cancelled at the supplier first where it was placed)',
  description:
    'Only lines in `pending`, `submitted` or `accepted` can be cancelled; the others answer `not_cancellable` with the reason. A cancelled line gets `line.cancelled` and a refunds entry; an order whose lines are now all cancelled gets `order.cancelled`. Repeating the request is safe (a cancelled line answers `cancelled` again). Naming a line the order does not have is 404 `not_found` with `details.lineIds`, and nothing is cancelled.',
  security: mallSecurity,
  request: { params: OrderIdParam, body: jsonBody(CancelBody, { lineIds: ['1'], reason: '会员取消兑换' }) },
  responses: {
    200: jsonResponse('Per line: cancelled, or not_cancellable with the reason; and the order after the cancel', CancelResult, {
      orderId: ORDER_ID_EXAMPLE,
      lines: [{ lineId: '1', result: 'cancelled' }],
      order: { ...ACCEPTED, status: 'in_progress', lines: ACCEPTED.lines.map((l) => (l.lineId === '1' ? { ...l, status: 'cancelled' as const, quantityCancelled: 1, failureReason: '会员取消兑换', refunds: [{ points: 329_900, cashFen: 0, units: 1, reason: 'cancelled: 会员取消兑换', at: '2026-12-01T01:35:00.000Z' }] } : l)) },
    }),
    404: documentedError(404, {
      description: 'No such order for this mall, or a line the order does not have (`not_found`)',
      examples: {
        order: { summary: 'No such order', value: { error: { code: 'not_found', message: 'order not found' } } },
        lines: { summary: 'A line the order does not have', value: { error: { code: 'not_found', message: 'order ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d has no line 9', details: { lineIds: ['9'] } } } },
      },
    }),
    ...errorResponses(400),
  },
});

/** POST /v1/orders, GET /v1/orders/{orderId}, POST /v1/orders/{orderId}/cancel (GET /v1/orders: list-orders.ts) */
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
}
