import { lockTicketAndLine, setTicketDecision } from '../../../src/aftersales/ticket-store.ts';
import { settleTicket } from '../../../src/aftersales/settlement.ts';
import { TERMINAL_TICKET_STATUSES } from '../../../src/domain/aftersales.ts';
import { loadLine } from '../../../src/orders/line-store.ts';
import { refundedUnits } from '../../../src/orders/refunds.ts';
import type { Step } from '../../engine/types.ts';
import type { TicketServices, TicketState } from '../services.ts';
import { SEND_REPLACEMENT, SETTLE } from '../step-ids.ts';

import { progress, ticketOf, toAgent } from '../ticket-step.ts';

/**
 * Carries out the decision (the hub's, or staff's): a refund, a rejection or an exchange's end
 * settles the ticket here, in one transaction with the ledger and the mall's events; a reship or
 * reissue goes on to send the replacement (and falls back to a refund if that fails for good: the
 * workflow's onFailed). A refund of more units than are left to refund (staff refunded some
 * meanwhile) goes to an agent rather than past what was paid. Compensation: none: a settled
 * ticket is final, and its refund is the mall's to pay.
 */
export const settleStep: Step<TicketState, TicketServices> = {
  id: SETTLE,
  async run(ctx) {
    const t = await ticketOf(ctx);
    if (TERMINAL_TICKET_STATUSES.has(t.status)) return { done: true, output: { ticket: t.status } };
    const decision = t.decision ?? ctx.state.decision;
    if (!decision) return toAgent(ctx, 'nothing decided yet');
    if ((decision.action === 'reship' || decision.action === 'reissue') && !ctx.state.replaced) {
      return {
        next: SEND_REPLACEMENT,
        state: { decision },
        output: { action: decision.action, units: decision.units },
        commit: async (tx) => {
          await setTicketDecision(tx, t.id, { decision, approval: null, waitingOn: 'hub', at: ctx.clock.now() });
          await progress(tx, ctx.clock, t.id, 'hub', decision.action === 'reship' ? `sending ${decision.units} ${decision.units === 1 ? 'unit' : 'units'} again` : 'issuing it again', { decision: decision.action, by: decision.by });
        },
      };
    }
    if (decision.action === 'refund' && decision.units > 0) {
      const line = await loadLine(ctx.em, t.line_id);
      const left = line.quantity - (await refundedUnits(ctx.em, t.line_id));
      if (decision.units > left) return toAgent(ctx, `${decision.units} units to refund, only ${left} left unrefunded`);
    }
    const { supplierRefund, shipment, evidence } = ctx.state;
    return {
      done: true,
      output: { action: decision.action, units: decision.units, by: decision.by },
      commit: async (tx) => {
        const locked = await lockTicketAndLine(tx, t.id);
        if (!locked) return;
        await settleTicket(tx, ctx.clock, locked, {
          decision,
          ...(supplierRefund ? { supplierRefund } : {}),
          ...(shipment ? { shipment, shipmentSupplierId: ctx.state.replacement?.supplierId ?? ctx.state.supplierId } : {}),
          ...(evidence ? { evidence } : {}),
          // The run carries the decision out: staff's own act was audited when they took it.
          actor: { actorType: 'system', actorId: 'hub' },
        });
      },
    };
  },
};
