import { z } from 'zod';
import { RESOLUTION_ACTIONS, TICKET_STATUSES, TICKET_TYPES } from '../domain/aftersales.ts';
import { LINE_STATUSES, ORDER_STATUSES } from '../domain/order-status.ts';
import { CARRIERS, ITEM_KINDS, TRACKING_STATUSES } from '../domain/supplier-shapes.ts';

/**
 * Every event the hub sends to a mall, one schema per type: the body exactly as a webhook POSTs it
 * (`src/mall-webhooks/webhook-attempts.ts` builds it) and as `GET /v1/events` lists it,
 * `{id, type, createdAt, data}`, with `orderId`, `mallOrderId` and `seq` inside `data` for order
 * events. Emitters are typed by these schemas (`lineEvent`, the order's final event), the HTTP
 * layer registers them in the OpenAPI document's `webhooks` section and as the `MallEvent` union,
 * and a test validates every event a realistic run writes against them.
 *
 * Plain zod with `.meta()` (this capability does not depend on the HTTP framework): the HTTP layer
 * gives each schema its component name.
 */

const ORDER_ID = 'ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d';
const MALL_ORDER_ID = 'JF20261201000123';
const SKU_ID = 'sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7';

const count = z.number().int().min(0);
const dateTime = z.iso.datetime().meta({ description: 'RFC 3339, UTC, milliseconds', example: '2026-12-01T01:30:00.000Z' });

/** `data` fields of every order event. */
const orderRef = {
  orderId: z.string().meta({ description: 'The hub’s order id', example: ORDER_ID }),
  mallOrderId: z.string().meta({ description: 'The mall’s own order id, as sent to POST /v1/orders', example: MALL_ORDER_ID }),
  seq: z.number().int().min(1).meta({ description: 'Position of this event among the order’s events: 1 for `order.accepted`, then +1 per event, without gaps', example: 3 }),
};
/** …and of every line event. */
const lineRef = { ...orderRef, lineId: z.string().meta({ description: 'The mall’s line id, as sent in `lines[].lineId`', example: '1' }) };

const supplierId = (description: string) => z.string().meta({ description, example: 'jd' });
const shipment = z.object({
  carrier: z.enum(CARRIERS),
  trackingNo: z.string().min(1).meta({ example: 'SF1234567890123' }),
  status: z.enum(TRACKING_STATUSES),
});
const trackingEvent = z.object({
  status: z.enum(TRACKING_STATUSES),
  at: dateTime.meta({ description: 'When the carrier recorded it (RFC 3339, UTC)' }),
  location: z.string().optional(),
  description: z.string(),
});
const maskedVoucher = z.object({
  code: z.string().meta({ description: 'The code masked: only its last four characters are shown. Read the full codes with GET /v1/orders/{orderId}/lines/{lineId}/vouchers', example: '********8812' }),
  expiresAt: dateTime.nullable(),
});

/** A line as the order's final event reports it. */
const finalLine = z.object({
  lineId: z.string(),
  skuId: z.string(),
  kind: z.enum(ITEM_KINDS),
  status: z.enum(LINE_STATUSES),
  quantity: z.number().int().min(1),
  quantityFulfilled: count,
  quantityFailed: count,
  quantityCancelled: count,
  pointsPaid: count.meta({ description: 'What the member paid for the line (total)' }),
  cashPaidFen: count.meta({ description: 'What the member paid for the line (total), in fen' }),
  refundedPoints: count.meta({ description: 'Points the mall has been told to give back for this line (sum of its refunds)' }),
  refundedCashFen: count.meta({ description: 'Cash the mall has been told to give back for this line (sum of its refunds), in fen' }),
});
const totals = z
  .object({
    lines: z.number().int().min(1),
    quantity: z.number().int().min(1),
    quantityFulfilled: count,
    quantityFailed: count,
    quantityCancelled: count,
    pointsPaid: count,
    cashPaidFen: count,
    refundedPoints: count,
    refundedCashFen: count,
  })
  .meta({ description: 'Sums over the lines' });

/** The statuses an order's final event reports, by event type. */
export const ORDER_FINAL_EVENTS = {
  completed: 'order.completed',
  partially_failed: 'order.partially_failed',
  failed: 'order.failed',
  cancelled: 'order.cancelled',
} as const;
export type FinalOrderStatus = keyof typeof ORDER_FINAL_EVENTS;

