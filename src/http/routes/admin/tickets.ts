import { createRoute, z } from '@hono/zod-openapi';
import { getStaffTicket, listStaffTickets, type StaffTicketDetail, type StaffTicketView, staffAct } from '../../../aftersales/staff-tickets.ts';
import { TICKET_EVENT_KINDS } from '../../../domain/aftersales.ts';
import { AppError, unauthorized } from '../../../domain/errors.ts';
import { LINE_STATUSES } from '../../../domain/order-status.ts';
import { runnerDeps } from '../../../workflow-runner.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { documentedError, errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { TimelineEntry } from './orders.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { ItemKindSchema, MALL_ID_EXAMPLE, queryParam, staffSecurity, Timestamp } from '../../schemas.ts';
import { Ticket, TICKET_EXAMPLE, TICKET_ID_EXAMPLE, TicketIdParam, TicketStatusSchema, TicketTypeSchema, Waybill } from '../mall/aftersales.ts';
import { MASKED_RECIPIENT_EXAMPLE, StaffRecipientSchema } from './staff-schemas.ts';

/** The staff's after-sales routes (issue 19, admin part): list, read with history and order, assign, comment. Agents and admins. */

const staff = { security: staffSecurity, middleware: [requireRole('agent', 'admin')], tags: ['Admin: after-sales'] };

export const StaffTicket = Ticket.extend({
  mallId: z.string().openapi({ example: MALL_ID_EXAMPLE }),
  assignee: z.string().nullable().openapi({ description: 'Who works the ticket (null: nobody yet)', example: 'agent-li' }),
  version: z.number().int().min(1).openapi({ description: 'Bumped by every staff write; send it back as `expectedVersion` (or `If-Match`) so a change made meanwhile is refused with 409' }),
  firstRespondedAt: Timestamp.nullable().openapi({ description: 'When staff first acted on the ticket (null: not yet)' }),
  overdue: z.boolean().openapi({ description: 'Not final, and its resolution is past due, or its first response is past due with no staff action yet' }),
  approval: z
    .object({
      refund: z.object({ points: z.number().int(), cashFen: z.number().int() }),
      units: z.number().int(),
      requestedBy: z.string().openapi({ description: 'The agent who asked' }),
      requestedAt: Timestamp,
    })
    .nullable()
    .openapi({ description: 'A refund an agent decided above their limit, waiting for an admin (POST …/approve or …/decline); null when none waits' }),
}).openapi('StaffAftersaleTicket');

export const STAFF_EXAMPLE: StaffTicketView = { ...TICKET_EXAMPLE, mallId: MALL_ID_EXAMPLE, assignee: 'agent-li', version: 3, firstRespondedAt: '2026-12-04T04:10:00.000Z', overdue: false, status: 'in_progress', waitingOn: 'agent', approval: null };

const StaffHistoryEntry = z
  .object({
    at: Timestamp,
    actorType: z.enum(['mall', 'agent', 'admin', 'system']).openapi({ description: 'Who wrote it' }),
    actorId: z.string().nullable().openapi({ description: 'The mall id or the staff token id', example: 'cred_0196f0b2c4d57e8f9a0b1c2d3e4f5a6b' }),
    kind: z.enum(TICKET_EVENT_KINDS).openapi({ description: 'What happened' }),
    visibleToMall: z.boolean().openapi({ description: 'false: an internal note, never shown to the mall' }),
    data: z
      .object({
        type: TicketTypeSchema.optional(),
        quantity: z.number().int().optional(),
        reason: z.string().optional(),
        photos: z.array(z.string()).optional(),
        comment: z.string().optional(),
        returnWaybill: Waybill.optional(),
        assignee: z.string().nullable().optional(),
        previousAssignee: z.string().nullable().optional(),
      })
      .openapi({ description: 'What the entry carries: as the mall’s history, plus `comment` for a staff comment and `assignee`, `previousAssignee` for an assignment' }),
  })
  .openapi('StaffAftersaleHistoryEntry');

const StaffTicketDetailSchema = StaffTicket.extend({
  history: z.array(StaffHistoryEntry).openapi({ description: 'Every entry, internal notes included, oldest first' }),
  order: z.object({
    orderId: z.string(),
    mallOrderId: z.string(),
    recipient: StaffRecipientSchema.nullable().openapi({ description: 'null for an order without goods' }),
    lines: z.array(z.object({ lineId: z.string(), skuId: z.string(), kind: ItemKindSchema, quantity: z.number().int(), status: z.enum(LINE_STATUSES), qtyFulfilled: z.number().int() })),
    timeline: z.array(TimelineEntry).openapi({ description: 'The order’s timeline, oldest first, as GET /admin/orders/{orderId} gives it (free text masked for an agent)' }),
  }),
}).openapi('StaffAftersaleTicketDetail');

