import { isSupplierError } from '../../../connectors/errors.ts';
import { loadLine, setLineStatus, supplierCostBooked, updateAttempt } from '../../../src/orders/line-store.ts';
import type { Step } from '../../engine/types.ts';
import { reroute } from '../reroute.ts';
import type { LineServices, LineState } from '../services.ts';
import { recordCost } from './submit-order.ts';
import { AWAIT_SHIPMENT, CONFIRM_ORDER } from '../step-ids.ts';

/**
 * JD's second phase: confirms the pre-occupied order (occupyStock.confirm). An order JD no longer
 * holds (stock released, cancelled) → the next source. Compensation: none: after confirmation only
 * an after-sale can undo it (the cancel path says not_cancellable).
 */
export const confirmOrderStep: Step<LineState, LineServices> = {
  id: CONFIRM_ORDER,
  async run(ctx, s) {
    const { supplierId, supplierOrderId, attemptId } = ctx.state as Required<LineState>;
    const connector = s.connectors.get(supplierId);
    if (!connector) throw new Error(`supplier ${supplierId} is not configured`);
    try {
      await connector.confirmOrder(supplierOrderId);
    } catch (err) {
      if (isSupplierError(err, 'not_found', 'rejected', 'stockout')) return reroute(ctx, `${supplierId}: confirm ${err.code}`);
      throw err;
    }
    const order = await connector.getOrder(supplierOrderId);
    return {
      next: AWAIT_SHIPMENT,
      output: { status: order.status },
      commit: async (tx) => {
        await updateAttempt(tx, ctx.clock, attemptId, { status: 'accepted', freightFen: order.freightFen });
        const line = await loadLine(tx, ctx.subjectId);
        if (line.status === 'submitted') await setLineStatus(tx, ctx.clock, line, { status: 'accepted' });
        // A line rerouted here after another source had accepted it is `accepted` already; its cost
        // at this source is booked all the same, once per attempt.
        else if (line.status !== 'accepted' || (await supplierCostBooked(tx, attemptId))) return;
        await recordCost(tx, ctx.clock, line, ctx.state, order);
      },
    };
  },
};
