import type { SupplierOrder } from '../../../connectors/connector.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { addLedger, attemptStatus, lineEvent, loadLine, setLineStatus, updateAttempt } from '../../../src/orders/line-store.ts';
import type { CompensationContext, CompensationOutcome, Step } from '../../engine/types.ts';
import { cancelAtSupplier } from '../../shared/cancel-at-supplier.ts';
import { recordIssued } from '../issued.ts';
import { isSourceRefusal, reroute } from '../reroute.ts';
import type { LineServices, LineState } from '../services.ts';
import { AWAIT_SHIPMENT, CONFIRM_ORDER, SUBMIT_ORDER } from '../step-ids.ts';

/**
 * Places the drop-ship order at the chosen source with the attempt's reference (thirdOrder,
 * distributor order number, clientReference): a retry after a lost answer first looks the
 * reference up, and the supplier dedups on it anyway, so it sees the order once. Stockout, an
 * address it cannot serve or a refusal → the next source. JD's orders wait for confirmation.
 * Compensation: cancel the order at the supplier (see `cancelPlacedOrder`). Retries run out →
 * hold: the supplier may have the order although no answer said so; an operator decides.
 */
export const submitOrderStep: Step<LineState, LineServices> = {
  id: SUBMIT_ORDER,
  async run(ctx, s) {
    const { reference, supplierId, supplierSkuId, attemptId } = ctx.state as Required<LineState>;
    const connector = s.connectors.get(supplierId);
    if (!connector) return reroute(ctx, `supplier ${supplierId} is not configured`);
    const line = await loadLine(ctx.em, ctx.subjectId);
    let order: SupplierOrder | null = ctx.attempt > 0 ? await connector.findOrder(reference) : null;
    if (!order) {
      const recipient = line.recipient ? JSON.parse(s.crypto.open(line.recipient)) : undefined;
      try {
        order = await connector.submitOrder({ reference, lines: [{ supplierSkuId, quantity: line.quantity }], ...(recipient ? { recipient } : {}) });
      } catch (err) {
        if (isSourceRefusal(err)) return reroute(ctx, `${supplierId}: ${err.code}`);
        throw err;
      }
    }
    if (order.status === 'cancelled' || order.status === 'failed') return reroute(ctx, `${supplierId}: order ${order.status}`);
    // A service (a brand's e-voucher codes) is issued with the order itself: nothing will ship.
    if (order.status === 'issued') {
      const issued = order;
      return {
        done: true,
        state: { supplierOrderId: order.supplierOrderId },
        output: { supplierOrderId: order.supplierOrderId, status: order.status },
        commit: async (tx) => {
          const current = await loadLine(tx, line.id);
          if (current.status === 'pending') await lineEvent(tx, ctx.clock, current, 'line.submitted', { source: supplierId });
          await recordIssued(tx, ctx.clock, s.crypto, line.id, ctx.state, issued);
        },
      };
    }
    const confirmed = order.status !== 'pending_confirmation';
    const placed = order;
    return {
      next: confirmed ? AWAIT_SHIPMENT : CONFIRM_ORDER,
      state: { supplierOrderId: order.supplierOrderId },
      output: { supplierOrderId: order.supplierOrderId, status: order.status },
      compensateInput: { attemptId, supplierId, supplierOrderId: order.supplierOrderId },
      commit: async (tx) => {
        await updateAttempt(tx, ctx.clock, attemptId, { status: confirmed ? 'accepted' : 'submitted', supplierOrderId: placed.supplierOrderId, freightFen: placed.freightFen });
        const current = await loadLine(tx, line.id);
        if (current.status !== 'pending') {
          // Rerouted after an earlier source had taken the line (a confirm refused, an order gone
          // before shipping, staff): the line names its new source, and an accepted order books its cost.
          if (current.status === 'submitted' || current.status === 'accepted') {
            await setLineStatus(tx, ctx.clock, current, { status: confirmed ? 'accepted' : current.status, source: supplierId });
            if (confirmed) await recordCost(tx, ctx.clock, current, ctx.state, placed);
          }
          return;
        }
        await setLineStatus(tx, ctx.clock, current, { status: confirmed ? 'accepted' : 'submitted', source: supplierId });
        await lineEvent(tx, ctx.clock, current, 'line.submitted', { source: supplierId });
        if (confirmed) await recordCost(tx, ctx.clock, current, ctx.state, placed);
      },
    };
  },
  compensate: (input, ctx, s) => cancelPlacedOrder(input as unknown as PlacedOrder, ctx, s),
  whenRetriesRunOut: 'hold',
};

/** The supplier's cost and freight of an accepted order, in the ledger. */
export async function recordCost(tx: Parameters<typeof addLedger>[0], clock: Parameters<typeof addLedger>[1], line: Parameters<typeof addLedger>[2] & { quantity: number }, state: LineState, order: SupplierOrder): Promise<void> {
  const cost = order.lines.reduce((sum, l) => sum + (l.costFen ?? 0) * l.quantity, 0);
  await addLedger(tx, clock, line, { entry: 'supplier_cost', units: line.quantity, fen: cost, supplierId: state.supplierId as string, attemptId: state.attemptId as string });
  if (order.freightFen > 0) await addLedger(tx, clock, line, { entry: 'freight', units: line.quantity, fen: order.freightFen, supplierId: state.supplierId as string, attemptId: state.attemptId as string });
}

/** What undoing a placed order needs: the attempt and the supplier's order id. */
export interface PlacedOrder {
  attemptId: string;
  supplierId: string;
  supplierOrderId: string;
}

/**
 * Cancels a placed order at its supplier (`cancelAtSupplier`: an order the supplier already
 * cancelled counts as undone; one that went on, confirmed or shipped, throws its permanent
 * `not_cancellable`) and marks the attempt cancelled. Guarded: an attempt given up already
 * (rerouted away from, cancelled) has nothing left to undo.
 */
export async function cancelPlacedOrder(input: PlacedOrder, ctx: CompensationContext, s: LineServices): Promise<CompensationOutcome> {
  const status = await attemptStatus(ctx.em, input.attemptId);
  if (status === 'failed' || status === 'cancelled') return { output: { skipped: `attempt ${status}` } };
  const connector = s.connectors.get(input.supplierId);
  if (!connector) throw new AppError('unavailable', `supplier ${input.supplierId} is not configured: its order ${input.supplierOrderId} cannot be cancelled`, { retryable: false });
  await cancelAtSupplier(connector, input.supplierOrderId);
  return {
    output: { cancelled: input.supplierOrderId },
    commit: (tx) => updateAttempt(tx, ctx.clock, input.attemptId, { status: 'cancelled', supplierOrderId: input.supplierOrderId, failureReason: ctx.reason }),
  };
}
