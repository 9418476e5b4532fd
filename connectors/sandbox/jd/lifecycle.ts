import type { SandboxContext } from '../common/context.ts';
import type { Timeline } from '../common/clock.ts';
import { JD_MESSAGE as MSG } from '../../jd/methods.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import { AFTER_SALE_REFUSAL_REASON, afterSaleTimes, grantedAtReview } from '../common/aftersale-steps.ts';
import type { ParcelTrouble } from '../common/faults.ts';
import type { AfterSaleRecord, JdOrder, Parcel, JdState } from './state.ts';

/**
 * How JD splits an order at confirmation, deterministically: a multi-line order into one child per
 * line; a single line of 2+ units of an even sku id into two children (the units sit in two
 * warehouses); anything else ships as one parcel under the parent's id.
 */
export function splitPlan(lines: readonly { skuId: string; num: number }[]): { skuId: string; num: number }[][] {
  if (lines.length > 1) return lines.map((l) => [{ skuId: l.skuId, num: l.num }]);
  const [only] = lines;
  if (only && only.num >= 2 && Number(only.skuId) % 2 === 0) {
    const first = Math.ceil(only.num / 2);
    return [[{ skuId: only.skuId, num: first }], [{ skuId: only.skuId, num: only.num - first }]];
  }
  return [lines.map((l) => ({ skuId: l.skuId, num: l.num }))];
}

const parcel = (jdOrderId: number, lines: Parcel['lines']): Parcel => ({ jdOrderId, lines, state: 'waiting', waybill: null, track: [], trouble: 'none' });

/**
 * The last scan of a parcel in trouble (the parcelTrouble fault), in the track's `operateState`
 * words (ours: JD VOP's own track has only the text) and JD Logistics' wording. A lost parcel
 * gets none.
 */
const TROUBLE_SCAN: Partial<Record<ParcelTrouble, { content: string; operateState: string }>> = {
  exception: { content: '您的订单配送异常：收件地址不详，配送员无法联系到您，请核实地址', operateState: 'exception' },
  returned_to_sender: { content: '您的订单因收件地址不详无法妥投，已退回商家', operateState: 'returned_to_sender' },
};

/** The single parcel of an order that is not (yet) split. */
export const wholeOrder = (o: Pick<JdOrder, 'jdOrderId' | 'lines'>): Parcel[] => [parcel(o.jdOrderId, o.lines.map(({ skuId, num }) => ({ skuId, num })))];

/**
 * After confirmation: split the order (message 1) when the plan says so, then ship each parcel
 * with a JD Logistics waybill (message 12), move it in transit, and deliver it (message 5). A
 * parcel shipped under the parcelTrouble fault gets, instead of its delivery, an exception or
 * returned scan (no message: JD's pool has no type for either) or nothing at all (lost).
 */
