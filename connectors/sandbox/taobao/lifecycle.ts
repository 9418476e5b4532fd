import { TOPICS } from '../../taobao/inbound.ts';
import { provinceNameOf } from '../../shared/region.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import { AFTER_SALE_REFUSAL_REASON, afterSaleTimes, grantedAtReview } from '../common/aftersale-steps.ts';
import type { Timeline } from '../common/clock.ts';
import type { Faults, ParcelTrouble } from '../common/faults.ts';
import type { SandboxContext } from '../common/context.ts';
import { closedContent, shippedContent } from './bodies.ts';
import type { TaobaoPushes } from './pushes.ts';
import type { SandboxOrder, SandboxRefund } from './state.ts';

// Carriers picked per order from a hash of the distributor's order number, with waybill
// numbers in each carrier's usual shape, made unique by the purchase order id.
const CARRIERS = [
  { code: 'ZTO', name: '中通快递', waybill: (n: number) => `7${digits(n, 11)}` },
  { code: 'YTO', name: '圆通速递', waybill: (n: number) => `YT${digits(n, 13)}` },
  { code: 'STO', name: '申通快递', waybill: (n: number) => `77${digits(n, 11)}` },
  { code: 'YUNDA', name: '韵达快递', waybill: (n: number) => `43${digits(n, 11)}` },
  { code: 'SF', name: '顺丰速运', waybill: (n: number) => `SF${digits(n, 13)}` },
] as const;

const digits = (n: number, width: number): string => String(n).padStart(width, '0').slice(-width);

/** FNV-1a of a string: a stable pick that does not depend on the order of arrival. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

const aboutOrder = (o: SandboxOrder) => ({ reference: o.distOrderNo, orderId: o.fenxiaoId });

/** The carrier the sandbox ships a distributor order number with. */
export function carrierFor(distOrderNo: string): (typeof CARRIERS)[number] {
  return CARRIERS[fnv1a(distOrderNo) % CARRIERS.length] as (typeof CARRIERS)[number];
}

/**
 * Moves orders and refunds (see refundApplied) along on the virtual clock, pushing at each step:
 * accepted ─shipAfterMs→ shipped (CONSIGN, TMS_ACCEPT) ─transitAfterMs→ in transit
 * (TMS_DEPARTURE, TMS_ARRIVAL) ─deliverAfterMs→ delivered (TMS_DELIVERING, TMS_SIGN; TRADE_FINISHED).
 * A parcel shipped under the parcelTrouble fault ends instead, when it was due, with a carrier
 * exception (TMS_ERROR) or a return to the sender (TMS_RETURN), pushed like any trace step, or with
 * nothing more (lost); its order stays WAIT_BUYER_CONFIRM_GOODS. Each step runs at its scheduled time, so one long clock advance gives the right times.
 */
export class TaobaoLifecycle {
  readonly #delays: SandboxContext['lifecycle'];
  readonly #timeline: Timeline;
  readonly #pushes: TaobaoPushes;
  readonly #faults: Faults;

  constructor(opts: { delays: SandboxContext['lifecycle']; timeline: Timeline; pushes: TaobaoPushes; faults: Faults }) {
    this.#delays = opts.delays;
    this.#timeline = opts.timeline;
    this.#pushes = opts.pushes;
    this.#faults = opts.faults;
  }

  /** Schedules shipping of a newly accepted order. */
  accepted(order: SandboxOrder): void {
    this.#after(order.created, this.#delays.shipAfterMs, (at) => this.#ship(order, at));
  }

  /** Records a close and pushes fenxiao_OrderClosed. */
  closed(order: SandboxOrder, reason: string, at: Date): void {
    order.status = 'TRADE_CLOSED';
    order.closeReason = reason;
    order.modified = at;
    this.#pushes.push(TOPICS.orderClosed, closedContent(order), aboutOrder(order));
  }