const orderFinal = <S extends FinalOrderStatus>(status: S) =>
  z.object({
    ...orderRef,
    status: z.literal(status).meta({ description: 'The order’s status now (the event type says it too)' }),
    previousStatus: z.enum(ORDER_STATUSES).meta({ description: 'The order’s status before this change: `in_progress` or `accepted` when fulfilment ends, `completed` or `partially_failed` after an after-sales refund' }),
    lines: z.array(finalLine).min(1).meta({ description: 'Every line of the order, by lineId, with its final status and counts' }),
    totals,
  });

const envelope = <T extends string, D extends z.ZodObject>(type: T, data: D) =>
  z.object({
    id: z.string().regex(/^evt_[0-9a-f]{32}$/).meta({ description: 'The event id; also the `webhook-id` header, the same on every retry: deduplicate on it', example: 'evt_0196f0c1a2b37d4e8f9a0b1c2d3e4f50' }),
    type: z.literal(type),
    createdAt: dateTime.meta({ description: 'When the hub wrote the event (in the transaction of the change it reports)' }),
    data,
  });

/** The body of each event type. */
/** How a ticket was settled, as the mall reads it (on `aftersale.updated` and the ticket). */
export const TicketResolution = z.object({
  action: z.enum(RESOLUTION_ACTIONS).meta({ description: '`refund`: the member gets the units’ points and cash back (see `refund.required`); `reship`: the units are sent again; `reissue`: the benefit is issued again; `return_to_supplier`: the goods went back and the supplier replaced them (exchange); `reject`: the claim is not upheld (see `note` and `evidence`)' }),
  units: z.number().int().min(0).meta({ description: 'Units the resolution covers' }),
  by: z.enum(['hub', 'staff']).meta({ description: '`hub`: settled by the hub on the evidence, with no agent; `staff`: by a support agent or admin' }),
  refund: z.object({ points: z.number().int().min(0), cashFen: z.number().int().min(0) }).optional().meta({ description: 'What the member gets back (the `refund.required` event carries the same)' }),
  shipment: z.object({ supplierOrderId: z.string(), carrier: z.enum(CARRIERS).optional(), trackingNo: z.string().optional() }).optional().meta({ description: 'The replacement: its supplier order and, once shipped, its parcel' }),
  evidence: z.object({ providerOrderId: z.string(), issuedAt: dateTime.optional(), vouchers: z.array(z.string()).optional() }).optional().meta({ description: 'For a virtual benefit the provider says it issued: its order id, when, and the voucher codes masked' }),
  note: z.string().optional().meta({ description: 'Why, in words the mall can pass on to the member' }),
});

