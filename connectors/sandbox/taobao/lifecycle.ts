import { TOPICS } from '../../taobao/inbound.ts';
import { provinceNameOf } from '../../shared/region.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import type { Timeline } from '../common/clock.ts';
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
 * Moves orders and refunds along on the virtual clock, pushing at each step:
 * accepted ─shipAfterMs→ shipped (CONSIGN, TMS_ACCEPT) ─transitAfterMs→ in transit
 * (TMS_DEPARTURE, TMS_ARRIVAL) ─deliverAfterMs→ delivered (TMS_DELIVERING, TMS_SIGN; TRADE_FINISHED).
 * Each step runs at its scheduled time, so one long clock advance gives the right times.
 */
export class TaobaoLifecycle {
  readonly #delays: SandboxContext['lifecycle'];
  readonly #timeline: Timeline;
  readonly #pushes: TaobaoPushes;

  constructor(opts: { delays: SandboxContext['lifecycle']; timeline: Timeline; pushes: TaobaoPushes }) {
    this.#delays = opts.delays;
    this.#timeline = opts.timeline;
    this.#pushes = opts.pushes;
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

  /** Pushes a new refund and schedules its steps: return 1→2→3→5, refund only 1→12→5. */
  refundApplied(refund: SandboxRefund): void {
    this.#pushRefund(refund);
    const steps = refund.isReturnGoods ? [2, 3, 5] : [12, 5];
    const delays = [this.#delays.shipAfterMs, this.#delays.transitAfterMs, this.#delays.deliverAfterMs];
    let offset = 0;
    steps.forEach((status, k) => {
      offset += delays[k] ?? 0;
      const at = new Date(refund.created.getTime() + offset);
      const from = k === 0 ? 1 : steps[k - 1];
      this.#timeline.at(at, () => {
        if (refund.status !== from) return;
        refund.status = status;
        refund.modified = at;
        this.#pushRefund(refund);
      });
    });
  }

  #pushRefund(r: SandboxRefund): void {
    this.#pushes.push(
      TOPICS.refundChanged,
      { refund_id: Number(r.refundId), purchase_order_id: Number(r.fenxiaoId), refund_status: r.status, modified: formatUtc8Timestamp(r.modified) },
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
    // The courier sets out a quarter of the leg before the signature.
    const out = new Date(at.getTime() - Math.floor(this.#delays.deliverAfterMs / 4));
    order.trace.push({ at: out, action: 'TMS_DELIVERING', desc: `【${order.receiver.city}】快递员正在派件` }, { at, action: 'TMS_SIGN', desc: '已签收，签收人：本人' });
    order.status = 'TRADE_FINISHED';
    this.#shipped(order, at);
  }

  #shipped(order: SandboxOrder, at: Date): void {
    order.modified = at;
    this.#pushes.push(TOPICS.orderShipped, shippedContent(order), aboutOrder(order));
  }
}
