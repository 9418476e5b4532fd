import { createRoute, z } from '@hono/zod-openapi';
import { ORDER_STATUSES } from '../../../domain/order-status.ts';
import { listOrders, type OrderPosition, orderViews } from '../../../orders/order-store.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { invalidCursor, PageQuery, pageOf } from '../../pagination.ts';
import { mallSecurity, OrderStatusSchema, queryParam } from '../../schemas.ts';
import { Order, ORDER_EXAMPLE } from './order-schemas.ts';

/*
 * GET /v1/orders: a mall's orders, by (createdAt, orderId), or by (updatedAt, orderId) when
 * `updatedSince` is given, oldest first. The cursor is the sort key of the page's last order,
 * with which of the two orders it belongs to: it is refused with the other one. Paging by
 * updatedAt is how a mall reconciles: an order that changes while it pages moves to the end of
 * the list (its updatedAt grows), so it is listed again later and never skipped.
 */

/** An instant in a query: RFC 3339 with a zone (`Z` or an offset; send `+` as `%2B`). */
const instant = z.iso.datetime({ offset: true });

/** `status=completed&status=failed`, or `status=completed,failed`. */
const Statuses = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v.flatMap((s) => (typeof s === 'string' ? s.split(',') : [s])) : v),
  z.array(OrderStatusSchema).min(1).max(ORDER_STATUSES.length),
);

const Query = PageQuery.extend({
  mallOrderId: queryParam('mallOrderId', z.string().min(1).max(64).optional(), 'Only the order with this id of yours (at most one)', 'JF20261201000123'),
  status: Statuses.optional().openapi({
    param: { name: 'status', in: 'query', style: 'form', explode: true, description: 'Only orders in one of these statuses: repeat the parameter (`status=completed&status=failed`) or separate them with commas', example: ['completed', 'partially_failed'] },
    example: ['completed', 'partially_failed'],
  }),
  createdFrom: queryParam('createdFrom', instant.optional(), 'Only orders created at or after this instant', '2026-12-01T00:00:00.000Z'),
  createdTo: queryParam('createdTo', instant.optional(), 'Only orders created before this instant (exclusive: consecutive windows do not overlap)', '2026-12-02T00:00:00.000Z'),
  updatedSince: queryParam(
    'updatedSince',
    instant.optional(),
    'Only orders that changed at or after this instant, listed by `updatedAt` (the reconciliation list): see the description for the rule to resume from',
    '2026-12-01T05:00:00.000Z',
  ),
})
  .refine((q) => q.createdFrom === undefined || q.createdTo === undefined || Date.parse(q.createdFrom) <= Date.parse(q.createdTo), { message: 'createdFrom must not be after createdTo', path: ['createdFrom'] })
  .openapi({ description: 'Filters combine (and)' });

const route = createRoute({
  method: 'get',
  path: '/v1/orders',
  operationId: 'listOrders',
  tags: ['Orders'],
  summary: 'The mall’s orders, filtered and paged (look one up by your own order id, or reconcile what changed)',
  description: [
    'Each order as GET /v1/orders/{orderId} answers it. Without `updatedSince` the list is by `createdAt`, oldest first; with it, by `updatedAt`, oldest first. Ties are broken by `orderId`, so the order is total and a page never repeats or skips one.',
    '',
    'Reconciling: page with `updatedSince` and the cursors until `nextCursor` is null. An order that changes while you page gets a later `updatedAt` and moves to the end of the list: you see it again, never miss it. For the next run, pass as `updatedSince` the greatest `updatedAt` you processed minus a margin of a minute (a change committed late can carry a slightly earlier time) and skip what you already hold (same `orderId` and `updatedAt`).',
    '',
    'A cursor is opaque and belongs to its list: one altered, or from a list by the other order (with or without `updatedSince`), is 400 `validation_failed` with field code `invalid_cursor`. `mallOrderId` finds at most one order.',
  ].join('\n'),
  security: mallSecurity,
  request: { query: Query },
  responses: {
    200: jsonResponse('A page of orders', pageOf(Order), { items: [ORDER_EXAMPLE], nextCursor: 'eyJ2IjoxLCJiIjoidSIsImF0IjoiMjAyNi0xMi0wMVQwNTozMDowMC4wMDAwMDBaIiwiaWQiOiJvcmRfMDE5NmYwYzFhMWYwN2MzYThiMWQyZTNmNGE1YjZjN2QifQ' }),
    ...errorResponses(400),
  },
});

/** The cursor of a list of orders: the sort key of the last order of a page. */
const encode = (p: OrderPosition): string => Buffer.from(JSON.stringify({ v: 1, b: p.by === 'updated' ? 'u' : 'c', at: p.at, id: p.id })).toString('base64url');

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^[\w.:-]{1,64}$/;

/** The position a cursor names in a list ordered `by`; a cursor the hub did not make for such a list is a 400. */
function decode(cursor: string | undefined, by: OrderPosition['by']): OrderPosition | null {
  if (cursor === undefined) return null;
  let v: { v?: unknown; b?: unknown; at?: unknown; id?: unknown } | null = null;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // refused below
  }
  const ok = v !== null && typeof v === 'object' && v.v === 1 && v.b === (by === 'updated' ? 'u' : 'c') && typeof v.at === 'string' && AT.test(v.at) && !Number.isNaN(Date.parse(v.at)) && typeof v.id === 'string' && ID.test(v.id);
  if (!ok) throw invalidCursor();
  return { by, at: v?.at as string, id: v?.id as string };
}

/** GET /v1/orders */
export function registerListOrders(app: HubApp): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const em = c.get('em');
    const by = q.updatedSince !== undefined ? 'updated' : 'created';
    const after = decode(q.cursor, by);
    const filter = { mallOrderId: q.mallOrderId, statuses: q.status, createdFrom: q.createdFrom, createdTo: q.createdTo, updatedSince: q.updatedSince };
    const rows = await listOrders(em, callerMallId(c), filter, after, q.limit);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const items = (await orderViews(em, page)) as Order[];
    return c.json({ items, nextCursor: rows.length > q.limit && last ? encode(last.position) : null }, 200);
  });
}
