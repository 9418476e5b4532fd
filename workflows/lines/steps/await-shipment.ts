import { lineEvent, loadLine, setLineStatus, updateAttempt } from '../../../src/persistence/line-store.ts';
import type { Step } from '../../engine/types.ts';
import { reroute } from '../reroute.ts';
import type { LineServices, LineState } from '../services.ts';

export const AWAIT_SHIPMENT = 'await-shipment';

/**
 * The line waits, durably, for its shipment. Supplier events will move it (logistics issue);
 * meanwhile the order is asked about every `shipmentPollMs`: shipped → `shipped` and the run
 * ends (tracking takes over); cancelled by the supplier before shipping → the next source.
 * Compensation: none (read-only).
 */
export const awaitShipmentStep: Step<LineState, LineServices> = {
  id: AWAIT_SHIPMENT,
  async run(ctx, s) {
    const { supplierId, supplierOrderId, attemptId } = ctx.state as Required<LineState>;
    const connector = s.connectors.get(supplierId);
    if (!connector) throw new Error(`supplier ${supplierId} is not configured`);
    const order = await connector.getOrder(supplierOrderId);
    if (order.status === 'cancelled' || order.status === 'failed') return reroute(ctx, `${supplierId}: order ${order.status} before shipping`);
    if (order.status === 'shipped' || order.status === 'partially_shipped' || order.status === 'delivered') {
      const status = order.status === 'delivered' ? 'delivered' : 'shipped';
      return {
        done: true,
        output: { status: order.status },
        commit: async (tx) => {
          await updateAttempt(tx, ctx.clock, attemptId, { status });
          const line = await loadLine(tx, ctx.subjectId);
          if (line.status === 'shipped' || line.status === 'delivered') return;
          await setLineStatus(tx, ctx.clock, line, { status, ...(status === 'delivered' ? { qtyFulfilled: line.quantity - line.qtyCancelled - line.qtyFailed } : {}) });
          await lineEvent(tx, ctx.clock, line, status === 'delivered' ? 'line.delivered' : 'line.shipped', { source: supplierId });
        },
      };
    }
    return { wait: s.shipmentPollMs, output: { status: order.status } };
  },
};
