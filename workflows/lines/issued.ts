import type { SupplierOrder } from '../../connectors/connector.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../src/domain/clock.ts';
import { addLedger, loadLine, setLineStatus, supplierCostBooked, updateAttempt } from '../../src/orders/line-store.ts';
import { addVoucher } from '../../src/orders/voucher-store.ts';
import type { CryptoBox } from '../../src/security/crypto-box.ts';
import type { LineState } from './services.ts';

/** A voucher code as the mall's order view shows it: the last four characters only. */
export function maskCode(code: string): string {
  return code.length <= 4 ? '****' : `${'*'.repeat(Math.min(8, code.length - 4))}${code.slice(-4)}`;
}

/**
 * Records a line as issued (a virtual line, or a brand service whose e-voucher codes come with the
 * order): vouchers sealed (AES-256-GCM), the supplier's cost in the ledger unless the attempt's
 * acceptance booked it already, the line `issued` and `line.issued` to the mall (its codes masked,
 * as the order view shows them). Guarded: a second call does nothing.
 */
export async function recordIssued(tx: EntityManager, clock: Clock, crypto: CryptoBox, lineId: string, state: LineState, order: SupplierOrder): Promise<void> {
  const line = await loadLine(tx, lineId);
  if (line.status === 'issued') return;
  for (const v of order.vouchers) {
    await addVoucher(tx, clock, { lineId: line.id, attemptId: state.attemptId, code: crypto.seal(JSON.stringify(v)), masked: maskCode(v.code), expiresAt: v.expiresAt ?? null });
  }
  const cost = order.lines.reduce((sum, l) => sum + (l.costFen ?? 0) * l.quantity, 0);
  await updateAttempt(tx, clock, state.attemptId as string, { status: 'issued', supplierOrderId: order.supplierOrderId, costFen: order.lines[0]?.costFen ?? null });
  if (!(await supplierCostBooked(tx, state.attemptId as string))) await addLedger(tx, clock, line, { entry: 'supplier_cost', units: line.quantity, fen: cost, supplierId: state.supplierId as string, attemptId: state.attemptId as string });
  // The codes masked as the order view shows them (issuance.vouchers), never in full.
  const vouchers = order.vouchers.map((v) => ({ code: maskCode(v.code), expiresAt: v.expiresAt ? new Date(v.expiresAt).toISOString() : null }));
  await setLineStatus(tx, clock, line, { status: 'issued', source: state.supplierId as string, qtyFulfilled: line.quantity - line.qtyCancelled - line.qtyFailed }, [
    { type: 'line.issued', data: { source: state.supplierId as string, voucherCount: vouchers.length, vouchers } },
  ]);
}