export const MALL_EVENT_SCHEMAS = {
  'order.accepted': envelope('order.accepted', z.object({ ...orderRef, lines: z.array(z.object({ lineId: z.string(), skuId: z.string(), quantity: z.number().int().min(1) })).min(1) })),
  'line.submitted': envelope('line.submitted', z.object({ ...lineRef, source: supplierId('The supplier the line was placed at') })),
  'line.rerouted': envelope('line.rerouted', z.object({
    ...lineRef,
    from: supplierId('The source that refused, cancelled or failed the line'),
    to: supplierId('The source chosen next'),
    reason: z.string().nullable().meta({ description: 'Why the previous source gave up, as it said (or null)' }),
  })),
  'line.shipped': envelope('line.shipped', z.object({ ...lineRef, source: supplierId('The supplier that shipped it'), shipments: z.array(shipment).meta({ description: 'The parcels on their way that have a waybill' }) })),
  'line.tracking_updated': envelope('line.tracking_updated', z.object({
    ...lineRef,
    carrier: z.enum(CARRIERS),
    trackingNo: z.string().min(1),
    status: z.enum(TRACKING_STATUSES).meta({ description: 'The parcel’s status now' }),
    events: z.array(trackingEvent).min(1).meta({ description: 'The new tracking events, oldest first' }),
  })),
  'line.delivered': envelope('line.delivered', z.object({ ...lineRef, source: supplierId('The supplier that shipped it'), shipments: z.array(shipment).meta({ description: 'Every parcel of the line that has a waybill' }) })),
  'line.issued': envelope('line.issued', z.object({
    ...lineRef,
    source: supplierId('The provider that issued it'),
    voucherCount: count.meta({ description: 'How many codes were issued (0 for a recharge to an account)' }),
    vouchers: z.array(maskedVoucher).meta({ description: 'The codes, masked as in the order view (`issuance.vouchers`); never the full codes' }),
  })),
  'line.cancelled': envelope('line.cancelled', z.object({ ...lineRef, reason: z.string().meta({ description: 'The reason the mall gave' }), quantityCancelled: z.number().int().min(1) })),
  'line.failed': envelope('line.failed', z.object({ ...lineRef, reason: z.string(), quantityFailed: z.number().int().min(0) })),
  'refund.required': envelope('refund.required', z.object({
    ...lineRef,
    points: count.meta({ description: 'Points to give back to the member' }),
    cashFen: count.meta({ description: 'Cash to give back to the member, in fen' }),
    units: count.meta({ description: 'Units this refund is for' }),
    reason: z.string(),
    ticketId: z.string().regex(/^ast_[0-9a-f]{32}$/).optional().meta({ description: 'The after-sales ticket this refund settles (absent for units that failed or were cancelled)' }),
  })),
  'order.completed': envelope('order.completed', orderFinal('completed')),
  'order.partially_failed': envelope('order.partially_failed', orderFinal('partially_failed')),
  'order.failed': envelope('order.failed', orderFinal('failed')),
  'order.cancelled': envelope('order.cancelled', orderFinal('cancelled')),
  'aftersale.updated': envelope('aftersale.updated', z.object({
    ...lineRef,
    ticketId: z.string().regex(/^ast_[0-9a-f]{32}$/).meta({ description: 'The after-sales ticket', example: 'ast_0196f0c1a2b37d4e8f9a0b1c2d3e4f60' }),
    type: z.enum(TICKET_TYPES),
    status: z.enum(TICKET_STATUSES).meta({ description: 'The ticket’s status now' }),
    quantity: z.number().int().min(1).meta({ description: 'Units the ticket is about' }),
    change: z.enum(['opened', 'evidence_added', 'withdrawn', 'comment', 'progress', 'resolved', 'rejected']).meta({
      description: 'What happened: opened, evidence added, withdrawn by the mall; `comment`: the hub’s staff wrote to the mall (read it in the ticket’s history); `progress`: the ticket moved on (the supplier answered, a replacement shipped); `resolved` or `rejected`: settled, see `resolution`',
    }),
    resolution: TicketResolution.optional().meta({ description: 'How the ticket was settled (with `resolved` and `rejected`)' }),
  })),
  'catalog.changed': envelope('catalog.changed', z.object({
    cursor: z.string().regex(/^c\d{1,18}$/).meta({ description: 'Read GET /v1/catalog/changes from this cursor', example: 'c18234' }),
  })),
} as const;

export type MallEventType = keyof typeof MALL_EVENT_SCHEMAS;
export const MALL_EVENT_TYPES = Object.keys(MALL_EVENT_SCHEMAS) as MallEventType[];
/** An event body of one type, as delivered. */
export type MallEventBody<T extends MallEventType = MallEventType> = z.infer<(typeof MALL_EVENT_SCHEMAS)[T]>;
/** The `data` of an event type. */
export type MallEventData<T extends MallEventType> = MallEventBody<T>['data'];

/** Event types about one line of an order (they carry `lineId`). */
export type LineEventType = Extract<MallEventType, `line.${string}` | 'refund.required' | 'aftersale.updated'>;
/** What an emitter of a line event writes: the ids every line event carries are added for it. */
export type LineEventPayload<T extends LineEventType> = Omit<MallEventData<T>, 'orderId' | 'mallOrderId' | 'lineId' | 'seq'>;
/** A line event as a caller hands it over, to be appended with the line's ids. */
export type LineEventInput = { [T in LineEventType]: { type: T; data: LineEventPayload<T> } }[LineEventType];
/** The stored `data` of an order's final event (`seq` is added when it is read or delivered). */
export type OrderFinalData = Omit<MallEventData<'order.completed'>, 'seq' | 'status'> & { status: FinalOrderStatus };

