import { createHash } from 'node:crypto';
import type * as Wire from '../../brand/wire.ts';
import { AFTER_SALE_REFUSAL_REASON, afterSaleTimes, grantedAtReview } from '../common/aftersale-steps.ts';
import type { Timeline } from '../common/clock.ts';
import type { AfterSaleFate, Faults } from '../common/faults.ts';
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

/** The last scan of a parcel in trouble (parcelTrouble), as a brand's carrier feed words it. */
const TROUBLE_SCAN: Record<'exception' | 'returned_to_sender', { location: string; description: string }> = {
  exception: { location: '派送站', description: '派送异常：收件地址不详，联系收件人未果' },
  returned_to_sender: { location: '派送站', description: '收件地址不详，快件已退回品牌仓' },
};

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A status a return moves to (each has its webhook, `return.<status>`). */
type ReturnStep = Exclude<Wire.ReturnStatus, 'requested'>;

/** The carrier a parcel (an order's, or an exchange's replacement) goes by, picked from its id. */
function carrierFor(id: string): readonly [string, string] {
  return CARRIERS[(digest(id)[0] ?? 0) % CARRIERS.length] ?? ['SF Express', 'SF'];
}

/** A waybill number in the carrier's shape, made from the parcel's id. */
function waybill(prefix: string, id: string): string {
  return prefix + String(digest(id).readUIntBE(1, 6)).padStart(12, '0').slice(-12);
}

/**
 * Moves brand orders and returns through their lifecycle on the sandbox clock, with a webhook at
 * each step that has an event type:
 *
 *   backordered ──(ship delay: restock)──► accepted ──(ship)──► shipped ──(transit)──► in_transit ──(deliver)──► delivered
 *   cancelled stops it anywhere before shipped; in_transit has no event (suppliers.md lists none),
 *   it shows in the order's tracking events. Services are issued at once (e-voucher codes).
 *   A parcel shipped under the parcelTrouble fault is not delivered: when it was due, its tracking
 *   gets an `exception` or `returned_to_sender` scan, or nothing (lost), and the order stays
 *   in_transit. No webhook says so (brands have no event for it): GET order shows it.
 *   Returns: see startReturn.
 */
export class BrandLifecycle {
  readonly #timeline: Timeline;
  readonly #webhooks: BrandWebhookSender;
  readonly #delays: SandboxContext['lifecycle'];
  readonly #faults: Faults;

  constructor(opts: { timeline: Timeline; webhooks: BrandWebhookSender; delays: SandboxContext['lifecycle']; faults: Faults }) {
    this.#timeline = opts.timeline;
    this.#webhooks = opts.webhooks;
    this.#delays = opts.delays;
    this.#faults = opts.faults;
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
    this.#timeline.at(new Date(deliverAt), () => this.#deliver(rec, new Date(deliverAt)));
  }

  /** Announces a cancellation (the caller has changed the order and released its stock). */
  cancelled(o: Wire.Order, now: Date): void {
    this.#emitOrder('order.cancelled', o, now, { reason: o.cancellationReason ?? 'cancelled' });
  }

