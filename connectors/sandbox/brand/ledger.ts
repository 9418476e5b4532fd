import type { LedgerAfterSale, LedgerOrder } from '../common/ledger.ts';
import type { BrandState } from './state.ts';

/** Every brand order in the ledger shape; services are issued (codes handed over) when the order is created. */
export function brandLedger(state: BrandState): LedgerOrder[] {
  return [...state.orders.values()].map(({ order: o }) => {
    const cancelled = o.status === 'cancelled';
    return {
      reference: o.clientReference,
      supplierOrderId: o.id,
      status: o.status,
      units: o.items.reduce((n, i) => n + i.quantity, 0),
      lines: o.items.map((i) => ({ sku: i.productId, units: i.quantity })),
      live: !cancelled,
      charged: !cancelled,
      shipped: o.shipments.length > 0,
      delivered: o.status === 'delivered',
      issued: o.vouchers.length > 0,
      cancelled,
      createdAt: o.createdAt,
    };
  });
}

/** Every return (after-sale) in the ledger shape; open until the goods are back or it is refunded, rejected or done. */
export function brandAfterSales(state: BrandState): LedgerAfterSale[] {
  return [...state.returns.values()].map((r) => ({
    reference: r.clientReference,
    supplierAfterSaleId: r.id,
    supplierOrderId: r.orderId,
    orderReference: state.orders.get(r.orderId)?.order.clientReference ?? null,
    type: r.type,
    status: r.status,
    lines: r.items.map((i) => ({ sku: i.productId, units: i.quantity })),
    open: r.status === 'requested' || r.status === 'approved',
    createdAt: r.createdAt,
  }));
}