/** What the documentation says about each type, with a realistic example body. */
export interface MallEventDoc {
  type: MallEventType;
  /** Component name in the OpenAPI document. */
  name: string;
  summary: string;
  description: string;
  example: MallEventBody;
}

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 1, 30 + minutes)).toISOString();
const evt = (n: number) => `evt_0196f0c1a2b37d4e8f9a0b1c2d3e4f${(0x50 + n).toString(16)}`;
const lineIds = { orderId: ORDER_ID, mallOrderId: MALL_ORDER_ID, lineId: '1' };
const finalLines = {
  delivered: { lineId: '1', skuId: SKU_ID, kind: 'physical', status: 'delivered', quantity: 1, quantityFulfilled: 1, quantityFailed: 0, quantityCancelled: 0, pointsPaid: 329_900, cashPaidFen: 0, refundedPoints: 0, refundedCashFen: 0 },
  issued: { lineId: '2', skuId: 'sku_8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', kind: 'virtual', status: 'issued', quantity: 1, quantityFulfilled: 1, quantityFailed: 0, quantityCancelled: 0, pointsPaid: 5_800, cashPaidFen: 0, refundedPoints: 0, refundedCashFen: 0 },
  failed: { lineId: '2', skuId: 'sku_8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', kind: 'virtual', status: 'failed', quantity: 1, quantityFulfilled: 0, quantityFailed: 1, quantityCancelled: 0, pointsPaid: 5_800, cashPaidFen: 0, refundedPoints: 5_800, refundedCashFen: 0 },
  cancelled: { lineId: '1', skuId: SKU_ID, kind: 'physical', status: 'cancelled', quantity: 1, quantityFulfilled: 0, quantityFailed: 0, quantityCancelled: 1, pointsPaid: 329_900, cashPaidFen: 0, refundedPoints: 329_900, refundedCashFen: 0 },
} as const;
const sum = (lines: readonly (typeof finalLines)[keyof typeof finalLines][]) => ({
  lines: lines.length,
  quantity: lines.reduce((n, l) => n + l.quantity, 0),
  quantityFulfilled: lines.reduce((n, l) => n + l.quantityFulfilled, 0),
  quantityFailed: lines.reduce((n, l) => n + l.quantityFailed, 0),
  quantityCancelled: lines.reduce((n, l) => n + l.quantityCancelled, 0),
  pointsPaid: lines.reduce((n, l) => n + l.pointsPaid, 0),
  cashPaidFen: lines.reduce((n, l) => n + l.cashPaidFen, 0),
  refundedPoints: lines.reduce((n, l) => n + l.refundedPoints, 0),
  refundedCashFen: lines.reduce((n, l) => n + l.refundedCashFen, 0),
});

const FINAL_RULE =
  'Sent once each time the order’s status (derived from its lines) becomes this final status, in the transaction of the line move that made it so, after that move’s own line events: it is the last event of the order unless an after-sales refund later moves the order on (`completed` → `partially_failed` → `failed`, each with its own final event).';

