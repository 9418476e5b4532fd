import { createRoute, z } from '@hono/zod-openapi';
import { unauthorized, validationFailed } from '../../../domain/errors.ts';
import { type ORDER_ACTION_REFUSALS, RUN_STATUSES } from '../../../domain/order-actions.ts';
import { LINE_STATUSES } from '../../../domain/order-status.ts';
import { TIMELINE_KINDS, TIMELINE_SOURCES } from '../../../orders/order-timeline.ts';
import { cancelOrderLines, refundLine, rerouteLine, retryLine, type StaffActionDeps } from '../../../orders/staff-order-actions.ts';
import { getStaffOrder, searchOrders, type StaffOrderDeps, type StaffOrderDetail, type StaffOrderSummary } from '../../../orders/staff-orders.ts';
import { runnerDeps } from '../../../workflow-runner.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import type { HubEnv } from '../../context.ts';
import { documentedError, errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { ItemKindSchema, MALL_ID_EXAMPLE, OrderStatusSchema, queryParam, staffSecurity, Timestamp } from '../../schemas.ts';
import { Order, ORDER_EXAMPLE, ORDER_ID_EXAMPLE, OrderIdParam } from '../mall/order-schemas.ts';
import { MASKED_RECIPIENT_EXAMPLE, StaffRecipientSchema } from './staff-schemas.ts';
import type { Context } from 'hono';

/**
 * The staff's order routes (issue 19, admin part): search across malls, one order with its whole
 * timeline, and the order actions (retry, reroute, cancel, refund). Agents and admins; personal
 * data masked for agents, in full and audited for admins; every action audited.
 */

const staff = { security: staffSecurity, middleware: [requireRole('agent', 'admin')], tags: ['Admin: orders'] };

// ---------------------------------------------------------------------------------------------
// schemas

const StaffOrderSummarySchema = z
  .object({
    orderId: z.string().openapi({ example: ORDER_ID_EXAMPLE }),
    mallId: z.string().openapi({ example: MALL_ID_EXAMPLE }),
    mallOrderId: z.string().openapi({ example: 'JF20261201000123' }),
    status: OrderStatusSchema,
    member: z.object({ id: z.string(), tier: z.string().nullable() }),
    recipient: StaffRecipientSchema.nullable().openapi({ description: 'Always masked in a list (open the order for more); null for an order without goods' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    lines: z.array(z.object({ lineId: z.string(), skuId: z.string(), kind: ItemKindSchema, quantity: z.number().int(), status: z.enum(LINE_STATUSES) })),
  })
  .openapi('StaffOrderSummary');

const SUMMARY_EXAMPLE: StaffOrderSummary = {
  orderId: ORDER_ID_EXAMPLE,
  mallId: MALL_ID_EXAMPLE,
  mallOrderId: 'JF20261201000123',
  status: 'in_progress',
  member: { id: 'member-8812', tier: 'gold' },
  recipient: MASKED_RECIPIENT_EXAMPLE,
  createdAt: '2026-12-01T01:30:00.000Z',
  updatedAt: '2026-12-01T05:30:00.000Z',
  lines: [
    { lineId: '1', skuId: 'sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7', kind: 'physical', quantity: 1, status: 'shipped' },
    { lineId: '2', skuId: 'sku_8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', kind: 'virtual', quantity: 1, status: 'issued' },
  ],
};

const RunView = z
  .object({
    runId: z.string().openapi({ example: 'wfr_0196f0c1a3c47e5f8a9b0c1d2e3f4a5b' }),
    workflow: z.string().openapi({ description: '`fulfil-line` (goods, services) or `issue-line` (virtual)', example: 'fulfil-line' }),
    status: z.enum(RUN_STATUSES).openapi({ description: '`dead`: given up, waiting for staff (retry it); `waiting`: until `nextRunAt` (retry wakes it now)' }),
    step: z.string().openapi({ description: 'The step it is at (or died at)', example: 'await-shipment' }),
    attempt: z.number().int().openapi({ description: 'Failed attempts of that step so far' }),
    goal: z.enum(['fail', 'cancel']).nullable().openapi({ description: 'What it is being compensated towards, if it is' }),
    lastError: z.string().nullable(),
    nextRunAt: Timestamp.nullable().openapi({ description: 'When it runs next by itself (null: not scheduled)' }),
  })
  .openapi('StaffOrderLineRun');

// Made of the mall's fields, not by `extend` (which would document it as `allOf` with OrderLine, whose
// closed properties refuse the staff's own).
const StaffOrderLine = z
  .object({
    ...Order.shape.lines.element.shape,
    rechargeAccount: z.string().nullable().openapi({ description: 'Virtual lines: the account recharged, masked for an agent (`138****5678`); null otherwise', example: '136****6000' }),
    run: RunView.nullable().openapi({ description: 'The line’s workflow run (null: none)' }),
  })
  .openapi('StaffOrderLine');

export const TimelineEntry = z
  .object({
    at: Timestamp.openapi({ description: 'When it happened (a tracking event: when the carrier recorded it)' }),
    source: z.enum(TIMELINE_SOURCES).openapi({
      description:
        '`line`: the line accepted, and every event told to the mall (its moves, reroutes, refunds required, …); `workflow`: a step of a line’s or ticket’s run (or its undo); `supplier`: an attempt at a source and its costs; `shipment`, `tracking`: parcels and their scans; `webhook`: deliveries of events to the mall; `ticket`: after-sales history, internal notes included; `refund`: refunds in the ledger (to the mall, and from suppliers); `staff`: what agents and admins did',
    }),
    kind: z.enum(TIMELINE_KINDS).openapi({ description: 'What happened: an event type for `line`, `step.<status>`, `attempt.created`/`attempt.updated`, `tracking.<status>`, `ticket.<kind>`, `staff.action`, …', example: 'line.shipped' }),
    lineId: z.string().optional().openapi({ description: 'The mall’s line id, when the entry is about one line' }),
    summary: z.string().openapi({ description: 'One line for people; no personal data', example: 'line 1: line.shipped (event #4)' }),
    data: z.record(z.string(), z.unknown()).openapi({ description: 'The entry’s facts (ids, statuses, amounts, the event’s body, the audit entry): never personal data' }),
  })
  .openapi('OrderTimelineEntry');

const StaffOrder = z.object({
  ...Order.shape,
  mallId: z.string().openapi({ example: MALL_ID_EXAMPLE }),
  recipient: StaffRecipientSchema.nullable().openapi({ description: 'Masked for an agent; in full for an admin (the read is audited as `order.read_personal_data`); null for an order without goods' }),
  lines: z.array(StaffOrderLine),
  timeline: z.array(TimelineEntry).openapi({ description: 'Everything that happened to the order, oldest first' }),
}).openapi('StaffOrder');
type StaffOrderView = z.infer<typeof StaffOrder>;

const DETAIL_EXAMPLE: StaffOrderView = {
  ...ORDER_EXAMPLE,
  mallId: MALL_ID_EXAMPLE,
  recipient: MASKED_RECIPIENT_EXAMPLE,
  lines: ORDER_EXAMPLE.lines.map((l) => ({
    ...l,
    rechargeAccount: l.kind === 'virtual' ? '136****6000' : null,
    run: {
      runId: l.lineId === '1' ? 'wfr_0196f0c1a3c47e5f8a9b0c1d2e3f4a5b' : 'wfr_0196f0c1a3c47e5f8a9b0c1d2e3f4a5c',
      workflow: l.kind === 'virtual' ? 'issue-line' : 'fulfil-line',
      status: l.status === 'issued' ? 'succeeded' : 'waiting',
      step: l.kind === 'virtual' ? 'poll-issuance' : 'await-shipment',
      attempt: 0,
      goal: null,
      lastError: null,
      nextRunAt: l.status === 'issued' ? null : '2026-12-01T11:28:00.000Z',
    },
  })),
  timeline: [
    { at: '2026-12-01T01:30:00.000Z', source: 'line', kind: 'line.created', lineId: '1', summary: 'line 1: 1 × sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7 (physical) accepted', data: { skuId: 'sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7', kind: 'physical', quantity: 1 } },
    { at: '2026-12-01T01:30:01.204Z', source: 'workflow', kind: 'step.succeeded', lineId: '1', summary: 'fulfil-line pick-source: succeeded', data: { runId: 'wfr_0196f0c1a3c47e5f8a9b0c1d2e3f4a5b', step: 'pick-source', seq: 1, output: { supplierId: 'jd', seq: 1 } } },
    { at: '2026-12-01T01:30:02.870Z', source: 'supplier', kind: 'attempt.updated', lineId: '1', summary: 'attempt 1 at jd: accepted (supplier order 284761093512)', data: { supplierId: 'jd', status: 'accepted', supplierOrderId: '284761093512' } },
    { at: '2026-12-01T05:10:00.000Z', source: 'tracking', kind: 'tracking.picked_up', lineId: '1', summary: 'JD JDVA01234567890: 您的订单已出库 (北京市大兴区)', data: { carrier: 'JD', trackingNo: 'JDVA01234567890', status: 'picked_up' } },
    { at: '2026-12-01T05:12:30.000Z', source: 'webhook', kind: 'delivery.attempt', summary: 'line.shipped #4 to the mall: HTTP 200 (84 ms)', data: { type: 'line.shipped', statusCode: 200, latencyMs: 84 } },
    { at: '2026-12-03T09:40:00.000Z', source: 'staff', kind: 'staff.action', lineId: '1', summary: 'agent cred_0196f0b2c4d57e8f9a0b1c2d3e4f5a6b: order.retry', data: { action: 'order.retry', actorType: 'agent' } },
  ],
};

// ---------------------------------------------------------------------------------------------
// GET /admin/orders, GET /admin/orders/{orderId}

const SearchQuery = PageQuery.extend({
  mallOrderId: queryParam('mallOrderId', z.string().trim().min(1).max(64).optional(), 'The mall’s own order id, exactly', 'JF20261201000123'),
  phoneTail: queryParam('phoneTail', z.string().regex(/^\d{4}$/, 'exactly 4 digits').optional(), 'The last four digits of the recipient’s phone (looked up by a keyed hash, never by decrypting recipients)', '5678'),
  trackingNo: queryParam('trackingNo', z.string().trim().min(1).max(64).optional(), 'A parcel’s waybill number, exactly', 'JDVA01234567890'),
  supplierOrderId: queryParam('supplierOrderId', z.string().trim().min(1).max(64).optional(), 'A supplier’s order id (of any attempt of a line), exactly', '284761093512'),
  mallId: queryParam('mallId', z.string().max(64).optional(), 'Only this mall’s orders', MALL_ID_EXAMPLE),
});

const KEY_REQUIRED = documentedError(400, {
  description: 'No search key given, a phone tail that is not four digits, or another parameter that fails validation (`validation_failed`)',
  examples: {
    noKey: { summary: 'No search key', value: { error: { code: 'validation_failed', message: 'give at least one search key', details: { fields: [{ path: 'query', message: 'give at least one of mallOrderId, phoneTail, trackingNo, supplierOrderId', code: 'required' }] } } } },
    phoneTail: { summary: 'Phone tail of three digits', value: { error: { code: 'validation_failed', message: 'request validation failed', details: { fields: [{ path: 'query.phoneTail', message: 'exactly 4 digits', code: 'invalid_format' }] } } } },
  },
});

const search = createRoute({
  method: 'get',
  path: '/admin/orders',
  operationId: 'searchOrdersForStaff',
  ...staff,
  summary: 'Find orders of every mall by mall order id, phone tail, tracking number or supplier order id (agents and admins)',
  description:
    'At least one of `mallOrderId`, `phoneTail` (the recipient phone’s last four digits), `trackingNo`, `supplierOrderId` (400 otherwise); every key given must match, and `mallId` narrows to one mall. Newest first. Recipients are masked in the list for everyone; GET /admin/orders/{orderId} shows an admin the full order.',
  request: { query: SearchQuery },
  responses: { 200: jsonResponse('Orders found', pageOf(StaffOrderSummarySchema), { items: [SUMMARY_EXAMPLE], nextCursor: null }), 400: KEY_REQUIRED, ...errorResponses(403) },
});

const get = createRoute({
  method: 'get',
  path: '/admin/orders/{orderId}',
  operationId: 'getOrderForStaff',
  ...staff,
  summary: 'One order of any mall with its lines, their workflow runs and the whole timeline (agents and admins)',
  description:
    'The order as its mall reads it, plus its mall, its recipient and recharge accounts (masked for an agent: `张*`, `138****5678`, street address hidden; in full for an admin, and that read is written to the audit log as `order.read_personal_data`), each line’s workflow run, and one timeline merging the lines’ moves and every event told to the mall, workflow steps, supplier attempts and costs, parcels and tracking, webhook deliveries, after-sales tickets (internal notes included), refunds and staff actions, oldest first. The timeline carries no personal data.',
  request: { params: OrderIdParam },
  responses: { 200: jsonResponse('The order', StaffOrder, DETAIL_EXAMPLE), ...errorResponses(403, 404) },
});

// ---------------------------------------------------------------------------------------------
// POST /admin/orders/{orderId}/actions/{retry|reroute|cancel|refund}

const LineIdField = z.string().trim().min(1).max(64).openapi({ description: 'The mall’s line id', example: '1' });

const ACTION_NOTE = 'Refused whole with a 4xx (nothing written) on bad input; an unknown order or line is 404. Audited (actor, before and after, request id).';

const NOT_FOUND = documentedError(404, {
  description: 'No such order, or the order has no such line (`not_found`, `details.lineIds`)',
  examples: {
    order: { summary: 'Unknown order', value: { error: { code: 'not_found', message: 'order not found' } } },
    line: { summary: 'Unknown line', value: { error: { code: 'not_found', message: `order ${ORDER_ID_EXAMPLE} has no line 9`, details: { lineIds: ['9'] } } } },
  },
});

const notEligible = (description: string, examples: Record<string, { summary: string; value: { error: { code: 'not_eligible'; message: string; details: { reason: (typeof ORDER_ACTION_REFUSALS)[number]; lineId: string; asked?: number; left?: number; lineStatus?: (typeof LINE_STATUSES)[number]; supplierId?: string } } } }>) =>
  documentedError(422, { description, examples });

const RetryBody = z.object({ lineId: LineIdField }).strict().openapi('RetryOrderLineRequest');
const RetryResult = z
  .object({
    orderId: z.string(),
    lineId: z.string(),
    runId: z.string(),
    action: z.enum(['replayed', 'woken']).openapi({ description: '`replayed`: the dead run was put back to work where it died; `woken`: the waiting run goes on now' }),
    runStatus: z.enum(['waiting', 'compensating']).openapi({ description: 'The run now: `waiting` (queued to run its step), `compensating` (a failed undo tried again)' }),
  })
  .openapi('RetryOrderLineResult');

const retry = createRoute({
  method: 'post',
  path: '/admin/orders/{orderId}/actions/retry',
  operationId: 'retryOrderLine',
  ...staff,
  summary: 'Retry a line’s workflow: replay it if dead, wake it if waiting (agents and admins)',
  description: `A dead run (given up after its last attempt) is replayed from where it died; a waiting one is woken to run its step now. A run in any other state is 409 \`conflict\` with \`details\` (its id, status and step). ${ACTION_NOTE}`,
  request: { params: OrderIdParam, body: jsonBody(RetryBody, { lineId: '1' }) },
  responses: {
    202: jsonResponse('Queued', RetryResult, { orderId: ORDER_ID_EXAMPLE, lineId: '1', runId: 'wfr_0196f0c1a3c47e5f8a9b0c1d2e3f4a5b', action: 'replayed', runStatus: 'waiting' }),
    409: documentedError(409, {
      description: 'The line’s run is neither dead nor waiting, or it has none (`conflict`)',
      examples: { running: { summary: 'Nothing to retry', value: { error: { code: 'conflict', message: "line 1's run is succeeded at await-shipment: only a dead run is replayed, or a waiting one woken", details: { runId: 'wfr_0196f0c1a3c47e5f8a9b0c1d2e3f4a5b', status: 'succeeded', step: 'await-shipment' } } } } },
    }),
    404: NOT_FOUND,
    ...errorResponses(400, 403),
  },
});

const RerouteBody = z
  .object({
    lineId: LineIdField,
    supplierId: z.string().trim().min(1).max(64).optional().openapi({ description: 'The source to send the line to (it must offer the item and, for goods, be able to sell the quantity to the recipient’s region now: 422 otherwise); omitted: routing chooses among the sources not tried yet', example: 'brand-acme' }),
    reason: z.string().trim().min(1).max(200).default('rerouted by an agent').openapi({ description: 'Why (kept on the attempt, told to the mall in `line.rerouted`, and in the audit log)', example: '京东库存不足，改由品牌方发货' }),
  })
  .strict()
  .openapi('RerouteOrderLineRequest');
const RerouteResult = z
  .object({
    orderId: z.string(),
    lineId: z.string(),
    runId: z.string(),
    previousSource: z.string().nullable().openapi({ description: 'The source the line was with (null: none chosen yet)', example: 'jd' }),
    previousAttempt: z.enum(['cancelled', 'given_up', 'none']).openapi({ description: '`cancelled`: its order was cancelled at that supplier; `given_up`: nothing had been placed there; `none`: there was no attempt' }),
    requestedSource: z.string().nullable().openapi({ description: 'The source named (null: routing chooses)', example: 'brand-acme' }),
  })
  .openapi('RerouteOrderLineResult');

const reroute = createRoute({
  method: 'post',
  path: '/admin/orders/{orderId}/actions/reroute',
  operationId: 'rerouteOrderLine',
  ...staff,
  summary: 'Send a line not yet shipped or issued back to source choice: to a named source, or routing’s choice (agents and admins)',
  description: `The line’s run is held (as a mall’s cancel holds it) while its current attempt is given up: an order placed at the supplier is cancelled there first. Then the run goes back to choosing a source (the named one first, else the cheapest source not tried yet that has it for the address), and the mall gets \`line.rerouted\` once it is chosen. A line shipped, issued, or virtual and already with its provider is 422 \`line_status\`; a named source that does not offer the item or cannot sell it to the recipient’s region now is 422 \`source_cannot_sell\`; no other source is 422 \`no_other_source\`. A supplier that can no longer cancel its order, a run that is dead (retry or abort it), being cancelled, or busy: 409. A supplier that cannot be asked: 503. ${ACTION_NOTE}`,
  request: { params: OrderIdParam, body: jsonBody(RerouteBody, { lineId: '1', supplierId: 'brand-acme', reason: '京东库存不足，改由品牌方发货' }) },
  responses: {
    202: jsonResponse('The line is choosing its source again', RerouteResult, { orderId: ORDER_ID_EXAMPLE, lineId: '1', runId: 'wfr_0196f0c1a3c47e5f8a9b0c1d2e3f4a5b', previousSource: 'jd', previousAttempt: 'cancelled', requestedSource: 'brand-acme' }),
    422: notEligible('The line cannot be rerouted as asked (`not_eligible`, `details.reason`)', {
      source: { summary: 'Named source cannot sell it', value: { error: { code: 'not_eligible', message: 'brand-acme does not offer this item', details: { reason: 'source_cannot_sell', lineId: '1', supplierId: 'brand-acme' } } } },
      status: { summary: 'Shipped already', value: { error: { code: 'not_eligible', message: 'line 1 is shipped: only a line not yet shipped or issued is rerouted', details: { reason: 'line_status', lineId: '1', lineStatus: 'shipped' } } } },
      other: { summary: 'No other source', value: { error: { code: 'not_eligible', message: 'no source but jd (tried already) offers this item: name one to send the line to it again', details: { reason: 'no_other_source', lineId: '1' } } } },
    }),
    409: documentedError(409, {
      description: 'The supplier can no longer cancel its order, or the line’s run is dead, being cancelled or busy (`conflict`); nothing was changed',
      examples: { confirmed: { summary: 'Gone too far', value: { error: { code: 'conflict', message: 'the supplier can no longer cancel order 284761093512 (shipped): the line stays with it' } } } },
    }),
    404: NOT_FOUND,
    ...errorResponses(400, 403),
  },
});

const CancelBody = z
  .object({
    lineIds: z.array(z.string().min(1).max(64)).min(1).max(50).optional().openapi({ description: 'Lines to cancel (the mall’s line ids); all lines when omitted. A line the order does not have is 404, and nothing is cancelled', example: ['1'] }),
    reason: z.string().trim().min(1).max(200).openapi({ description: 'Why (told to the mall in `line.cancelled`, and in the audit log)', example: '会员致电客服取消兑换' }),
  })
  .strict()
  .openapi('StaffCancelOrderRequest');
const StaffCancelResult = z
  .object({
    orderId: z.string(),
    lines: z.array(z.object({ lineId: z.string(), result: z.enum(['cancelled', 'not_cancellable']), reason: z.string().optional().openapi({ description: 'Why not (`not_cancellable`)' }) })),
    order: Order,
  })
  .openapi('StaffCancelOrderResult');

const cancel = createRoute({
  method: 'post',
  path: '/admin/orders/{orderId}/actions/cancel',
  operationId: 'cancelOrderForStaff',
  ...staff,
  summary: 'Cancel lines of an order as its mall would, on staff’s word (agents and admins)',
  description: `The mall’s cancel (POST /v1/orders/{orderId}/cancel) made by staff: per line \`cancelled\` (at its supplier first where it was placed; refunded, \`line.cancelled\` told to the mall) or \`not_cancellable\` with the reason. When a supplier cannot be asked, those lines are left as they were and the answer is 503 with \`details.undecided\` and \`details.decided\`. The audit entry lists every line’s result. ${ACTION_NOTE}`,
  request: { params: OrderIdParam, body: jsonBody(CancelBody, { lineIds: ['1'], reason: '会员致电客服取消兑换' }) },
  responses: {
    200: jsonResponse('Per line: cancelled, or not_cancellable with the reason; and the order after the cancel', StaffCancelResult, {
      orderId: ORDER_ID_EXAMPLE,
      lines: [{ lineId: '1', result: 'not_cancellable', reason: 'line is shipped' }],
      order: ORDER_EXAMPLE,
    }),
    404: NOT_FOUND,
    ...errorResponses(400, 403),
  },
});

const RefundBody = z
  .object({
    lineId: LineIdField,
    units: z.number().int().min(1).max(100_000).openapi({ description: 'Units to refund: at most those paid and not refunded yet', example: 1 }),
    reason: z.string().trim().min(1).max(200).openapi({ description: 'Why (told to the mall in `refund.required`, and in the audit log)', example: '商品破损，协商退款' }),
  })
  .strict()
  .openapi('StaffRefundRequest');
const StaffRefundResult = z
  .object({
    orderId: z.string(),
    lineId: z.string(),
    units: z.number().int(),
    points: z.number().int().openapi({ description: 'Points the mall gives the member back (what those units were paid)' }),
    cashFen: z.number().int().openapi({ description: 'Cash (fen) the mall gives back' }),
    ref: z.string().openapi({ description: 'The refund’s key in the ledger: `staff:` and the request’s X-Request-Id', example: 'staff:4f9e1c62-7a0b-4b8e-9d3c-2a1f6e5b7c80' }),
    repeated: z.boolean().openapi({ description: 'true: this X-Request-Id refunded already; the same refund is answered and nothing new is written' }),
  })
  .openapi('StaffRefundResult');

const refund = createRoute({
  method: 'post',
  path: '/admin/orders/{orderId}/actions/refund',
  operationId: 'refundOrderLine',
  ...staff,
  summary: 'Refund units of a line (agents up to their limit, admins any amount)',
  description: `Writes the refund to the ledger and tells the mall (\`refund.required\` with units, points and cash; the line becomes \`refunded\` once every unit is). The amount is what those units were paid. An agent may refund up to \`HUB_AGENT_REFUND_LIMIT_POINTS\` points and \`HUB_AGENT_REFUND_LIMIT_FEN\` fen at once; above either, 403 \`forbidden\` (an admin must make it). Idempotent on the request’s \`X-Request-Id\`: a repeat answers the same refund (\`repeated: true\`) and writes nothing; that id used for another line is 409. A line still being fulfilled (cancel it instead) or cancelled is 422 \`line_status\`; more units than paid and not refunded is 422 \`quantity_exceeded\`. ${ACTION_NOTE}`,
  request: { params: OrderIdParam, body: jsonBody(RefundBody, { lineId: '1', units: 1, reason: '商品破损，协商退款' }) },
  responses: {
    200: jsonResponse('Refunded', StaffRefundResult, { orderId: ORDER_ID_EXAMPLE, lineId: '1', units: 1, points: 329_900, cashFen: 0, ref: 'staff:4f9e1c62-7a0b-4b8e-9d3c-2a1f6e5b7c80', repeated: false }),
    403: documentedError(403, {
      description: 'Not a staff role this route takes, or an agent asking more than their refund limit (`forbidden`, `details`: the limit and the refund)',
      examples: {
        limit: {
          summary: 'Above the agent limit',
          value: { error: { code: 'forbidden', message: "a refund of 329900 points and 0 fen is above an agent's limit (20000 points, 20000 fen): an admin must make it", details: { limit: { points: 20_000, cashFen: 20_000 }, refund: { points: 329_900, cashFen: 0 }, requiredRole: 'admin' } } },
        },
      },
    }),
    409: documentedError(409, {
      description: 'This X-Request-Id made a refund of another line (`conflict`): send a new one',
      examples: { reused: { summary: 'Request id reused', value: { error: { code: 'conflict', message: 'request id 4f9e1c62-7a0b-4b8e-9d3c-2a1f6e5b7c80 refunded another line already: send a new X-Request-Id for a new refund' } } } },
    }),
    422: notEligible('The line cannot be refunded as asked (`not_eligible`, `details.reason`)', {
      units: { summary: 'More units than left', value: { error: { code: 'not_eligible', message: 'line 1: 3 units asked to be refunded, 1 left that were paid and not refunded', details: { reason: 'quantity_exceeded', lineId: '1', asked: 3, left: 1 } } } },
      status: { summary: 'Still being fulfilled', value: { error: { code: 'not_eligible', message: 'line 1 is accepted: it is still being fulfilled: cancel it instead', details: { reason: 'line_status', lineId: '1', lineStatus: 'accepted' } } } },
    }),
    404: NOT_FOUND,
    ...errorResponses(400),
  },
});

// ---------------------------------------------------------------------------------------------

type C = Context<HubEnv>;

function viewer(c: C) {
  const p = c.get('principal');
  if (p?.kind !== 'staff') throw unauthorized();
  return { ...auditContext(c), role: p.role };
}

const orderDeps = (c: C): StaffOrderDeps => {
  const deps = c.get('deps');
  return { em: c.get('em'), clock: deps.clock, crypto: deps.crypto, keyIds: deps.config.encryptionKeys.map((k) => k.id), workflows: [...runnerDeps(deps).workflows.keys()] };
};

const actionDeps = (c: C): StaffActionDeps => {
  const deps = c.get('deps');
  return { ...runnerDeps(deps), em: c.get('em'), refundLimits: deps.config.aftersale.agentRefundLimit };
};

/** GET /admin/orders, GET /admin/orders/{orderId}, POST /admin/orders/{orderId}/actions/{retry|reroute|cancel|refund} */
export function registerOrderRoutes(app: HubApp): void {
  app.openapi(search, async (c) => {
    const q = c.req.valid('query');
    if (q.mallOrderId === undefined && q.phoneTail === undefined && q.trackingNo === undefined && q.supplierOrderId === undefined) {
      throw validationFailed([{ path: 'query', message: 'give at least one of mallOrderId, phoneTail, trackingNo, supplierOrderId', code: 'required' }], 'give at least one search key');
    }
    const rows = await searchOrders(orderDeps(c), { ...q, after: decodeCursor(q.cursor), limit: q.limit });
    return c.json(toPage(rows, q.limit, ({ id: _id, ...view }) => view), 200);
  });

  app.openapi(get, async (c) => {
    // The mall's order view types a line's kind as a string; it is always one of ITEM_KINDS.
    const order: StaffOrderDetail = await getStaffOrder(orderDeps(c), c.req.valid('param').orderId, viewer(c));
    return c.json(order as StaffOrderView, 200);
  });

  app.openapi(retry, async (c) => c.json(await retryLine(actionDeps(c), c.req.valid('param').orderId, c.req.valid('json').lineId, viewer(c)), 202));

  app.openapi(reroute, async (c) => {
    const b = c.req.valid('json');
    return c.json(await rerouteLine(actionDeps(c), c.req.valid('param').orderId, b.lineId, { supplierId: b.supplierId, reason: b.reason }, viewer(c)), 202);
  });

  app.openapi(cancel, async (c) => {
    const b = c.req.valid('json');
    const out = await cancelOrderLines(actionDeps(c), c.req.valid('param').orderId, { lineIds: b.lineIds, reason: b.reason }, viewer(c));
    return c.json({ ...out, order: out.order as Order }, 200);
  });

  app.openapi(refund, async (c) => {
    const b = c.req.valid('json');
    return c.json(await refundLine(actionDeps(c), c.req.valid('param').orderId, b.lineId, { units: b.units, reason: b.reason }, viewer(c)), 200);
  });
}
