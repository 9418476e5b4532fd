import { lineSource } from '../../../src/aftersales/ticket-store.ts';
import type { Step } from '../../engine/types.ts';
import type { TicketServices, TicketState } from '../services.ts';
import { APPLY_AT_SUPPLIER, CHECK_CARRIER, REQUERY_ISSUANCE } from '../step-ids.ts';
import { preempted, progress, ticketOf, toAgent } from '../ticket-step.ts';

/**
 * Reads the ticket and the line's source, and sends the ticket the way its type goes: returns,
 * exchanges and claims of goods damaged, wrong or short to the source supplier; goods not
 * received to the carrier's timeline; a virtual benefit not received to the provider. A line with
 * no source the hub can ask goes to an agent. Compensation: none (it only reads and notes).
 */
export const triageStep: Step<TicketState, TicketServices> = {
  id: 'triage',
  async run(ctx, s) {
    const t = await ticketOf(ctx);
    const stop = preempted(t);
    if (stop) return stop;
    const src = await lineSource(ctx.em, t.line_id);
    if (!src?.supplierOrderId || !s.connectors.has(src.supplierId)) return toAgent(ctx, 'the line has no supplier order the hub can ask about');
    const state: TicketState = { attemptId: src.attemptId, supplierId: src.supplierId, supplierSkuId: src.supplierSkuId, supplierOrderId: src.supplierOrderId, reference: src.reference };
    const next = t.type === 'not_received' ? CHECK_CARRIER : t.type === 'virtual_not_received' ? REQUERY_ISSUANCE : APPLY_AT_SUPPLIER;
    const waitingOn = next === CHECK_CARRIER ? 'carrier' : next === APPLY_AT_SUPPLIER ? 'supplier' : 'hub';
    return { next, state, output: { next, supplierId: src.supplierId }, commit: (tx) => progress(tx, ctx.clock, t.id, waitingOn, 'the hub is on it', { step: next }) };
  },
};
