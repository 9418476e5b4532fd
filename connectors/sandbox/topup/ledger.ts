import type { LedgerOrder } from '../common/ledger.ts';
import type { TopupState } from './state.ts';

/**
 * Every recharge order in the ledger shape. `charged` comes from the money movements, not the
 * status: an order is charged when its charges exceed its refunds (a failed recharge is refunded).
 */
export function topupLedger(state: TopupState): LedgerOrder[] {
  const net = new Map<string, number>();
  for (const e of state.ledger) net.set(e.orderId, (net.get(e.orderId) ?? 0) + (e.kind === 'charge' ? e.amountFen : -e.amountFen));
  return state.allOrders().map((o) => ({
    reference: o.customerOrderNo,
    supplierOrderId: o.orderId,
    status: o.status,
    units: o.buyNum,
    lines: [{ sku: o.product.product_id, units: o.buyNum }],
    live: o.status !== 'failed',
    charged: (net.get(o.orderId) ?? 0) > 0,
    shipped: false,
    delivered: false,
    issued: o.status === 'success',
    cancelled: false,
    createdAt: o.createdAt.toISOString(),
  }));
}