  /**
   * Schedules a return's steps (when: aftersale-steps.ts), a webhook at each: requested → approved
   * (what the brand grants) → received (the goods are back) → refunded, or completed with a
   * replacement parcel for an exchange; a `refund` (money back only) skips the goods. E-vouchers
   * cannot come back: rejected at review. The after-sale faults decided at the apply: rejected
   * with a reason; approved for less; left approved because the goods never arrive.
   */
  startReturn(ret: Wire.Return, opts: { hasServices: boolean; unitFen: (productId: string) => number; fate: AfterSaleFate }, now: Date): void {
    const t = afterSaleTimes(this.#delays, now);
    const step = (at: Date, from: Wire.ReturnStatus, to: ReturnStep, change: () => boolean | void = () => undefined) =>
      this.#timeline.at(at, () => {
        if (ret.status !== from || change() === false) return;
        ret.status = to;
        ret.updatedAt = at.toISOString();
        this.#emitReturn(ret, to, at);
      });
    const refused = opts.hasServices ? '电子券已发放，不支持退货' : opts.fate.refuse ? AFTER_SALE_REFUSAL_REASON : null;
    if (refused) {
      step(t.reviewAt, 'requested', 'rejected', () => {
        ret.rejectionReason = refused;
        if (!opts.hasServices) this.#faults.afterSaleFaultShown('afterSalesRefused');
      });
      return;
    }
    step(t.reviewAt, 'requested', 'approved', () => {
      // A partial grant takes its unit (or half its money) off the first item.
      const granted = ret.items.map((item, i) => ({ productId: item.productId, ...grantedAtReview(item.quantity, opts.unitFen(item.productId), opts.fate.partial && i === 0) }));
      if (opts.fate.partial) this.#faults.afterSaleFaultShown('afterSalesPartlyRefunded');
      ret.approvedItems = granted.map((g) => ({ productId: g.productId, quantity: g.units }));
      ret.refundAmount = ret.type === 'exchange' ? null : { amount: granted.reduce((sum, g) => sum + g.fen, 0), currency: 'CNY' };
    });
    if (ret.type === 'refund') {
      step(t.refundAt, 'approved', 'refunded');
      return;
    }
    step(t.receivedAt, 'approved', 'received', () => {
      if (!opts.fate.neverReceived) return true;
      this.#faults.afterSaleFaultShown('returnsNeverReceived');
      return false;
    });
    if (ret.type === 'exchange') {
      step(t.refundAt, 'received', 'completed', () => {
        const [carrier, prefix] = carrierFor(ret.id);
        const items = (ret.approvedItems ?? ret.items).map((i) => ({ productId: i.productId, quantity: i.quantity }));
        ret.replacement = { carrier, trackingNumber: waybill(prefix, ret.id), items, shippedAt: t.refundAt.toISOString(), events: [{ status: 'picked_up', at: t.refundAt.toISOString(), location: '品牌仓', description: '换货商品已揽收' }] };
      });
    } else {
      step(t.refundAt, 'received', 'refunded');
    }
  }

  /** A return's webhook (`return.<status>`), unless the lostAfterSaleCallbacks fault keeps it from the hub. */
  #emitReturn(ret: Wire.Return, status: ReturnStep, at: Date): void {
    if (this.#faults.loseAfterSaleCallback()) return;
    const data = { returnId: ret.id, orderId: ret.orderId, clientReference: ret.clientReference, status, ...(ret.rejectionReason ? { reason: ret.rejectionReason } : {}) };
    this.#webhooks.emit(`return.${status}`, data, at);
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
    const [carrier, prefix] = carrierFor(o.id);
    const shipment: Wire.Shipment = {
      carrier,
      trackingNumber: waybill(prefix, o.id),
      items: o.items.filter((i) => i.kind === 'physical').map((i) => ({ productId: i.productId, quantity: i.quantity })),
      shippedAt: at.toISOString(),
      events: [{ status: 'picked_up', at: at.toISOString(), location: '品牌仓', description: '快件已揽收' }],
    };
    o.shipments.push(shipment);
    rec.trouble = this.#faults.parcelFate();
    o.status = 'shipped';
    o.updatedAt = at.toISOString();
    this.#emitOrder('order.shipped', o, at, { shipment });
  }

  /** Delivers the parcel, or, for one in trouble, scans what the carrier did instead (nothing when lost). */
  #deliver(rec: OrderRecord, at: Date): void {
    const trouble = rec.trouble ?? 'none';
    const shipment = rec.order.shipments[0];
    if (trouble === 'none') {
      this.#scan(rec, ['shipped', 'in_transit'], 'delivered', at, '已签收');
      return;
    }
    if (!['shipped', 'in_transit'].includes(rec.order.status) || !shipment) return;
    this.#faults.parcelTroubleShown();
    if (trouble === 'lost') return;
    const scan = TROUBLE_SCAN[trouble];
    shipment.events.push({ status: trouble, at: at.toISOString(), ...scan });
    rec.order.updatedAt = at.toISOString();
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