export function scheduleFulfilment(order: JdOrder, state: JdState, timeline: Timeline, ctx: SandboxContext): void {
  const now = ctx.clock.now();
  const plan = splitPlan(order.lines);
  if (plan.length > 1) {
    order.split = true;
    order.parcels = plan.map((lines, i) => parcel(order.jdOrderId * 10 + i + 1, lines));
    state.post(MSG.SPLIT, { pOrder: order.jdOrderId, cOrders: order.parcels.map((p) => p.jdOrderId) }, now);
  }
  const { shipAfterMs, transitAfterMs, deliverAfterMs } = ctx.lifecycle;
  const gapMs = ctx.lifecycle.splitGapMs ?? 60_000;
  // Each step is stamped with the time it was due, not the time a clock jump ran it.
  const at = (ms: number, run: (when: Date) => void) => {
    const when = new Date(now.getTime() + ms);
    timeline.at(when, () => run(when));
  };
  order.parcels.forEach((p, i) => {
    // Children leave a minute (splitGapMs) apart, so a split order is partially shipped for a while.
    at(shipAfterMs + i * gapMs, (when) => {
      if (order.state !== 'confirmed') return;
      p.state = 'shipped';
      p.trouble = state.parcelFate();
      p.waybill = `JDVA${String(p.jdOrderId).slice(-8)}${i}`;
      p.track.push({ msgTime: formatUtc8Timestamp(when), content: '您的订单已由京东物流揽收', operateState: 'picked_up' });
      state.post(MSG.SHIPPED, { orderId: p.jdOrderId, pOrder: order.jdOrderId, waybill: p.waybill, carrier: '京东物流' }, when);
    });
    at(transitAfterMs + i * gapMs, (when) => {
      if (p.state !== 'shipped') return;
      p.track.push({ msgTime: formatUtc8Timestamp(when), content: '您的订单已到达【北京亦庄分拣中心】', operateState: 'in_transit' });
    });
    at(deliverAfterMs + i * gapMs, (when) => {
      if (p.state !== 'shipped') return;
      if (p.trouble !== 'none') {
        state.parcelTroubleShown();
        const scan = TROUBLE_SCAN[p.trouble];
        if (scan) p.track.push({ msgTime: formatUtc8Timestamp(when), ...scan });
        return;
      }
      p.state = 'delivered';
      p.track.push({ msgTime: formatUtc8Timestamp(when), content: '您的订单已妥投，感谢您使用京东物流', operateState: 'delivered' });
      state.post(MSG.DELIVERED, { orderId: p.jdOrderId, pOrder: order.jdOrderId, waybill: p.waybill, state: 1 }, when);
    });
  });
}

/** The waybill of an exchange's replacement parcel: JD ships it like an order, by 京东物流. */
const replacementWaybill = (afsServiceId: number) => ({ carrier: '京东物流', deliveryOrderId: `JDVC${String(afsServiceId).padStart(10, '0')}` });

/**
 * Moves an after-sale through the sandbox's steps on the virtual clock (when: aftersale-steps.ts),
 * one message 31 per step: a return 10 applied → 20 approved (with the units and money JD grants)
 * → 40 goods received → 50 refunded → 60 done; an exchange 10 → 20 → 40 → 60, its replacement
 * shipped at 60. The after-sale faults decided at the apply: 10 → 30 refused with JD's note
 * (`approveNotes`); approved for less; left at 20 because the goods never come back.
 */
export function scheduleAfterSale(afsServiceId: number, a: AfterSaleRecord, appliedAt: Date, state: JdState, timeline: Timeline, ctx: SandboxContext): void {
  const t = afterSaleTimes(ctx.lifecycle, appliedAt);
  const exchange = a.customerExpect === 20;
  // Each step moves only from the one before it, and is stamped with the time it was due.
  const step = (when: Date, from: number, to: number, change: () => boolean | void = () => undefined) =>
    timeline.at(when, () => {
      if (a.step !== from || change() === false) return;
      a.step = to;
      state.postAfterSale({ afsServiceId, orderId: a.jdOrderId, step: to }, when);
    });
  timeline.at(t.reviewAt, () => {
    if (a.step !== 10) return;
    if (a.fate.refuse) {
      a.approveNotes = AFTER_SALE_REFUSAL_REASON;
      a.step = 30;
      state.afterSaleFaultShown('afterSalesRefused');
    } else {
      const granted = grantedAtReview(a.num, a.unitFen, a.fate.partial);
      if (a.fate.partial) state.afterSaleFaultShown('afterSalesPartlyRefunded');
      a.approvedNum = granted.units;
      if (!exchange) a.refundFen = granted.fen;
      a.step = 20;
    }
    state.postAfterSale({ afsServiceId, orderId: a.jdOrderId, step: a.step }, t.reviewAt);
  });
  step(t.receivedAt, 20, 40, () => {
    if (!a.fate.neverReceived) return true;
    state.afterSaleFaultShown('returnsNeverReceived');
    return false;
  });
  if (exchange) {
    step(t.refundAt, 40, 60, () => {
      a.exchangeWaybill = replacementWaybill(afsServiceId);
    });
  } else {
    step(t.refundAt, 40, 50);
    step(t.closeAt, 50, 60);
  }
}
