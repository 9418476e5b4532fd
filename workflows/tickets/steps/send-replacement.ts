import type { SupplierOrder } from '../../../connectors/connector.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { loadLine, sourceOffers } from '../../../src/orders/line-store.ts';
import type { CompensationContext, CompensationOutcome, Step } from '../../engine/types.ts';
import { isSourceRefusal } from '../../lines/reroute.ts';
import { cancelAtSupplier } from '../../shared/cancel-at-supplier.ts';
import type { TicketServices, TicketState } from '../services.ts';
import { AWAIT_REPLACEMENT, SEND_REPLACEMENT } from '../step-ids.ts';
import { ticketOf } from '../ticket-step.ts';
import { setTicketReplacement } from '../../../src/aftersales/ticket-store.ts';

/**
 * Sends the ticket's units again as a new order with its own reference (derived from the ticket
 * and the try, never reused by a retry; the supplier dedups on it and a retry looks it up first):
 *
 * - reship: from the source staff named, or the cheapest source routing finds with the item (the
 *   same ones the line's own run chooses from); a source that refuses (stockout, region) → the
 *   next; none left → a permanent failure, so the run compensates and the workflow's onFailed
 *   refunds the units instead. JD's two phases: confirmed at once.
 * - reissue: at the line's provider (its recharge account), after requery-issuance found the first
 *   issuance did not happen.
 *
 * Compensation: the replacement order is cancelled at its supplier (a recharge cannot be, and is
 * not recorded for undoing). A supplier that says it cannot cancel any more (shipped) is a
 * permanent error: the run then waits in the dead-letter list for an operator.
 */
export const sendReplacementStep: Step<TicketState, TicketServices> = {
  id: SEND_REPLACEMENT,
  async run(ctx, s) {
    const decision = ctx.state.decision;
    if (!decision) throw new AppError('conflict', 'no reship or reissue decided', { retryable: false });
    const line = await loadLine(ctx.em, (await ticketOf(ctx)).line_id);
    const tried = ctx.state.tried ?? [];
    const reference = `${ctx.subjectId.slice(4)}${decision.action === 'reship' ? 's' : 'r'}${tried.length + 1}`;
    let supplierId: string;
    let supplierSkuId: string;
    let order: SupplierOrder | null;
    if (decision.action === 'reissue') {
      supplierId = ctx.state.supplierId as string;
      supplierSkuId = ctx.state.supplierSkuId as string;
      const connector = s.connectors.get(supplierId);
      if (!connector) throw new AppError('unavailable', `provider ${supplierId} is not configured`, { retryable: false });
      order = ctx.attempt > 0 ? await connector.findOrder(reference) : null;
      order ??= await connector.submitOrder({ reference, lines: [{ supplierSkuId, quantity: decision.units }], ...(line.rechargeAccount ? { rechargeAccount: s.crypto.open(line.rechargeAccount) } : {}) });
    } else {
      const offers = (await sourceOffers(ctx.em, line.itemId)).filter((o) => !tried.includes(o.supplierId) && (!decision.supplierId || o.supplierId === decision.supplierId) && s.connectors.has(o.supplierId));
      const offer = offers.find((o) => o.stock === null || o.stock >= decision.units);
      if (!offer) throw new AppError('out_of_stock', `no source can send ${decision.units} units again${tried.length ? ` (tried ${tried.join(', ')})` : ''}`, { retryable: false });
      supplierId = offer.supplierId;
      supplierSkuId = offer.supplierSkuId;
      const connector = s.connectors.get(supplierId);
      if (!connector) throw new Error('unreachable: filtered on configured connectors');
      order = ctx.attempt > 0 ? await connector.findOrder(reference) : null;
      if (!order) {
        const recipient = line.recipient ? JSON.parse(s.crypto.open(line.recipient)) : undefined;
        try {
          order = await connector.submitOrder({ reference, lines: [{ supplierSkuId, quantity: decision.units }], ...(recipient ? { recipient } : {}) });
        } catch (err) {
          if (isSourceRefusal(err)) return { next: SEND_REPLACEMENT, state: { tried: [...tried, supplierId] }, output: { refused: `${supplierId}: ${err.code}` } };
          throw err;
        }
      }
      if (order.status === 'pending_confirmation') await connector.confirmOrder(order.supplierOrderId);
    }
    if (order.status === 'cancelled' || order.status === 'failed') {
      if (decision.action === 'reissue') throw new AppError('unavailable', `${supplierId} could not issue it again: ${order.failureReason ?? order.status}`, { retryable: false });
      return { next: SEND_REPLACEMENT, state: { tried: [...tried, supplierId] }, output: { refused: `${supplierId}: order ${order.status}` } };
    }
    const replacement = { supplierId, supplierOrderId: order.supplierOrderId, reference };
    return {
      next: AWAIT_REPLACEMENT,
      state: { replacement, tried: [...tried, supplierId] },
      output: { supplierId, supplierOrderId: order.supplierOrderId, status: order.status },
      ...(decision.action === 'reship' ? { compensateInput: { supplierId, supplierOrderId: order.supplierOrderId } } : {}),
      // On the ticket, so the supplier's callbacks about the replacement wake this run (process-inbound).
      commit: (tx) => setTicketReplacement(tx, ctx.subjectId, supplierId, replacement.supplierOrderId),
    };
  },
  compensate: (input, ctx, s) => cancelReplacement(input as { supplierId: string; supplierOrderId: string }, ctx, s),
  whenRetriesRunOut: 'hold',
};

/** Cancels a replacement order (`cancelAtSupplier`: one the supplier already cancelled counts as undone). */
async function cancelReplacement(input: { supplierId: string; supplierOrderId: string }, _ctx: CompensationContext, s: TicketServices): Promise<CompensationOutcome> {
  const connector = s.connectors.get(input.supplierId);
  if (!connector) throw new AppError('unavailable', `supplier ${input.supplierId} is not configured: replacement ${input.supplierOrderId} cannot be cancelled`, { retryable: false });
  await cancelAtSupplier(connector, input.supplierOrderId);
  return { output: { cancelled: input.supplierOrderId } };
}
