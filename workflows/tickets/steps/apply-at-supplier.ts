import type { AfterSaleType } from '../../../connectors/connector.ts';
import { isSupplierError } from '../../../connectors/errors.ts';
import type { TicketType } from '../../../src/domain/aftersales.ts';
import type { Step } from '../../engine/types.ts';
import type { TicketServices, TicketState } from '../services.ts';
import { APPLY_AT_SUPPLIER, AWAIT_SUPPLIER } from '../step-ids.ts';
import { preempted, progress, ticketOf, toAgent } from '../ticket-step.ts';

/** The supplier's after-sale a ticket type opens: goods back (return), goods swapped (exchange), or a claim with photos (refund without return). */
const SUPPLIER_TYPE: Partial<Record<TicketType, AfterSaleType>> = { return: 'return', exchange: 'exchange', damaged: 'refund', wrong_item: 'refund', missing_item: 'refund' };

/** How the history tells the mall what was asked. */
const ASKED: Record<AfterSaleType, string> = { return: 'a return', exchange: 'an exchange', refund: 'a claim (refund without return)' };

/**
 * Opens the after-sale at the source supplier (JD createAfsApply, Taobao refund, brand returns),
 * keyed by the ticket id so a retry after a lost answer is the same after-sale. The photos go as
 * links: the hub never fetches them. A supplier that refuses (the after-sale period is over, the
 * goods are not returnable) sends the ticket to an agent with its reason.
 * Compensation: none. Suppliers give no way to withdraw an after-sale through their API, and the
 * after-sale itself moves no money: if the ticket ends another way, the supplier's after-sale
 * lapses (it is recorded on the ticket for staff to see).
 */
export const applyAtSupplierStep: Step<TicketState, TicketServices> = {
  id: APPLY_AT_SUPPLIER,
  async run(ctx, s) {
    const t = await ticketOf(ctx);
    const stop = preempted(t);
    if (stop) return stop;
    const { supplierId, supplierOrderId, supplierSkuId } = ctx.state as Required<TicketState>;
    const connector = s.connectors.get(supplierId);
    const type = SUPPLIER_TYPE[t.type];
    if (!connector || !type) return toAgent(ctx, `no after-sale at ${supplierId} for a ${t.type} ticket`);
    let afterSale;
    try {
      afterSale = await connector.applyAfterSale({ supplierOrderId, supplierSkuId, quantity: t.quantity, type, reason: t.reason, photos: t.photos, reference: t.id });
    } catch (err) {
      if (isSupplierError(err, 'rejected', 'not_cancellable', 'not_found', 'not_sellable')) return toAgent(ctx, `${supplierId} refused the after-sale: ${err.message}`, { supplierError: err.code });
      throw err;
    }
    const afterSaleId = afterSale.afterSaleId;
    return {
      next: AWAIT_SUPPLIER,
      state: { afterSaleId },
      output: { afterSaleId, status: afterSale.status },
      commit: (tx) => progress(tx, ctx.clock, t.id, 'supplier', `asked ${supplierId} for ${ASKED[type]}`, { supplierStatus: afterSale.status }, { supplier: { supplierId, afterSaleId } }),
    };
  },
};
