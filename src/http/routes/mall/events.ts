import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { type MallEvent, MallEventSchema } from '../../../persistence/entities/mall-event.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { MALL_EVENT_DOCS, type MallEventType } from '../../../mall-webhooks/event-schemas.ts';
import { MallEventBodySchema, MallEventTypeSchema, type MallEventView, registerMallEventWebhooks } from '../../mall-events.ts';
import { mallSecurity, pathParam, queryParam } from '../../schemas.ts';

/** An event as GET /v1/events lists it: the body its webhook carries, one schema per type (`MallEvent`). */
export const EventView = MallEventBodySchema;
export type EventView = MallEventView;

/**
 * The event body exactly as a webhook delivers it (`seq` and `orderId` inside `data` for order
 * events). Written by the hub's own emitters, which are typed by the event schemas.
 */
export const eventView = (e: MallEvent): EventView =>
  ({
    id: e.id,
    type: e.type,
    createdAt: e.createdAt.toISOString(),
    data: e.orderId ? { ...e.data, orderId: e.orderId, seq: e.seq } : e.data,
  }) as EventView;

const ORDER_ID = 'ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d';
const example = (type: MallEventType) => MALL_EVENT_DOCS.find((d) => d.type === type)?.example as EventView;
/** Two events of one order, as the list and the webhooks carry them. */
const ACCEPTED = example('order.accepted');
const SHIPPED = example('line.shipped');

const Query = PageQuery.extend({
  type: queryParam('type', MallEventTypeSchema.optional(), 'Only events of this type (one of those the `webhooks` section describes)', 'line.shipped'),
  orderId: queryParam('orderId', z.string().max(64).optional(), 'Only the events of this order (hub order id `ord_…`), in `seq` order', ORDER_ID),
});

const list = createRoute({
  method: 'get',
  path: '/v1/events',
  operationId: 'listEvents',
  tags: ['Events'],
  summary: 'Events sent (or to be sent) to this mall, oldest first; a way to catch up on missed webhooks',
  description:
    'Every event of the mall, delivered or not, with the body its webhook carries (`data` includes `orderId` and `seq` for order events). Page from your last cursor and process the ids you have not seen. When `nextCursor` is null, keep the cursor that produced this page and start from it next time; re-reading from a cursor a few minutes old covers events committed late. Events are never deleted.',
  security: mallSecurity,
  request: { query: Query },
  responses: {
    200: jsonResponse('A page of events, oldest first', pageOf(EventView), { items: [ACCEPTED, SHIPPED], nextCursor: 'eyJrIjoiZXZ0XzAxOTZmMGMxYTJiMzdkNGU4ZjlhMGIxYzJkM2U0ZjUzIn0' }),
    ...errorResponses(400),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/events/{eventId}',
  operationId: 'getEvent',
  tags: ['Events'],
  summary: 'One event by id (another mall’s event answers 404)',
  description: 'The event with the body its webhook carries: look up the `webhook-id` of a delivery you could not process.',
  security: mallSecurity,
  request: { params: z.object({ eventId: pathParam('eventId', z.string().min(1).max(64), 'The event id (`evt_…`): the `id` of the body, and the `webhook-id` header', SHIPPED.id) }) },
  responses: { 200: jsonResponse('The event', EventView, SHIPPED), ...errorResponses(404) },
});

/** GET /v1/events, GET /v1/events/{eventId}, and the webhooks they mirror (the document's `webhooks`). */
export function registerEventRoutes(app: HubApp): void {
  registerMallEventWebhooks(app);
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const after = decodeCursor(q.cursor);
    const rows = await c.get('em').find(
      MallEventSchema,
      {
        mallId: callerMallId(c),
        ...(q.type ? { type: q.type } : {}),
        ...(q.orderId ? { orderId: q.orderId } : {}),
        ...(after ? { id: { $gt: after } } : {}),
      },
      { orderBy: { id: 'asc' }, limit: q.limit + 1 },
    );
    return c.json(toPage(rows, q.limit, eventView), 200);
  });

  app.openapi(get, async (c) => {
    // Scoped by the caller's mall: another mall's id is indistinguishable from a missing one.
    const e = await c.get('em').findOne(MallEventSchema, { id: c.req.valid('param').eventId, mallId: callerMallId(c) });
    if (!e) throw notFound('event');
    return c.json(eventView(e), 200);
  });
}
