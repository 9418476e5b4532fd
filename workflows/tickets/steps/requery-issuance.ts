import { lineSource, lineVouchersMasked } from '../../../src/aftersales/ticket-store.ts';
import { loadLine } from '../../../src/orders/line-store.ts';
import type { Step } from '../../engine/types.ts';
import { recordIssued } from '../../lines/issued.ts';
import type { TicketServices, TicketState } from '../services.ts';
import { REQUERY_ISSUANCE, SETTLE } from '../step-ids.ts';
import { hubDecides, preempted, ticketOf, toAgent } from '../ticket-step.ts';

/** Polls of a provider with no final answer before an agent looks. */
const MAX_POLLS = 12;

/**
 * A virtual benefit not received: the provider's own ledger decides, asked by the line's
 * reference (findOrder), never by what the hub believes.
 *
 *   issued            ─▶ the evidence (provider order id, time, codes masked) to the mall; the claim is answered
 *   failed, or no such order at the provider, on a line the hub thinks issued ─▶ reissue under a new reference
 *   line still issuing ─▶ the line's own run settles it (fails over, or refunds); the ticket follows the line
 *   still processing  ─▶ asked again; an agent after MAX_POLLS
 *
 * Issued while the hub's line still says issuing: recorded here (recordIssued is guarded, so the
 * line's own poll that finds it later does nothing). Never issued twice: a reissue only follows
 * the provider saying the first one did not happen. Compensation: none (it reads; recording an
 * issuance the provider made is not undone).
 */
export const requeryIssuanceStep: Step<TicketState, TicketServices> = {
  id: REQUERY_ISSUANCE,
  async run(ctx, s) {
    const t = await ticketOf(ctx);
    const stop = preempted(t);
    if (stop) return stop;
    const line = await loadLine(ctx.em, t.line_id);
    if (line.status === 'failed' || line.status === 'refunded' || line.status === 'cancelled') {
      return { next: SETTLE, state: { decision: hubDecides('refund', 0, `the provider did not issue it: the line ${line.status} and its points were given back`) }, output: { line: line.status } };
    }
    // The line's source read again each time: the line's own run may have moved on to another source.
    const src = await lineSource(ctx.em, t.line_id);
    if (!src) return toAgent(ctx, 'the line has no issuance the hub can ask about');
    const { supplierId, reference, attemptId } = src;
    const connector = s.connectors.get(supplierId);
    if (!connector) return toAgent(ctx, `provider ${supplierId} is not configured`);
    const order = await connector.findOrder(reference);
    const polls = (ctx.state.polls ?? 0) + 1;
    if (order?.status === 'issued') {
      const issued = order;
      const vouchers = (await lineVouchersMasked(ctx.em, t.line_id)).map((v) => v.masked);
      const evidence = { providerOrderId: order.supplierOrderId, ...(order.updatedAt ? { issuedAt: new Date(order.updatedAt).toISOString() } : {}), ...(vouchers.length ? { vouchers } : {}) };
      return {
        next: SETTLE,
        state: { decision: hubDecides('reject', 0, `${supplierId} issued it: order ${order.supplierOrderId}${evidence.issuedAt ? ` at ${evidence.issuedAt}` : ''}`), evidence },
        output: { provider: 'issued', providerOrderId: order.supplierOrderId },
        ...(line.status === 'issuing' ? { commit: (tx) => recordIssued(tx, ctx.clock, s.crypto, line.id, { attemptId, supplierId }, issued) } : {}),
      };
    }
    if (line.status === 'issuing' || order?.status === 'processing' || order?.status === 'accepted') {
      if (polls > MAX_POLLS) return toAgent(ctx, `${supplierId} has not settled the issuance after ${MAX_POLLS} checks`, { providerStatus: order?.status ?? 'unknown' });
      return { wait: line.status === 'issuing' ? s.issuancePollMs : s.aftersale.pollMs, state: { polls }, output: { provider: order?.status ?? 'none', line: line.status } };
    }
    return { next: SETTLE, state: { attemptId, supplierId, reference, supplierSkuId: src.supplierSkuId, decision: hubDecides('reissue', t.quantity, `${supplierId} has no issued order for it (${order?.status ?? 'no such order'})`) }, output: { provider: order?.status ?? 'none' } };
  },
};
