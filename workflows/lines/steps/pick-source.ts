import type { Region } from '../../../connectors/connector.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { createAttempt, lineEvent, loadLine, sourceOffers, voidUnsentAttempt } from '../../../src/orders/line-store.ts';
import type { Step } from '../../engine/types.ts';
import { recordCancelled } from '../cancelled.ts';
import type { LineServices, LineState } from '../services.ts';
import { FAIL_LINE, PICK_SOURCE, SUBMIT_ISSUANCE, SUBMIT_ORDER } from '../step-ids.ts';

/**
 * Chooses the source of the line's next attempt. Score, in order: the source has not been tried
 * for this line; its circuit is closed; live, it is sellable and has the quantity in the
 * recipient's region (goods) or is on sale (virtual); then the lowest live cost (synced cost when
 * the supplier gives none). A source staff named when rerouting the line (`preferSupplier`) comes
 * first when it can take the line, tried before or not. A source that errors while asked is skipped. No source left: the line
 * fails (and the mall is told to refund), unless a source could not be asked: then nobody has said
 * "none" yet, and the step fails retryably so the runner asks again after its backoff (a supplier
 * that stays down opens its circuit, and is then passed over). Compensation: the attempt it
 * created is voided if it was never sent (a sent one is the submit's to undo). A line whose mall asked to cancel
 * it while its supplier held it (and the supplier's order is now gone) is cancelled instead.
 */
export const pickSourceStep: Step<LineState, LineServices> = {
  id: PICK_SOURCE,
  async run(ctx, s) {
    const { cancelRequested, attemptId } = ctx.state;
    if (cancelRequested) return { done: true, output: { cancelled: cancelRequested }, commit: (tx) => recordCancelled(tx, ctx.clock, ctx.subjectId, { reason: cancelRequested, attemptId }) };
    const line = await loadLine(ctx.em, ctx.subjectId);
    const tried = ctx.state.tried ?? [];
    // A source staff named (a reroute): asked even if tried before; routing's choice if it cannot take the line now.
    const named = ctx.state.preferSupplier;
    const region: Region | null = line.recipient ? (JSON.parse(s.crypto.open(line.recipient)) as Region) : null;
    const candidates = [];
    const unanswered: { supplierId: string; error: unknown }[] = [];
    for (const offer of await sourceOffers(ctx.em, line.itemId)) {
      const connector = s.connectors.get(offer.supplierId);
      if (!connector || (tried.includes(offer.supplierId) && offer.supplierId !== named) || connector.health().circuit === 'open') continue;
      if (line.kind !== 'physical' || !region) {
        candidates.push({ offer, cost: offer.costFen });
        continue;
      }
      try {
        const [live] = await connector.getOffers([offer.supplierSkuId], region);
        if (live?.sellable && live.available && (live.stock === null || live.stock >= line.quantity)) candidates.push({ offer, cost: live.costFen ?? offer.costFen });
      } catch (error) {
        // An outage at one source is a reason to try the next, not to stop.
        unanswered.push({ supplierId: offer.supplierId, error });
      }
    }
    candidates.sort((a, b) => a.cost - b.cost || a.offer.supplierId.localeCompare(b.offer.supplierId));
    const chosen = candidates.find((c) => c.offer.supplierId === named) ?? candidates[0];
    if (!chosen && unanswered.length) {
      const which = unanswered.map((u) => `${u.supplierId}: ${u.error instanceof Error ? u.error.message : String(u.error)}`).join('; ');
      throw new AppError('unavailable', `no source could be asked whether it has the item (${which})`, { retryable: true, cause: unanswered[0]?.error });
    }
    if (!chosen) return { next: FAIL_LINE, state: { lastFailure: ctx.state.lastFailure ?? 'no source has it for this address' }, output: { tried } };
    const seq = tried.length + 1;
    return {
      next: line.kind === 'virtual' ? SUBMIT_ISSUANCE : SUBMIT_ORDER,
      state: { tried: [...tried, chosen.offer.supplierId], supplierId: chosen.offer.supplierId, supplierSkuId: chosen.offer.supplierSkuId, preferSupplier: undefined },
      output: { supplierId: chosen.offer.supplierId, seq },
      compensateInput: { seq },
      commit: async (tx) => {
        const attempt = await createAttempt(tx, ctx.clock, line, seq, chosen.offer);
        if (seq > 1) await lineEvent(tx, ctx.clock, line, 'line.rerouted', { from: tried.at(-1) as string, to: chosen.offer.supplierId, reason: ctx.state.lastFailure ?? null });
        return { attemptId: attempt.attemptId, reference: attempt.reference, supplierOrderId: undefined };
      },
    };
  },
  async compensate(input, ctx) {
    const seq = Number(input.seq);
    return { output: { seq }, commit: async (tx) => void (await voidUnsentAttempt(tx, ctx.clock, ctx.subjectId, seq, ctx.reason)) };
  },
};
