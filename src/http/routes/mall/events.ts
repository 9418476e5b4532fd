import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { type MallEvent, MallEventSchema } from '../../../persistence/entities/mall-event.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { mallSecurity } from '../../schemas.ts';

export const EventView = z
  .object({
    id: z.string().openapi({ example: 'evt_0196a3c2e1f07c3a8b1d2e3f4a5b6c7d' }),
    type: z.string().openapi({ example: 'order.accepted' }),
    createdAt: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('MallEvent');
export type EventView = z.infer<typeof EventView>;

/** The event body exactly as a webhook delivers it (`seq` and `orderId` inside `data` for order events). */
export const eventView = (e: MallEvent): EventView => ({
  id: e.id,
  type: e.type,
  createdAt: e.createdAt.toISOString(),
  data: e.orderId ? { ...e.data, orderId: e.orderId, seq: e.seq } : e.data,
});

const Query = PageQuery.extend({
  type: z.string().max(64).optional().openapi({ param: { name: 'type', in: 'query' }, example: 'line.shipped' }),
  orderId: z.string().max(64).optional().openapi({ param: { name: 'orderId', in: 'query' } }),
});

const list = createRoute({
  method: 'get',
  path: '/v1/events',
  operationId: 'listEvents',
  tags: ['Mall'],
  summary: 'Events sent (or to be sent) to this mall, oldest first; a way to catch up on missed webhooks',
  security: mallSecurity,
  request: { query: Query },
  responses: { 200: { description: 'A page of events', content: { 'application/json': { schema: pageOf(EventView) } } }, ...errorResponses(400, 401, 429) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/events/{eventId}',
  operationId: 'getEvent',
  tags: ['Mall'],
  summary: 'One event by id (another mall’s event answers 404)',
  security: mallSecurity,
  request: { params: z.object({ eventId: z.string().min(1).max(64).openapi({ param: { name: 'eventId', in: 'path' } }) }) },
  responses: { 200: { description: 'The event', content: { 'application/json': { schema: EventView } } }, ...errorResponses(401, 404, 429) },
});

/** GET /v1/events, GET /v1/events/{eventId} */
export function registerEventRoutes(app: HubApp): void {
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
