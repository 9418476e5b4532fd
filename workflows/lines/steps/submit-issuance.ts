import type { SupplierOrder } from '../../../connectors/connector.ts';
import { lineEvent, loadLine, setLineStatus, updateAttempt } from '../../../src/orders/line-store.ts';
import type { Step, StepOutcome } from '../../engine/types.ts';
import { recordIssued } from '../issued.ts';
import { isSourceRefusal, reroute } from '../reroute.ts';
import type { LineServices, LineState } from '../services.ts';
import { PICK_SOURCE, POLL_ISSUANCE, SUBMIT_ISSUANCE } from '../step-ids.ts';

/**
 * Sends the virtual line to the chosen provider with the attempt's unique order number. A
 * timeout is an unknown outcome: before any retry the provider is asked for that number, so the
 * member is charged (and topped up) once. A provider refusal moves on to the next source.
 * Compensation: none at the provider (recharges cannot be cancelled; a failed one is refunded
 * by the provider itself).
 */
export const submitIssuanceStep: Step<LineState, LineServices> = {
  id: SUBMIT_ISSUANCE,
  async run(ctx, s) {
    const { reference, supplierId, supplierSkuId } = ctx.state as Required<LineState>;
    const connector = s.connectors.get(supplierId);
    if (!connector) return reroute(ctx, `supplier ${supplierId} is not configured`);
    const line = await loadLine(ctx.em, ctx.subjectId);
    let order: SupplierOrder | null = ctx.attempt > 0 ? await connector.findOrder(reference) : null;
    if (!order) {
      try {
        order = await connector.submitOrder({
          reference,
          lines: [{ supplierSkuId, quantity: line.quantity }],
          ...(line.rechargeAccount ? { rechargeAccount: s.crypto.open(line.rechargeAccount) } : {}),
        });
      } catch (err) {
        if (isSourceRefusal(err)) return reroute(ctx, `${supplierId}: ${err.code}`);
        throw err; // retryable ones come back here, looking the number up first
      }
    }
    return afterSubmit(ctx.state, order, line, s, ctx.clock);
  },
  whenRetriesRunOut: 'hold',
};

function afterSubmit(state: LineState, order: SupplierOrder, line: Awaited<ReturnType<typeof loadLine>>, s: LineServices, clock: Parameters<typeof recordIssued>[1]): StepOutcome<LineState> {
  const base = { state: { supplierOrderId: order.supplierOrderId }, output: { supplierOrderId: order.supplierOrderId, status: order.status } };
  if (order.status === 'failed') {
    return { next: PICK_SOURCE, ...base, state: { ...base.state, lastFailure: `${state.supplierId}: ${order.failureReason ?? 'recharge failed'}` },
      commit: async (tx) => updateAttempt(tx, clock, state.attemptId as string, { status: 'failed', supplierOrderId: order.supplierOrderId, failureReason: order.failureReason ?? 'failed' }) };
  }
  const submitted = async (tx: Parameters<typeof recordIssued>[0]) => {
    await updateAttempt(tx, clock, state.attemptId as string, { status: 'submitted', supplierOrderId: order.supplierOrderId });
    const current = await loadLine(tx, line.id);
    if (current.status === 'pending') {
      await setLineStatus(tx, clock, current, { status: 'issuing', source: state.supplierId as string });
      await lineEvent(tx, clock, current, 'line.submitted', { source: state.supplierId as string });
    }
  };
  if (order.status === 'issued') {
    return { done: true, ...base, commit: async (tx) => { await submitted(tx); await recordIssued(tx, clock, s.crypto, line.id, { ...state, supplierOrderId: order.supplierOrderId }, order); } };
  }
  return { wait: s.issuancePollMs, next: POLL_ISSUANCE, ...base, commit: submitted };
}

