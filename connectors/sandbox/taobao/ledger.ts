import type { LedgerAfterSale, LedgerOrder } from '../common/ledger.ts';
import type { TaobaoState } from './state.ts';

/** Every purchase order in the ledger shape: paid from the deposit when created, closed gives it back. */
export function taobaoLedger(state: TaobaoState): LedgerOrder[] {
  return [...state.orders.values()].map((o) => {
    const closed = o.status === 'TRADE_CLOSED';
    return {
      reference: o.distOrderNo,
      supplierOrderId: o.fenxiaoId,
      status: o.status,
      units: o.lines.reduce((n, l) => n + l.num, 0),
      lines: o.lines.map((l) => ({ sku: l.itemId, units: l.num })),
      live: !closed,
      charged: !closed,
      shipped: o.logistics !== undefined,
      delivered: o.status === 'TRADE_FINISHED',
      issued: false,
      cancelled: closed,
      createdAt: o.created.toISOString(),
    };
  });
}

// TOP refund statuses that end a refund: 4 closed, 5 refunded, 6 refused, 10 refused receipt.
const REFUND_DONE: ReadonlySet<number> = new Set([4, 5, 6, 10]);

/** Every refund in the ledger shape: a refund with `is_return_goods` is a return, else money back only. */
export function taobaoAfterSales(state: TaobaoState): LedgerAfterSale[] {
  return [...state.refunds.values()].map((r) => ({
    reference: r.distRefundNo,
    supplierAfterSaleId: r.refundId,
    supplierOrderId: r.fenxiaoId,
    orderReference: state.orders.get(r.fenxiaoId)?.distOrderNo ?? null,
    type: r.isReturnGoods ? 'return' : 'refund',
    status: String(r.status),
    lines: [{ sku: r.itemId, units: r.num }],
    open: !REFUND_DONE.has(r.status),
    createdAt: r.created.toISOString(),
  }));
}
