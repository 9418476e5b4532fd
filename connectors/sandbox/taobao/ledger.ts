import type { LedgerOrder } from '../common/ledger.ts';
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
