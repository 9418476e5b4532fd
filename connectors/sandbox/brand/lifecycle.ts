import { createHash } from 'node:crypto';
import type * as Wire from '../../brand/wire.ts';
import type { Timeline } from '../common/clock.ts';
import type { SandboxContext } from '../common/context.ts';
import type { OrderRecord } from './state.ts';
import type { BrandWebhookSender } from './webhooks.ts';

// Carriers as brand warehouses print them, with their waybill prefixes; the last is one the hub
// does not know (OTHER). Mixed English and Chinese on purpose: the connector must normalize both.
const CARRIERS: ReadonlyArray<readonly [string, string]> = [
  ['SF Express', 'SF'],
  ['京东物流', 'JDVA'],
  ['ZTO Express', '7'],
  ['圆通速递', 'YT'],
  ['STO Express', '77'],
  ['韵达快递', '43'],
  ['EMS', 'E'],
  ['Best Express', 'BX'],
];

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Moves brand orders and returns through their lifecycle on the sandbox clock, with a webhook at
 * each step that has an event type:
 *
 *   backordered ──(ship delay: restock)──► accepted ──(ship)──► shipped ──(transit)──► in_transit ──(deliver)──► delivered
 *   cancelled stops it anywhere before shipped; in_transit has no event (suppliers.md lists none),
 *   it shows in the order's tracking events. Services are issued at once (e-voucher codes).
 *   Returns: requested ──(transit)──► received, or ──(ship)──► rejected for e-vouchers.
 */
export class BrandLifecycle {
  readonly #timeline: Timeline;
  readonly #webhooks: BrandWebhookSender;
  readonly #delays: SandboxContext['lifecycle'];

  constructor(opts: { timeline: Timeline; webhooks: BrandWebhookSender; delays: SandboxContext['lifecycle'] }) {
    this.#timeline = opts.timeline;
    this.#webhooks = opts.webhooks;
    this.#delays = opts.delays;
  }

  /** Announces a new order and schedules its shipment (physical lines only). */
  startOrder(rec: OrderRecord, now: Date): void {
    const o = rec.order;
    this.#emitOrder(o.status === 'backordered' ? 'order.backordered' : 'order.accepted', o, now);
    if (!o.items.some((i) => i.kind === 'physical')) return;
    let at = now.getTime();
    if (o.status === 'backordered') {
      at += this.#delays.shipAfterMs;
      this.#timeline.at(new Date(at), () => this.#step(rec, ['backordered'], 'accepted', new Date(at), 'order.accepted'));
    }
    const shipAt = at + this.#delays.shipAfterMs;
    const transitAt = shipAt + this.#delays.transitAfterMs;
    const deliverAt = transitAt + this.#delays.deliverAfterMs;
    this.#timeline.at(new Date(shipAt), () => this.#ship(rec, new Date(shipAt)));
    this.#timeline.at(new Date(transitAt), () => this.#scan(rec, ['shipped'], 'in_transit', new Date(transitAt), '快件运输中'));
    this.#timeline.at(new Date(deliverAt), () => this.#scan(rec, ['shipped', 'in_transit'], 'delivered', new Date(deliverAt), '已签收'));
  }

  /** Announces a cancellation (the caller has changed the order and released its stock). */
  cancelled(o: Wire.Order, now: Date): void {
    this.#emitOrder('order.cancelled', o, now, { reason: o.cancellationReason ?? 'cancelled' });
  }

  /** Schedules a return's outcome: e-vouchers cannot come back, parcels arrive after transit. */
  startReturn(ret: Wire.Return, hasServices: boolean, now: Date): void {
    const rejected = hasServices;
    const at = new Date(now.getTime() + (rejected ? this.#delays.shipAfterMs : this.#delays.transitAfterMs));
    this.#timeline.at(at, () => {
      if (ret.status !== 'requested') return;
      ret.status = rejected ? 'rejected' : 'received';
      ret.rejectionReason = rejected ? '电子券已发放，不支持退货' : null;
      ret.updatedAt = at.toISOString();
      const data = { returnId: ret.id, orderId: ret.orderId, clientReference: ret.clientReference, status: ret.status, ...(ret.rejectionReason ? { reason: ret.rejectionReason } : {}) };
      this.#webhooks.emit(rejected ? 'return.rejected' : 'return.received', data, at);
    });
  }

  #emitOrder(type: Wire.EventType, o: Wire.Order, at: Date, extra: Partial<Wire.OrderEventData> = {}): void {
    this.#webhooks.emit(type, { orderId: o.id, clientReference: o.clientReference, status: o.status, ...extra }, at);
  }

  #step(rec: OrderRecord, from: Wire.OrderStatus[], to: Wire.OrderStatus, at: Date, event: Wire.EventType): void {
    if (!from.includes(rec.order.status)) return;
    rec.order.status = to;
    rec.order.updatedAt = at.toISOString();
    this.#emitOrder(event, rec.order, at);
  }

  #ship(rec: OrderRecord, at: Date): void {
    const o = rec.order;
    if (o.status !== 'accepted') return;
    const h = digest(o.id);
    const [carrier, prefix] = CARRIERS[(h[0] ?? 0) % CARRIERS.length] ?? ['SF Express', 'SF'];
    const shipment: Wire.Shipment = {
      carrier,
      trackingNumber: prefix + String(h.readUIntBE(1, 6)).padStart(12, '0').slice(-12),
      items: o.items.filter((i) => i.kind === 'physical').map((i) => ({ productId: i.productId, quantity: i.quantity })),
      shippedAt: at.toISOString(),
      events: [{ status: 'picked_up', at: at.toISOString(), location: '品牌仓', description: '快件已揽收' }],
    };
    o.shipments.push(shipment);
    o.status = 'shipped';
    o.updatedAt = at.toISOString();
    this.#emitOrder('order.shipped', o, at, { shipment });
  }

  #scan(rec: OrderRecord, from: Wire.OrderStatus[], to: 'in_transit' | 'delivered', at: Date, description: string): void {
    const o = rec.order;
    const shipment = o.shipments[0];
    if (!from.includes(o.status) || !shipment) return;
    shipment.events.push({ status: to, at: at.toISOString(), description });
    o.status = to;
    o.updatedAt = at.toISOString();
    if (to === 'delivered') this.#emitOrder('order.delivered', o, at, { trackingNumber: shipment.trackingNumber });
  }
}
