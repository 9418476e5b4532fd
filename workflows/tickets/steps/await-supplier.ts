import type { EntityManager } from '@mikro-orm/postgresql';
import { autoRemedy } from '../../../src/domain/aftersales.ts';
import type { Step } from '../../engine/types.ts';
import type { TicketServices, TicketState } from '../services.ts';
import { AWAIT_SUPPLIER, SETTLE } from '../step-ids.ts';
import { hubDecides, preempted, progress, ticketOf, toAgent } from '../ticket-step.ts';

/**
 * Follows the supplier's after-sale (woken by its callbacks or messages; asked every
 * `HUB_AFTERSALE_POLL_MS` when none come, so a lost callback only delays it):
 *
 *   return    approved ─▶ (goods back) received / refunded / completed ─▶ refund the member's units
 *             approved for longer than HUB_AFTERSALE_RETURN_WAIT_MS, goods never received ─▶ agent
 *   exchange  completed (replacement sent) ─▶ resolved return_to_supplier, with the replacement
 *   claims    approved / refunded / completed ─▶ reship or refund (HUB_AFTERSALE_REMEDY)
 *   any       rejected or cancelled by the supplier ─▶ agent, with the supplier's reason
 *
 * What the supplier refunds the hub is kept for the ledger (less than asked: a note for staff).
 * Compensation: none (it only reads).
 */
export const awaitSupplierStep: Step<TicketState, TicketServices> = {
  id: AWAIT_SUPPLIER,
  async run(ctx, s) {
    const t = await ticketOf(ctx);
    const stop = preempted(t);
    if (stop) return stop;
    const { supplierId, afterSaleId } = ctx.state as Required<TicketState>;
    const connector = s.connectors.get(supplierId);
    if (!connector) return toAgent(ctx, `supplier ${supplierId} is not configured`);
    const a = await connector.getAfterSale(afterSaleId);
    const out = { status: a.status, ...(a.refundFen !== undefined ? { refundFen: a.refundFen } : {}) };
    if (a.status === 'rejected' || a.status === 'cancelled') {
      return toAgent(ctx, `${supplierId} ${a.status} the after-sale${a.reason ? `: ${a.reason}` : ''}`, { supplierStatus: a.status, supplierReason: a.reason ?? null });
    }
    const settled = a.status === 'received' || a.status === 'refunded' || a.status === 'completed';
    const supplierRefund = a.refundFen !== undefined ? { supplierId, units: a.units ?? t.quantity, fen: a.refundFen } : undefined;
    const partial = supplierRefund !== undefined && supplierRefund.units < t.quantity;
    const withRefund = supplierRefund ? { supplierRefund } : {};
    const note = (tx: EntityManager) =>
      partial ? progress(tx, ctx.clock, t.id, 'hub', `${supplierId} refunds ${supplierRefund.units} of ${t.quantity} units (${supplierRefund.fen} fen): claim the rest`, { supplierRefund }, { internal: true }) : Promise.resolve();
    switch (t.type) {
      case 'return':
        if (settled) return { next: SETTLE, state: { decision: hubDecides('refund', t.quantity, `${supplierId} received the returned goods`), ...withRefund }, output: out, commit: note };
        if (a.status === 'approved') {
          const approvedAt = ctx.state.approvedAt ?? ctx.clock.now().toISOString();
          if (ctx.clock.now().getTime() - Date.parse(approvedAt) > s.aftersale.returnWaitMs) return toAgent(ctx, `${supplierId} approved the return but never received the goods`, { approvedAt });
          return { wait: s.aftersale.pollMs, state: { approvedAt }, output: out, ...(ctx.state.approvedAt ? {} : { commit: (tx) => progress(tx, ctx.clock, t.id, 'supplier', `${supplierId} approved the return: waiting for the goods`, { supplierStatus: a.status }) }) };
        }
        break;
      case 'exchange':
        // Goods back is not the end of an exchange: the replacement going out is.
        if (a.status === 'completed' || a.replacement) {
          const shipment = a.replacement ? { supplierOrderId: ctx.state.supplierOrderId as string, carrier: a.replacement.carrier, trackingNo: a.replacement.trackingNo } : undefined;
          return { next: SETTLE, state: { decision: hubDecides('return_to_supplier', t.quantity, `${supplierId} exchanged the goods`), ...(shipment ? { shipment } : {}) }, output: out };
        }
        break;
      default:
        if (a.status === 'approved' || settled) {
          const action = autoRemedy(s.aftersale.remedy, true);
          return { next: SETTLE, state: { decision: hubDecides(action, t.quantity, `${supplierId} accepted the claim`), ...withRefund }, output: out, commit: note };
        }
    }
    return { wait: s.aftersale.pollMs, output: out };
  },
};
