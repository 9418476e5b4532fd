import type { EntityManager } from '@mikro-orm/postgresql';
import { lockTicketAndLine } from '../../src/aftersales/ticket-store.ts';
import { settleTicket } from '../../src/aftersales/settlement.ts';
import { TERMINAL_TICKET_STATUSES } from '../../src/domain/aftersales.ts';
import { loadLine } from '../../src/orders/line-store.ts';
import { refundedUnits } from '../../src/orders/refunds.ts';
import type { EndContext, Workflow } from '../engine/types.ts';
import type { TicketServices, TicketState } from './services.ts';
import { applyAtSupplierStep } from './steps/apply-at-supplier.ts';
import { awaitAgentStep } from './steps/await-agent.ts';
import { awaitReplacementStep } from './steps/await-replacement.ts';
import { awaitSupplierStep } from './steps/await-supplier.ts';
import { checkCarrierStep } from './steps/check-carrier.ts';
import { requeryIssuanceStep } from './steps/requery-issuance.ts';
import { sendReplacementStep } from './steps/send-replacement.ts';
import { settleStep } from './steps/settle.ts';
import { triageStep } from './steps/triage.ts';
import { progress } from './ticket-step.ts';

/**
 * Settles an after-sales ticket (one run per ticket, started with it):
 *
 *   triage ─┬─ return, exchange, damaged, wrong, missing ─▶ apply-at-supplier ─▶ await-supplier ─┐
 *           ├─ not_received ─────────────────────────────▶ check-carrier ──────────────────────┤
 *           └─ virtual_not_received ─────────────────────▶ requery-issuance ───────────────────┤
 *                                                                                              ▼
 *     await-agent (what the evidence does not settle) ──▶ settle ─┬─ refund, reject, exchange: resolved
 *                                                                 └─ reship, reissue ─▶ send-replacement ─▶ await-replacement ─▶ settle
 *
 * A reship or reissue that fails for good is compensated (the replacement cancelled) and then
 * refunded instead (onFailed), so the member is never left with neither.
 */
export const settleTicketWorkflow: Workflow<TicketState, TicketServices> = {
  id: 'settle-ticket',
  steps: [triageStep, applyAtSupplierStep, awaitSupplierStep, checkCarrierStep, requeryIssuanceStep, awaitAgentStep, settleStep, sendReplacementStep, awaitReplacementStep],
  onFailed: fallBack,
};

/**
 * The last word of a run that failed for good: a replacement that could not be sent becomes a
 * refund of its units (or as many as are left unrefunded); anything else goes to an agent with
 * the reason (staff settle it; a decision to send again starts a new run).
 */
async function fallBack(tx: EntityManager, ctx: EndContext<TicketState>): Promise<void> {
  const t = await lockTicketAndLine(tx, ctx.subjectId);
  if (!t || TERMINAL_TICKET_STATUSES.has(t.status)) return;
  const decision = ctx.state.decision;
  if (decision && (decision.action === 'reship' || decision.action === 'reissue')) {
    const line = await loadLine(tx, t.line_id);
    const units = Math.min(decision.units, line.quantity - (await refundedUnits(tx, t.line_id)));
    const note = `${decision.action === 'reship' ? 'could not send the units again' : 'could not issue it again'} (${ctx.reason}): refunded instead`;
    await settleTicket(tx, ctx.clock, t, { decision: { action: 'refund', units, by: decision.by, note }, actor: { actorType: 'system', actorId: 'hub' } });
    return;
  }
  await progress(tx, ctx.clock, t.id, 'agent', `the hub could not settle it: ${ctx.reason}`, {}, { internal: true });
}
