import { refundFor } from '../../../src/domain/refunds.ts';
import { addLedger, lineEvent, loadLine, setLineStatus } from '../../../src/persistence/line-store.ts';
import type { Step } from '../../engine/types.ts';
import type { LineServices, LineState } from '../services.ts';
import { FAIL_LINE } from '../step-ids.ts';

/**
 * No source can fulfil the line: the units not fulfilled are failed, a refund entry goes to the
 * ledger and the mall is told with `line.failed` and `refund.required` (points and cash to give
 * back to the member). Cannot be undone: the mall acts on the refund.
 */
export const failLineStep: Step<LineState, LineServices> = {
  id: FAIL_LINE,
  async run(ctx) {
    const line = await loadLine(ctx.em, ctx.subjectId);
    const reason = ctx.state.lastFailure ?? 'no source could fulfil it';
    return {
      done: true,
      output: { reason },
      commit: async (tx) => {
        // Guard: a line already failed (a re-run of this step after a crash) is not refunded twice.
        const current = await loadLine(tx, line.id);
        if (current.status === 'failed' || current.status === 'refunded') return;
        const missing = current.quantity - current.qtyFulfilled - current.qtyCancelled - current.qtyFailed;
        const refund = refundFor({ points: current.pointsPaid, cashFen: current.cashPaidFen }, current.quantity, current.qtyFailed + current.qtyCancelled, missing);
        await setLineStatus(tx, ctx.clock, current, { status: 'failed', qtyFailed: current.qtyFailed + missing, failureReason: reason });
        await addLedger(tx, ctx.clock, current, { entry: 'refund', units: missing, points: -refund.points, fen: -refund.cashFen, reason });
        await lineEvent(tx, ctx.clock, current, 'line.failed', { reason, quantityFailed: missing });
        await lineEvent(tx, ctx.clock, current, 'refund.required', { points: refund.points, cashFen: refund.cashFen, units: missing, reason });
      },
    };
  },
};