const DETAIL_EXAMPLE: StaffTicketDetail = {
  ...STAFF_EXAMPLE,
  history: [
    { at: TICKET_EXAMPLE.createdAt, actorType: 'mall', actorId: MALL_ID_EXAMPLE, kind: 'opened', visibleToMall: true, data: { type: 'damaged', quantity: 1, reason: '冰箱门板有凹痕', photos: TICKET_EXAMPLE.photos } },
    { at: '2026-12-04T04:10:00.000Z', actorType: 'agent', actorId: 'cred_0196f0b2c4d57e8f9a0b1c2d3e4f5a6b', kind: 'comment', visibleToMall: false, data: { comment: '已联系京东核实' } },
  ],
  order: {
    orderId: TICKET_EXAMPLE.orderId,
    mallOrderId: TICKET_EXAMPLE.mallOrderId,
    recipient: MASKED_RECIPIENT_EXAMPLE,
    lines: [{ lineId: '1', skuId: 'sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7', kind: 'physical', quantity: 1, status: 'delivered', qtyFulfilled: 1 }],
    timeline: [
      { at: '2026-12-01T01:30:00.000Z', source: 'line', kind: 'line.created', lineId: '1', summary: 'line 1: 1 × sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7 (physical) accepted', data: { skuId: 'sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7', kind: 'physical', quantity: 1 } },
      { at: '2026-12-04T03:00:00.000Z', source: 'ticket', kind: 'ticket.opened', lineId: '1', summary: 'damaged ticket opened: 冰箱门板有凹痕', data: { ticketId: TICKET_ID_EXAMPLE } },
    ],
  },
};

