import type { SandboxContext } from '../common/context.ts';
import type { Timeline } from '../common/clock.ts';
import type { JdOrder, JdState } from './state.ts';

/**
 * After confirmation: split multi-line orders into one child per line (message 1), then ship each
 * parcel with a JD Logistics waybill (message 12), move it in transit, and deliver it (message 5).
 */
export function scheduleFulfilment(order: JdOrder, state: JdState, timeline: Timeline, ctx: SandboxContext): void {
  const now = ctx.clock.now();
  if (order.split) {
    state.post(1, { pOrder: order.jdOrderId, cOrders: order.parcels.map((p) => p.jdOrderId) }, now);
  }
  const at = (ms: number) => new Date(now.getTime() + ms);
  const { shipAfterMs, transitAfterMs, deliverAfterMs } = ctx.lifecycle;
  order.parcels.forEach((parcel, i) => {
    timeline.at(at(shipAfterMs + i * 60_000), () => {
      if (order.state !== 'confirmed') return;
      parcel.state = 'shipped';
      parcel.waybill = `JDVA${String(parcel.jdOrderId).slice(-8)}${i}`;
      const t = ctx.clock.now().toISOString();
      parcel.track.push({ msgTime: t, content: '您的订单已由京东物流揽收', operateState: 'picked_up' });
      state.post(12, { orderId: parcel.jdOrderId, pOrder: order.jdOrderId, waybill: parcel.waybill }, ctx.clock.now());
    });
    timeline.at(at(transitAfterMs + i * 60_000), () => {
      if (parcel.state !== 'shipped') return;
      parcel.track.push({ msgTime: ctx.clock.now().toISOString(), content: '您的订单已到达【北京亦庄分拣中心】', operateState: 'in_transit' });
    });
    timeline.at(at(deliverAfterMs + i * 60_000), () => {
      if (parcel.state !== 'shipped') return;
      parcel.state = 'delivered';
      parcel.track.push({ msgTime: ctx.clock.now().toISOString(), content: '您的订单已妥投，感谢您使用京东物流', operateState: 'delivered' });
      state.post(5, { orderId: parcel.jdOrderId, pOrder: order.jdOrderId, state: 1 }, ctx.clock.now());
    });
  });
}
