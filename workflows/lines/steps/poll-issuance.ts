import { updateAttempt } from '../../../src/orders/line-store.ts';
import type { Step } from '../../engine/types.ts';
import { recordIssued } from '../issued.ts';
import type { LineServices, LineState } from '../services.ts';
import { PICK_SOURCE, POLL_ISSUANCE } from '../step-ids.ts';

/**
 * Asks the provider about a line still issuing (order.info.get): issued → recorded; failed → the
 * next source; still processing → ask again later. Compensation: none (read-only).
 */
export const pollIssuanceStep: Step<LineState, LineServices> = {
  id: POLL_ISSUANCE,
  async run(ctx, s) {
    const { supplierId, supplierOrderId, attemptId } = ctx.state as Required<LineState>;
    const connector = s.connectors.get(supplierId);
    if (!connector) throw new Error(`supplier ${supplierId} is not configured`);
    const order = await connector.getOrder(supplierOrderId);
    if (order.status === 'issued') return { done: true, output: { status: 'issued' }, commit: (tx) => recordIssued(tx, ctx.clock, s.crypto, ctx.subjectId, ctx.state, order) };
    if (order.status === 'failed') {
      const reason = `${supplierId}: ${order.failureReason ?? 'recharge failed'}`;
      return { next: PICK_SOURCE, state: { lastFailure: reason }, output: { status: 'failed' }, commit: (tx) => updateAttempt(tx, ctx.clock, attemptId, { status: 'failed', failureReason: reason }) };
    }
    return { wait: s.issuancePollMs, output: { status: order.status } };
  },
  whenRetriesRunOut: 'hold',
};
