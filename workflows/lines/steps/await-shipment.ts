import type { EntityManager } from '@mikro-orm/postgresql';
import { applyPolledOrder } from '../../../src/supplier-events/timeline.ts';
import { loadLine, updateAttempt } from '../../../src/orders/line-store.ts';
import { lineShipments } from '../../../src/supplier-events/timeline-store.ts';
import type { Step } from '../../engine/types.ts';
import { recordIssued } from '../issued.ts';
import { reroute } from '../reroute.ts';
import type { LineServices, LineState } from '../services.ts';
import { AWAIT_SHIPMENT } from '../step-ids.ts';

/**
 * The line waits, durably, for its parcels to be delivered. Supplier events (webhooks, JD's
 * message pool) move the timeline; this step is the safety net: before shipping the order is
 * asked about every `shipmentPollMs`, after shipping when no tracking event came for
 * `trackingStaleMs`. What it reads goes into the same timeline (src/supplier-events/timeline.ts), so a
 * poll and a callback never both move the line. Cancelled by the supplier before shipping → the
 * next source. Compensation: none (read-only at the supplier).
 */
export const awaitShipmentStep: Step<LineState, LineServices> = {
  id: AWAIT_SHIPMENT,
  async run(ctx, s) {
    const { supplierId, supplierOrderId, attemptId } = ctx.state as Required<LineState>;
    const connector = s.connectors.get(supplierId);
    if (!connector) throw new Error(`supplier ${supplierId} is not configured`);
    const line = await loadLine(ctx.em, ctx.subjectId);
    if (['delivered', 'issued', 'cancelled', 'returned', 'refunded'].includes(line.status)) return { done: true, output: { status: line.status } };
    const shipments = await lineShipments(ctx.em, ctx.subjectId);
    // Hub time of the last change (event times are the supplier's clock, not comparable with ours).
    const lastEvent = Math.max(0, ...shipments.filter((x) => x.lastEventAt).map((x) => x.updatedAt.getTime()));
    const now = ctx.clock.now().getTime();
    // Events came recently: the timeline is alive, no need to ask yet.
    if (line.status === 'shipped' && lastEvent && now - lastEvent < s.trackingStaleMs) return { wait: lastEvent + s.trackingStaleMs - now, output: { status: 'shipped', polled: false } };
    const order = await connector.getOrder(supplierOrderId);
    if (order.status === 'cancelled' || order.status === 'failed') {
      if (line.status !== 'shipped') return reroute(ctx, `${supplierId}: order ${order.status} before shipping`);
    }
    // A service accepted first and issued later (its codes): finished, nothing ships.
    if (order.status === 'issued') return { done: true, output: { status: order.status }, commit: (tx) => recordIssued(tx, ctx.clock, s.crypto, line.id, ctx.state, order) };
    const ref = { lineId: ctx.subjectId, attemptId, supplierId };
    const shipped = order.status === 'shipped' || order.status === 'partially_shipped' || order.status === 'delivered';
    const commit = async (tx: EntityManager) => {
      if (shipped) await updateAttempt(tx, ctx.clock, attemptId, { status: order.status === 'delivered' ? 'delivered' : 'shipped' });
      await applyPolledOrder(tx, ctx.clock, ref, order);
    };
    if (order.status === 'delivered') return { done: true, output: { status: order.status }, commit };
    return { wait: shipped ? s.trackingStaleMs : s.shipmentPollMs, output: { status: order.status }, commit };
  },
  whenRetriesRunOut: 'hold',
};
