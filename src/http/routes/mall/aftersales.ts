import { createRoute, z } from '@hono/zod-openapi';
import { addEvidence, getTicket, listOrderTickets, openTicket, type TicketView, withdrawTicket } from '../../../aftersales/tickets.ts';
import { TICKET_EVENT_KINDS, TICKET_STATUSES, TICKET_TYPES, WAITING_ON } from '../../../domain/aftersales.ts';
import { TicketResolution } from '../../../mall-webhooks/event-schemas.ts';
import { AppError } from '../../../domain/errors.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { documentedError, errorResponses } from '../../errors.ts';
import { idempotencyKeyHeader, jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { CarrierSchema, mallSecurity, pathParam, Timestamp } from '../../schemas.ts';
import { ORDER_ID_EXAMPLE, OrderIdParam } from './order-schemas.ts';

/** The mall's after-sales routes (issue 19, first part): open, list, read, add evidence, withdraw. */

export const TICKET_ID_EXAMPLE = 'ast_0196f0c1a2b37d4e8f9a0b1c2d3e4f60';
export const TicketIdParam = z.object({ ticketId: pathParam('ticketId', z.string().min(1).max(64), 'The ticket id (`ast_…`), as POST /v1/orders/{orderId}/after-sales answered it', TICKET_ID_EXAMPLE) });

export const TicketTypeSchema = z.enum(TICKET_TYPES).openapi('AftersaleTicketType', {
  description:
    '`return`, `exchange`: a delivered line, within `HUB_AFTERSALE_RETURN_DAYS` (7) of delivery; `damaged`, `missing_item`, `wrong_item`: a delivered line, within `HUB_AFTERSALE_DAMAGE_DAYS` (15); `not_received`: a shipped, undelivered line, 7 days after shipping or at once when tracking reports an exception or a return to sender; `virtual_not_received`: a virtual line issued or stuck issuing',
  example: 'damaged',
});
export const TicketStatusSchema = z.enum(TICKET_STATUSES).openapi('AftersaleTicketStatus', { description: '`open` and `in_progress` are open (they hold their units); `resolved`, `rejected` and `withdrawn` are final', example: 'open' });

/** A photo the member took: an http(s) URL the hub stores and never fetches. */
const PhotoUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL')
  .openapi({ description: 'An http(s) URL of a photo; the hub stores it and never fetches it', example: 'https://img.example-mall.cn/as/8812/1.jpg' });
const Photos = z.array(PhotoUrl).max(9);
export const Waybill = z
  .object({ carrier: CarrierSchema, trackingNo: z.string().trim().min(4).max(40).regex(/^[\w-]+$/, 'letters, digits, _ and - only').openapi({ example: 'SF1234567890123' }) })
  .strict()
  .openapi('ReturnWaybill', { description: 'The parcel the member sent back' });

export const Ticket = z
  .object({
    ticketId: z.string().openapi({ example: TICKET_ID_EXAMPLE }),
    orderId: z.string().openapi({ example: ORDER_ID_EXAMPLE }),
    mallOrderId: z.string().openapi({ example: 'JF20261201000123' }),
    lineId: z.string().openapi({ description: 'The mall’s line id', example: '1' }),
    type: TicketTypeSchema,
    status: TicketStatusSchema,
    quantity: z.number().int().min(1).openapi({ description: 'Units the ticket is about' }),
    reason: z.string(),
    photos: z.array(z.string()).openapi({ description: 'Every photo URL given, at opening and as evidence' }),
    waitingOn: z.enum(WAITING_ON).nullable().openapi({ description: 'While in progress, who the ticket waits on: `hub` (carrying out a decision), `supplier`, `carrier`, `agent` (a person at the hub looks at it), `approval` (a refund waiting for a supervisor); null when settled or not yet looked at' }),
    resolution: TicketResolution.nullable().openapi({ description: 'How the ticket was settled (null until it is resolved or rejected)' }),
    firstResponseDueAt: Timestamp.openapi({ description: 'When the hub’s first response is due (its SLA)' }),
    resolutionDueAt: Timestamp.openapi({ description: 'When a resolution is due (its SLA)' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('AftersaleTicket');

const HistoryEntry = z
  .object({
    at: Timestamp,
    actor: z.enum(['mall', 'staff', 'system']).openapi({ description: 'Who wrote it' }),
    kind: z.enum(TICKET_EVENT_KINDS).openapi({ description: 'What happened' }),
    data: z
      .object({
        type: TicketTypeSchema.optional(),
        quantity: z.number().int().optional(),
        reason: z.string().optional(),
        photos: z.array(z.string()).optional(),
        comment: z.string().optional(),
        returnWaybill: Waybill.optional(),
        note: z.string().optional().openapi({ description: '`progress`: what happened (the supplier answered, a replacement is on its way)' }),
        waitingOn: z.enum(WAITING_ON).optional().openapi({ description: '`progress`: who the ticket waits on from then' }),
        resolution: TicketResolution.optional(),
      })
      .openapi({ description: 'What the entry carries: `opened` the type, units, reason and photos; `evidence_added` photos, a comment and/or a waybill; `withdrawn` the reason; `progress` a note; `resolved` and `rejected` the resolution' }),
  })
  .openapi('AftersaleTicketHistoryEntry');
const TicketWithHistory = Ticket.extend({ history: z.array(HistoryEntry).openapi({ description: 'The entries the mall may see, oldest first' }) }).openapi('AftersaleTicketWithHistory');

const AT = '2026-12-04T03:00:00.000Z';
export const TICKET_EXAMPLE: TicketView = {
  ticketId: TICKET_ID_EXAMPLE, orderId: ORDER_ID_EXAMPLE, mallOrderId: 'JF20261201000123', lineId: '1', type: 'damaged', status: 'open', quantity: 1,
  reason: '冰箱门板有凹痕', photos: ['https://img.example-mall.cn/as/8812/1.jpg'], waitingOn: null, resolution: null,
  firstResponseDueAt: '2026-12-05T03:00:00.000Z', resolutionDueAt: '2026-12-11T03:00:00.000Z', createdAt: AT, updatedAt: AT,
};

const OpenBody = z
  .object({
    lineId: z.string().trim().min(1).max(64).openapi({ description: 'The mall’s line id', example: '1' }),
    type: TicketTypeSchema,
    reason: z.string().trim().min(1).max(500).openapi({ example: '冰箱门板有凹痕' }),
    quantity: z.number().int().min(1).max(999).optional().openapi({ description: 'Units the ticket is about; the line’s quantity when omitted' }),
    photos: Photos.optional(),
  })
  .strict()
  .openapi('OpenAftersaleTicketRequest');

const IdempotencyHeader = idempotencyKeyHeader('ticket you mean to open', 'AS-JF20261201000123-1-damaged');

const open = createRoute({
  method: 'post',
  path: '/v1/orders/{orderId}/after-sales',
  operationId: 'openAftersaleTicket',
  tags: ['After-sales'],
  summary: 'Open an after-sales ticket on a line (idempotent on Idempotency-Key)',
  description:
    'Eligibility is checked before anything is written: a line the order does not have, or another mall’s order, is 404; a second open ticket of the same type on the line is 409 `conflict`; a line not in the status the type needs, a window passed, or more units than delivered/issued less refunded less held by other open tickets is 422 `not_eligible` with `details.reason`. Photos are http(s) URLs (400 otherwise). The ticket, its first history entry and `aftersale.updated` are written in one transaction. A repeat with the same key and body answers 200 with the same ticket; another body under the key is 409 `idempotency_conflict`.',
  security: mallSecurity,
  request: { params: OrderIdParam, headers: IdempotencyHeader, body: jsonBody(OpenBody, { lineId: '1', type: 'damaged', reason: '冰箱门板有凹痕', quantity: 1, photos: ['https://img.example-mall.cn/as/8812/1.jpg'] }) },
  responses: {
    201: jsonResponse('Opened: `open`, with its SLA due times; `aftersale.updated` was written with it', Ticket, TICKET_EXAMPLE),
    200: jsonResponse('The ticket this key already opened, as it is now', Ticket, TICKET_EXAMPLE),
    400: documentedError(400, {
      description: 'Malformed JSON, a missing `Idempotency-Key`, or a field that failed validation, such as a photo that is not an http(s) URL (`invalid_json`, `idempotency_key_required`, `validation_failed`)',
      examples: {
        photo: { summary: 'A photo that is not an http(s) URL', value: { error: { code: 'validation_failed', message: 'request validation failed', details: { fields: [{ path: 'body.photos.0', message: 'an http(s) URL', code: 'custom' }] } } } },
        key: { summary: 'No Idempotency-Key', value: { error: { code: 'idempotency_key_required', message: 'POST /v1/orders/{orderId}/after-sales needs an Idempotency-Key header' } } },
      },
    }),
    404: documentedError(404, { description: 'No such order or line for this mall (`not_found`)', examples: { line: { summary: 'No such line', value: { error: { code: 'not_found', message: 'order line not found' } } } } }),
    409: documentedError(409, {
      description: 'The line already has an open ticket of this type (`conflict`), or the key was used with another body (`idempotency_conflict`)',
      examples: {
        duplicate: { summary: 'A second open ticket of the type', value: { error: { code: 'conflict', message: 'the line already has an open damaged ticket' } } },
        key: { summary: 'The key with another body', value: { error: { code: 'idempotency_conflict', message: 'this Idempotency-Key was used with another request body' } } },
      },
    }),
    422: documentedError(422, {
      description: 'The line may not have this ticket now (`not_eligible`, `details.reason`); nothing was written',
      examples: {
        window: { summary: 'Too long after delivery', value: { error: { code: 'not_eligible', message: 'a return ticket is opened within 7 days of delivery', details: { reason: 'window_passed', ticketType: 'return' } } } },
        units: { summary: 'More units than are open to a ticket', value: { error: { code: 'not_eligible', message: '2 units asked, 1 open to a ticket (fulfilled less refunded less under other open tickets)', details: { reason: 'quantity_exceeded', ticketType: 'damaged' } } } },
      },
    }),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/orders/{orderId}/after-sales',
  operationId: 'listOrderAftersaleTickets',
  tags: ['After-sales'],
  summary: 'The after-sales tickets of one of the calling mall’s orders',
  description: 'Every ticket of the order, oldest first, whatever its status. Another mall’s order answers 404 like one that does not exist.',
  security: mallSecurity,
  request: { params: OrderIdParam },
  responses: { 200: jsonResponse('The order’s tickets', z.object({ items: z.array(Ticket) }).openapi('AftersaleTicketList'), { items: [TICKET_EXAMPLE] }), ...errorResponses(404) },
});

const HISTORY_EXAMPLE = { ...TICKET_EXAMPLE, history: [{ at: AT, actor: 'mall' as const, kind: 'opened' as const, data: { type: 'damaged' as const, quantity: 1, reason: '冰箱门板有凹痕', photos: ['https://img.example-mall.cn/as/8812/1.jpg'] } }] };

const get = createRoute({
  method: 'get',
  path: '/v1/after-sales/{ticketId}',
  operationId: 'getAftersaleTicket',
  tags: ['After-sales'],
  summary: 'One after-sales ticket, with the history the mall may see',
  description: 'The ticket as it is now and its history entries visible to the mall (opened, evidence added, withdrawn), oldest first. Another mall’s ticket answers 404.',
  security: mallSecurity,
  request: { params: TicketIdParam },
  responses: { 200: jsonResponse('The ticket and its history', TicketWithHistory, HISTORY_EXAMPLE), ...errorResponses(404) },
});

const EvidenceBody = z
  .object({
    photos: Photos.optional(),
    comment: z.string().trim().min(1).max(1000).optional().openapi({ example: '包装箱外部也有破损' }),
    returnWaybill: Waybill.optional(),
  })
  .strict()
  .refine((b) => Boolean(b.photos?.length || b.comment !== undefined || b.returnWaybill), 'give photos, a comment or a returnWaybill')
  .openapi('AftersaleEvidenceRequest');

const CLOSED_EXAMPLES = {
  closed: { summary: 'The ticket is final', value: { error: { code: 'conflict' as const, message: `after-sales ticket ${TICKET_ID_EXAMPLE} is withdrawn: it cannot be withdrawn`, details: { from: 'withdrawn', to: 'withdrawn' } } } },
};

const evidence = createRoute({
  method: 'post',
  path: '/v1/after-sales/{ticketId}/evidence',
  operationId: 'addAftersaleEvidence',
  tags: ['After-sales'],
  summary: 'Add photos, a comment or a return waybill to an open ticket',
  description: 'Only for `open` and `in_progress` tickets (409 `conflict` otherwise). Photos are added to the ticket’s; the entry goes to its history and `aftersale.updated` is written in the same transaction. The hub never fetches the photos.',
  security: mallSecurity,
  request: { params: TicketIdParam, body: jsonBody(EvidenceBody, { comment: '包装箱外部也有破损', photos: ['https://img.example-mall.cn/as/8812/2.jpg'], returnWaybill: { carrier: 'SF', trackingNo: 'SF1234567890123' } }) },
  responses: {
    200: jsonResponse('The ticket after the evidence', Ticket, { ...TICKET_EXAMPLE, photos: [...TICKET_EXAMPLE.photos, 'https://img.example-mall.cn/as/8812/2.jpg'] }),
    409: documentedError(409, { description: 'The ticket is resolved, rejected or withdrawn (`conflict`)', examples: { closed: { summary: 'The ticket is final', value: { error: { code: 'conflict', message: `after-sales ticket ${TICKET_ID_EXAMPLE} is withdrawn: evidence is added to open tickets only`, details: { from: 'withdrawn', to: 'withdrawn' } } } } } }),
    ...errorResponses(400, 404),
  },
});

const WithdrawBody = z.object({ reason: z.string().trim().min(1).max(500).openapi({ example: '会员已与商城协商解决' }) }).strict().openapi('WithdrawAftersaleTicketRequest');

const withdraw = createRoute({
  method: 'post',
  path: '/v1/after-sales/{ticketId}/withdraw',
  operationId: 'withdrawAftersaleTicket',
  tags: ['After-sales'],
  summary: 'Withdraw a ticket the mall opened',
  description: 'The ticket becomes `withdrawn` (final) and releases its units; the history entry and `aftersale.updated` are written in the same transaction. A resolved, rejected or already withdrawn ticket is 409 `conflict`.',
  security: mallSecurity,
  request: { params: TicketIdParam, body: jsonBody(WithdrawBody, { reason: '会员已与商城协商解决' }) },
  responses: {
    200: jsonResponse('The withdrawn ticket', Ticket, { ...TICKET_EXAMPLE, status: 'withdrawn', updatedAt: '2026-12-04T05:00:00.000Z' }),
    409: documentedError(409, { description: 'The ticket is already final (`conflict`)', examples: CLOSED_EXAMPLES }),
    ...errorResponses(400, 404),
  },
});

/** POST and GET /v1/orders/{orderId}/after-sales, GET /v1/after-sales/{ticketId}, POST …/evidence, POST …/withdraw */
export function registerAftersaleRoutes(app: HubApp): void {
  app.openapi(open, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    if (!key) throw new AppError('idempotency_key_required', 'POST /v1/orders/{orderId}/after-sales needs an Idempotency-Key header');
    const d = c.get('deps');
    const out = await openTicket({ em: c.get('em'), clock: d.clock, config: d.config.aftersale }, callerMallId(c), c.req.valid('param').orderId, key, c.req.valid('json'));
    // Start settling now rather than at the relay's next tick; the outbox keeps the job if this fails.
    d.committedJobs.dispatch(out.jobs);
    return c.json(out.ticket, out.created ? 201 : 200);
  });
  app.openapi(list, async (c) => c.json({ items: await listOrderTickets(c.get('em'), callerMallId(c), c.req.valid('param').orderId) }, 200));
  app.openapi(get, async (c) => c.json(await getTicket(c.get('em'), callerMallId(c), c.req.valid('param').ticketId), 200));
  app.openapi(evidence, async (c) => {
    const d = c.get('deps');
    return c.json(await addEvidence({ em: c.get('em'), clock: d.clock, config: d.config.aftersale }, callerMallId(c), c.req.valid('param').ticketId, c.req.valid('json')), 200);
  });
  app.openapi(withdraw, async (c) => {
    const d = c.get('deps');
    return c.json(await withdrawTicket({ em: c.get('em'), clock: d.clock, config: d.config.aftersale }, callerMallId(c), c.req.valid('param').ticketId, c.req.valid('json').reason), 200);
  });
}
