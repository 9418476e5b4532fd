import type { LedgerAfterSale, LedgerOrder } from '../common/ledger.ts';
import type { JdState } from './state.ts';

/**
 * Every JD order in the ledger shape. An occupied order (submitted, not confirmed) holds stock but
 * is not billed; confirmation bills it; a cancelled one neither holds nor bills. Shipping is per
 * parcel (a split order ships child by child).
 */
export function jdLedger(state: JdState): LedgerOrder[] {
  return [...state.orders.values()].map((o) => ({
    reference: o.thirdOrder,
    supplierOrderId: String(o.jdOrderId),
    status: o.state,
    units: o.lines.reduce((n, l) => n + l.num, 0),
    lines: o.lines.map((l) => ({ sku: l.skuId, units: l.num })),
    live: o.state !== 'cancelled',
    charged: o.state === 'confirmed',
    shipped: o.parcels.some((p) => p.state !== 'waiting'),
    delivered: o.parcels.length > 0 && o.parcels.every((p) => p.state === 'delivered'),
    issued: false,
    cancelled: o.state === 'cancelled',
    createdAt: o.createdAt,
  }));
}

/**
 * Every JD after-sale service order in the ledger shape: `customerExpect` 10 is a return for a
 * refund, 20 an exchange; step 60 (done) or 30 (rejected) closes it (see the connector's mapper).
 */
export function jdAfterSales(state: JdState): LedgerAfterSale[] {
  return [...state.afterSales].map(([id, a]) => ({
    reference: a.thirdApplyId,
    supplierAfterSaleId: String(id),
    supplierOrderId: String(a.jdOrderId),
    orderReference: state.orders.get(a.jdOrderId)?.thirdOrder ?? null,
    type: a.customerExpect === 20 ? 'exchange' : 'return',
    status: String(a.step),
    lines: [{ sku: a.skuId, units: a.num }],
    open: a.step !== 60 && a.step !== 30,
    createdAt: a.createdAt,
  }));
}