  /**
   * Pushes a new refund and schedules its steps (when: aftersale-steps.ts), each pushed as
   * fenxiao_RefundStatusChanged: a return 1 applied → 2 agreed, return the goods → 3 goods sent
   * back → 12 the seller confirmed receipt, refund being paid → 5 refunded; a refund only
   * 1 → 12 agreed → 5. The after-sale faults decided at the apply: 1 → 6 refused with a
   * `refuse_reason`; agreed for less (`agreed_num`, `agreed_refund_fee`); a return left at 3
   * because its parcel never reaches the seller.
   */
  refundApplied(refund: SandboxRefund): void {
    this.#pushRefund(refund);
    const t = afterSaleTimes(this.#delays, refund.created);
    const step = (at: Date, from: number, to: number, change: () => boolean | void = () => undefined) =>
      this.#timeline.at(at, () => {
        if (refund.status !== from || change() === false) return;
        refund.status = to;
        refund.modified = at;
        this.#pushRefund(refund);
      });
    step(t.reviewAt, 1, refund.fate.refuse ? 6 : refund.isReturnGoods ? 2 : 12, () => {
      if (refund.fate.refuse) {
        refund.refuseReason = AFTER_SALE_REFUSAL_REASON;
        this.#faults.afterSaleFaultShown('afterSalesRefused');
        return;
      }
      const granted = grantedAtReview(refund.num, refund.unitFen, refund.fate.partial);
      if (refund.fate.partial) this.#faults.afterSaleFaultShown('afterSalesPartlyRefunded');
      refund.agreedNum = granted.units;
      refund.agreedFeeFen = granted.fen;
    });
    if (refund.isReturnGoods) {
      // The buyer's parcel leaves halfway between the seller's agreement and its arrival.
      step(new Date((t.reviewAt.getTime() + t.receivedAt.getTime()) / 2), 2, 3);
      step(t.receivedAt, 3, 12, () => {
        if (!refund.fate.neverReceived) return true;
        this.#faults.afterSaleFaultShown('returnsNeverReceived');
        return false;
      });
    }
    step(t.refundAt, 12, 5);
  }

  #pushRefund(r: SandboxRefund): void {
    if (this.#faults.loseAfterSaleCallback()) return;
    this.#pushes.push(
      TOPICS.refundChanged,
      { refund_id: Number(r.refundId), purchase_order_id: Number(r.fenxiaoId), refund_status: r.status, is_return_goods: r.isReturnGoods, modified: formatUtc8Timestamp(r.modified) },
      { reference: r.distRefundNo, orderId: r.fenxiaoId },
    );
  }

  #after(from: Date, ms: number, run: (at: Date) => void): void {
    const at = new Date(from.getTime() + ms);
    this.#timeline.at(at, () => run(at));
  }

  #ship(order: SandboxOrder, at: Date): void {
    if (order.status !== 'WAIT_SELLER_SEND_GOODS') return;
    const carrier = carrierFor(order.distOrderNo);
    order.status = 'WAIT_BUYER_CONFIRM_GOODS';
    order.trouble = this.#faults.parcelFate();
    order.logistics = { code: carrier.code, name: carrier.name, waybill: carrier.waybill(Number(order.fenxiaoId)), consignTime: at };
    order.trace.push({ at, action: 'CONSIGN', desc: '卖家已发货' }, { at, action: 'TMS_ACCEPT', desc: `【杭州市】${carrier.name} 已揽收` });
    this.#shipped(order, at);
    this.#after(at, this.#delays.transitAfterMs, (next) => this.#transit(order, next));
  }

  #transit(order: SandboxOrder, at: Date): void {
    if (order.status !== 'WAIT_BUYER_CONFIRM_GOODS') return;
    const to = provinceNameOf(order.provinceCode) ?? order.receiver.state;
    order.trace.push({ at, action: 'TMS_DEPARTURE', desc: '快件已从【杭州转运中心】发出' }, { at, action: 'TMS_ARRIVAL', desc: `快件已到达【${to}转运中心】` });
    this.#shipped(order, at);
    this.#after(at, this.#delays.deliverAfterMs, (next) => this.#deliver(order, next));
  }

  #deliver(order: SandboxOrder, at: Date): void {
    if (order.status !== 'WAIT_BUYER_CONFIRM_GOODS') return;
    if (order.trouble && order.trouble !== 'none') {
      this.#inTrouble(order, order.trouble, at);
      return;
    }
    // The courier sets out a quarter of the leg before the signature.
    const out = new Date(at.getTime() - Math.floor(this.#delays.deliverAfterMs / 4));
    order.trace.push({ at: out, action: 'TMS_DELIVERING', desc: `【${order.receiver.city}】快递员正在派件` }, { at, action: 'TMS_SIGN', desc: '已签收，签收人：本人' });
    order.status = 'TRADE_FINISHED';
    this.#shipped(order, at);
  }

  /** In place of the delivery: the carrier's last scan of a parcel in trouble (none for a lost one), pushed as trace steps are. */
  #inTrouble(order: SandboxOrder, trouble: Exclude<ParcelTrouble, 'none'>, at: Date): void {
    this.#faults.parcelTroubleShown();
    if (trouble === 'lost') return;
    const city = order.receiver.city;
    order.trace.push(
      trouble === 'exception'
        ? { at, action: 'TMS_ERROR', desc: `【${city}】快件派送异常：收件地址不详，联系收件人未果` }
        : { at, action: 'TMS_RETURN', desc: `【${city}】收件地址不详，快件已退回寄件人` },
    );
    this.#shipped(order, at);
  }

  #shipped(order: SandboxOrder, at: Date): void {
    order.modified = at;
    this.#pushes.push(TOPICS.orderShipped, shippedContent(order), aboutOrder(order));
  }
}
