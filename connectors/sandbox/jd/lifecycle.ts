import type { SandboxContext } from '../common/context.ts';
import type { Timeline } from '../common/clock.ts';
import { JD_MESSAGE as MSG } from '../../jd/methods.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
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

const parcel = (jdOrderId: number, lines: Parcel['lines']): Parcel => ({ jdOrderId, lines, state: 'waiting', waybill: null, track: [] });

/** The single parcel of an order that is not (yet) split. */
export const wholeOrder = (o: Pick<JdOrder, 'jdOrderId' | 'lines'>): Parcel[] => [parcel(o.jdOrderId, o.lines.map(({ skuId, num }) => ({ skuId, num })))];

/**
 * After confirmation: split the order (message 1) when the plan says so, then ship each parcel
 * with a JD Logistics waybill (message 12), move it in transit, and deliver it (message 5).
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
      p.state = 'delivered';
      p.track.push({ msgTime: formatUtc8Timestamp(when), content: '您的订单已妥投，感谢您使用京东物流', operateState: 'delivered' });
      state.post(MSG.DELIVERED, { orderId: p.jdOrderId, pOrder: order.jdOrderId, waybill: p.waybill, state: 1 }, when);
    });
  });
}

/**
 * Moves an after-sale through JD's steps on the virtual clock, one message 31 per step:
 * returns 10 → 20 approved → 40 goods received → 50 refunded → 60 done; exchanges skip the refund.
 */
export function scheduleAfterSale(afsServiceId: number, a: AfterSaleRecord, state: JdState, timeline: Timeline, ctx: SandboxContext): void {
  const now = ctx.clock.now().getTime();
  const steps = a.customerExpect === 20 ? [20, 40, 60] : [20, 40, 50, 60];
  const { shipAfterMs, transitAfterMs, deliverAfterMs } = ctx.lifecycle;
  const delays = [shipAfterMs, transitAfterMs, deliverAfterMs, deliverAfterMs + shipAfterMs];
  steps.forEach((step, i) => {
    const when = new Date(now + (delays[i] ?? 0));
    timeline.at(when, () => {
      a.step = step;
      state.post(MSG.AFTER_SALE, { afsServiceId, orderId: a.jdOrderId, step }, when);
    });
  });
}