/** Documentation and examples of every event type, in the order of the contract's table. */
export const MALL_EVENT_DOCS: readonly MallEventDoc[] = [
  {
    type: 'order.accepted', name: 'OrderAcceptedEvent', summary: 'The order was accepted',
    description: 'Written with the order by POST /v1/orders (seq 1). `lines` lists what was ordered.',
    example: { id: evt(0), type: 'order.accepted', createdAt: at(0), data: { orderId: ORDER_ID, mallOrderId: MALL_ORDER_ID, seq: 1, lines: [{ lineId: '1', skuId: SKU_ID, quantity: 1 }, { lineId: '2', skuId: 'sku_8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', quantity: 1 }] } },
  },
  {
    type: 'line.submitted', name: 'LineSubmittedEvent', summary: 'The line was placed at a supplier',
    description: 'The line was placed at a supplier (for JD, before the order is confirmed) or sent to a top-up provider.',
    example: { id: evt(1), type: 'line.submitted', createdAt: at(1), data: { ...lineIds, seq: 2, source: 'jd' } },
  },
  {
    type: 'line.rerouted', name: 'LineReroutedEvent', summary: 'Another source was chosen for the line',
    description: 'A source refused, cancelled or failed the line and the hub chose the next one; the line goes on (rerouted is an event, not a status).',
    example: { id: evt(2), type: 'line.rerouted', createdAt: at(2), data: { ...lineIds, seq: 3, from: 'brand-acme', to: 'jd', reason: 'brand-acme: out_of_stock' } },
  },
  {
    type: 'line.shipped', name: 'LineShippedEvent', summary: 'The line’s first parcel is on its way',
    description: 'The line moved to `shipped`: its first parcel was picked up. `shipments` are the parcels on their way that have a waybill.',
    example: { id: evt(3), type: 'line.shipped', createdAt: at(240), data: { ...lineIds, seq: 4, source: 'jd', shipments: [{ carrier: 'JD', trackingNo: 'JDVA01234567890', status: 'picked_up' }] } },
  },
  {
    type: 'line.tracking_updated', name: 'LineTrackingUpdatedEvent', summary: 'A parcel’s tracking moved on',
    description: 'A parcel of the line has new tracking events (not sent when the same change made the line shipped or delivered: those events say it).',
    example: {
      id: evt(4), type: 'line.tracking_updated', createdAt: at(600),
      data: { ...lineIds, seq: 5, carrier: 'JD', trackingNo: 'JDVA01234567890', status: 'out_for_delivery', events: [{ status: 'out_for_delivery', at: at(595), location: '北京市朝阳区', description: '您的快件正在派送中，派送员：王师傅，电话 13812345678' }] },
    },
  },
  {
    type: 'line.delivered', name: 'LineDeliveredEvent', summary: 'Every parcel of the line was delivered',
    description: 'The line moved to `delivered`: every parcel was delivered.',
    example: { id: evt(5), type: 'line.delivered', createdAt: at(720), data: { ...lineIds, seq: 6, source: 'jd', shipments: [{ carrier: 'JD', trackingNo: 'JDVA01234567890', status: 'delivered' }] } },
  },
  {
    type: 'line.issued', name: 'LineIssuedEvent', summary: 'The codes or the recharge were issued',
    description:
      'The line moved to `issued`: a recharge was made to the account given (`voucherCount` 0, `vouchers` empty) or codes were issued (`vouchers` masked as in the order view; the full codes only through GET /v1/orders/{orderId}/lines/{lineId}/vouchers, which is audited). Until December 2026 this event carried `vouchers` as a count; it is now `voucherCount`, and `vouchers` is the masked list.',
    example: { id: evt(6), type: 'line.issued', createdAt: at(3), data: { ...lineIds, lineId: '2', seq: 3, source: 'topup-fulu', voucherCount: 1, vouchers: [{ code: '********8812', expiresAt: '2027-11-30T15:59:59.000Z' }] } },
  },
  {
    type: 'line.cancelled', name: 'LineCancelledEvent', summary: 'The line was cancelled at the mall’s request',
    description: 'POST /v1/orders/{orderId}/cancel cancelled the line (at its supplier first, where it was placed). Give the member back what the line’s new `refunds` entry says.',
    example: { id: evt(7), type: 'line.cancelled', createdAt: at(5), data: { ...lineIds, seq: 3, reason: '会员取消兑换', quantityCancelled: 1 } },
  },
  {
    type: 'line.failed', name: 'LineFailedEvent', summary: 'No source could fulfil the line',
    description: 'No source could fulfil the line (or an operator gave it up). Always followed by `refund.required` for the same units.',
    example: { id: evt(8), type: 'line.failed', createdAt: at(4), data: { ...lineIds, lineId: '2', seq: 3, reason: 'topup-fulu: recharge failed: 号码状态异常', quantityFailed: 1 } },
  },
  {
    type: 'refund.required', name: 'RefundRequiredEvent', summary: 'Give the member this back',
    description: 'Right after `line.failed`: the points and cash to give back to the member for the units that failed (shared out by units; use these amounts rather than computing your own).',
    example: { id: evt(9), type: 'refund.required', createdAt: at(4), data: { ...lineIds, lineId: '2', seq: 4, points: 5_800, cashFen: 0, units: 1, reason: 'topup-fulu: recharge failed: 号码状态异常' } },
  },
  {
    type: 'order.completed', name: 'OrderCompletedEvent', summary: 'Every line was delivered or issued',
    description: `Every line was delivered, issued or returned (cancelled lines aside). ${FINAL_RULE}`,
    example: { id: evt(10), type: 'order.completed', createdAt: at(720), data: { orderId: ORDER_ID, mallOrderId: MALL_ORDER_ID, seq: 7, status: 'completed', previousStatus: 'in_progress', lines: [finalLines.delivered, finalLines.issued], totals: sum([finalLines.delivered, finalLines.issued]) } },
  },
  {
    type: 'order.partially_failed', name: 'OrderPartiallyFailedEvent', summary: 'Fulfilment ended with some lines failed',
    description: `Every line is settled and at least one failed (or was refunded after sales) while another was delivered or issued. ${FINAL_RULE}`,
    example: { id: evt(11), type: 'order.partially_failed', createdAt: at(720), data: { orderId: ORDER_ID, mallOrderId: MALL_ORDER_ID, seq: 8, status: 'partially_failed', previousStatus: 'in_progress', lines: [finalLines.delivered, finalLines.failed], totals: sum([finalLines.delivered, finalLines.failed]) } },
  },
  {
    type: 'order.failed', name: 'OrderFailedEvent', summary: 'No line could be fulfilled',
    description: `Every line failed, was refunded or was cancelled, at least one failed or refunded. ${FINAL_RULE}`,
    example: { id: evt(12), type: 'order.failed', createdAt: at(4), data: { orderId: ORDER_ID, mallOrderId: MALL_ORDER_ID, seq: 5, status: 'failed', previousStatus: 'accepted', lines: [finalLines.failed], totals: sum([finalLines.failed]) } },
  },
  {
    type: 'order.cancelled', name: 'OrderCancelledEvent', summary: 'Every line was cancelled',
    description: `Every line of the order was cancelled at the mall’s request. ${FINAL_RULE} A cancelled order never moves again.`,
    example: { id: evt(13), type: 'order.cancelled', createdAt: at(5), data: { orderId: ORDER_ID, mallOrderId: MALL_ORDER_ID, seq: 4, status: 'cancelled', previousStatus: 'in_progress', lines: [finalLines.cancelled], totals: sum([finalLines.cancelled]) } },
  },
  {
    type: 'aftersale.updated', name: 'AftersaleUpdatedEvent', summary: 'An after-sales ticket changed',
    description: 'A ticket on the line was opened (POST /v1/orders/{orderId}/after-sales), got evidence, or was withdrawn; read it with GET /v1/after-sales/{ticketId}. Written in the transaction of the change, in the order’s `seq`.',
    example: { id: evt(15), type: 'aftersale.updated', createdAt: at(1440 * 3), data: { ...lineIds, seq: 8, ticketId: 'ast_0196f0c1a2b37d4e8f9a0b1c2d3e4f60', type: 'damaged', status: 'open', quantity: 1, change: 'opened' } },
  },
  {
    type: 'catalog.changed', name: 'CatalogChangedEvent', summary: 'The catalog changed',
    description: 'A catalog sync changed prices, stock or listings: read GET /v1/catalog/changes from `cursor`. It belongs to no order: no `orderId`, no `seq`.',
    example: { id: evt(14), type: 'catalog.changed', createdAt: at(30), data: { cursor: 'c18234' } },
  },
];

/** The rules every delivery follows, for the documentation of each webhook. */
export const DELIVERY_RULES =
  'Delivered at least once as a POST to the mall’s `webhookUrl`, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`); the same event keeps its `webhook-id` (= the body’s `id`) on every retry: deduplicate on it. Order events are numbered per order by `data.seq`: `order.accepted` is 1 and each later event of the order the next number, without gaps (each is written in the transaction of the change it reports). Deliveries run in parallel and retries come later, so they can arrive out of order: apply an order’s events in `seq` order (fetch a missing one with GET /v1/events?orderId=), or treat any event as a signal and re-read GET /v1/orders/{orderId}. Answer any 2xx within 15 s; anything else is retried (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); 410 disables the endpoint until an admin re-enables it. Ignore fields and event types you do not know.';