const list = createRoute({
  method: 'get',
  path: '/admin/tickets',
  operationId: 'listAftersaleTicketsForStaff',
  ...staff,
  summary: 'After-sales tickets of every mall, newest first (agents and admins)',
  description: 'Filters combine. `overdue=true`: tickets not final whose resolution is past due, or whose first response is past due with no staff action yet, by the hub’s clock.',
  request: {
    query: PageQuery.extend({
      status: queryParam('status', TicketStatusSchema.optional(), 'Only tickets in this status', 'open'),
      type: queryParam('type', TicketTypeSchema.optional(), 'Only tickets of this type', 'damaged'),
      mallId: queryParam('mallId', z.string().max(64).optional(), 'Only this mall’s tickets', MALL_ID_EXAMPLE),
      assignee: queryParam('assignee', z.string().max(100).optional(), 'Only tickets assigned to this person', 'agent-li'),
      overdue: queryParam('overdue', z.enum(['true', 'false']).optional(), '`true`: only overdue tickets', 'true'),
    }),
  },
  responses: { 200: jsonResponse('Tickets', pageOf(StaffTicket), { items: [STAFF_EXAMPLE], nextCursor: null }), ...errorResponses(400, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/admin/tickets/{ticketId}',
  operationId: 'getAftersaleTicketForStaff',
  ...staff,
  summary: 'One after-sales ticket with its whole history and its order (agents and admins)',
  description:
    'The ticket, every history entry (internal notes included) and the order’s lines. The recipient is masked for an agent (`张*`, `138****5678`, street address hidden); an admin reads it in full, and each such read is written to the audit log as `ticket.read_personal_data`.',
  request: { params: TicketIdParam },
  responses: { 200: jsonResponse('The ticket', StaffTicketDetailSchema, DETAIL_EXAMPLE), ...errorResponses(403, 404) },
});

export const IfMatchHeader = z.object({
  'if-match': z
    .string()
    .max(100)
    .optional()
    .openapi({ param: { name: 'if-match', in: 'header', required: false, description: 'The ticket’s `version` you read (`"3"` or `3`); `expectedVersion` in the body takes precedence', example: '"3"' } }),
});
export const ExpectedVersion = z.number().int().min(1).optional().openapi({ description: 'The `version` you read: when the ticket is at another one, 409 `conflict` and nothing is written', example: 3 });

const CONFLICT = documentedError(409, {
  description: 'The ticket moved past the version you sent, or it is resolved, rejected or withdrawn (`conflict`); nothing was written',
  examples: {
    version: { summary: 'Changed meanwhile', value: { error: { code: 'conflict', message: `after-sales ticket ${TICKET_ID_EXAMPLE} changed meanwhile: it is at version 4, not 3; read it again`, details: { expectedVersion: 3, version: 4 } } } },
    closed: { summary: 'The ticket is final', value: { error: { code: 'conflict', message: `after-sales ticket ${TICKET_ID_EXAMPLE} is withdrawn: staff act on open tickets only`, details: { from: 'withdrawn', to: 'withdrawn' } } } },
  },
});
export const ACTION_NOTE = 'Conditional: the row is locked and updated only at the version read, so of two staff acting at once with the same `expectedVersion` one succeeds and the other gets 409. The first staff action takes an `open` ticket `in_progress` and sets `firstRespondedAt`. Audited (actor, before and after, request id).';

const AssignBody = z
  .object({ assignee: z.string().trim().min(1).max(100).openapi({ description: 'Who works the ticket', example: 'agent-li' }), expectedVersion: ExpectedVersion })
  .strict()
  .openapi('AssignAftersaleTicketRequest');

const assign = createRoute({
  method: 'post',
  path: '/admin/tickets/{ticketId}/assign',
  operationId: 'assignAftersaleTicket',
  ...staff,
  summary: 'Assign a ticket to someone (agents and admins)',
  description: `Sets the assignee and writes an internal history entry (not shown to the mall, no event). ${ACTION_NOTE}`,
  request: { params: TicketIdParam, headers: IfMatchHeader, body: jsonBody(AssignBody, { assignee: 'agent-li', expectedVersion: 2 }) },
  responses: { 200: jsonResponse('The ticket after the assignment', StaffTicket, STAFF_EXAMPLE), 409: CONFLICT, ...errorResponses(400, 403, 404) },
});

const CommentBody = z
  .object({
    text: z.string().trim().min(1).max(2000).openapi({ example: '已联系京东核实，预计明日回复' }),
    visibleToMall: z.boolean().default(false).openapi({ description: 'true: the mall sees it in the ticket’s history and gets `aftersale.updated` (`change: comment`); false (default): an internal note' }),
    expectedVersion: ExpectedVersion,
  })
  .strict()
  .openapi('CommentAftersaleTicketRequest');

const comment = createRoute({
  method: 'post',
  path: '/admin/tickets/{ticketId}/comment',
  operationId: 'commentAftersaleTicket',
  ...staff,
  summary: 'Comment on a ticket: an internal note, or a message the mall sees (agents and admins)',
  description: `Writes a history entry; when \`visibleToMall\` is true, \`aftersale.updated\` (\`change: comment\`) is written in the same transaction. ${ACTION_NOTE}`,
  request: { params: TicketIdParam, headers: IfMatchHeader, body: jsonBody(CommentBody, { text: '已联系京东核实，预计明日回复', visibleToMall: true, expectedVersion: 3 }) },
  responses: { 200: jsonResponse('The ticket after the comment', StaffTicket, { ...STAFF_EXAMPLE, version: 4 }), 409: CONFLICT, ...errorResponses(400, 403, 404) },
});

/** The version a client sent: the body's, else `If-Match` (`"3"`, `W/"3"` or `3`); a malformed `If-Match` is 400. */
export function expectedVersionOf(body: number | undefined, ifMatch: string | undefined): number | undefined {
  if (body !== undefined) return body;
  if (ifMatch === undefined) return undefined;
  const m = ifMatch.trim().match(/^(?:W\/)?"?(\d{1,9})"?$/);
  if (!m) throw new AppError('validation_failed', 'If-Match must be the ticket’s version', { details: { fields: [{ path: 'header.if-match', message: 'the ticket’s version, such as "3"', code: 'invalid_string' }] } });
  return Number(m[1]);
}

/** GET /admin/tickets, GET /admin/tickets/{ticketId}, POST …/assign, POST …/comment */
export function registerTicketRoutes(app: HubApp): void {
  const actDeps = (c: Parameters<Parameters<typeof app.openapi>[1]>[0]) => ({ em: c.get('em'), clock: c.get('deps').clock, crypto: c.get('deps').crypto, workflows: [...runnerDeps(c.get('deps')).workflows.keys()] });

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const rows = await listStaffTickets(c.get('em'), c.get('deps').clock, { status: q.status, type: q.type, mallId: q.mallId, assignee: q.assignee, overdue: q.overdue === 'true', after: decodeCursor(q.cursor), limit: q.limit });
    return c.json(toPage(rows, q.limit, ({ id: _id, ...view }) => view), 200);
  });

  app.openapi(get, async (c) => {
    const p = c.get('principal');
    if (p?.kind !== 'staff') throw unauthorized();
    return c.json(await getStaffTicket(actDeps(c), c.req.valid('param').ticketId, { ...auditContext(c), role: p.role }), 200);
  });

  app.openapi(assign, async (c) => {
    const b = c.req.valid('json');
    const expected = expectedVersionOf(b.expectedVersion, c.req.valid('header')['if-match']);
    return c.json(await staffAct(actDeps(c), c.req.valid('param').ticketId, auditContext(c), { kind: 'assigned', assignee: b.assignee }, expected), 200);
  });

  app.openapi(comment, async (c) => {
    const b = c.req.valid('json');
    const expected = expectedVersionOf(b.expectedVersion, c.req.valid('header')['if-match']);
    return c.json(await staffAct(actDeps(c), c.req.valid('param').ticketId, auditContext(c), { kind: 'comment', text: b.text, visibleToMall: b.visibleToMall }, expected), 200);
  });
}
