import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import type { LineRecord } from './line-store.ts';

/** The SQL of refunds in the ledger (ledger_entry rows `refund` and `supplier_refund`); refunds.ts decides. */

const exec = <T extends object[]>(em: EntityManager, sql: string, params: unknown[]) => em.getConnection().execute<T>(sql, params, 'all', em.getTransactionContext());

/** Locks a line's row (the first lock of every line move). */
export async function lockLineRow(tx: EntityManager, lineId: string): Promise<void> {
  await exec(tx, 'select id from order_line where id = ? for update', [lineId]);
}

/** The refund written under `ref`, if any (amounts as given back: positive). */
export async function refundByRef(em: EntityManager, ref: string): Promise<{ units: number; points: number; fen: number } | undefined> {
  const [row] = await exec<{ units: number; points: number; fen: number }[]>(em, "select units, -points points, -fen fen from ledger_entry where ref = ? and entry = 'refund'", [ref]);
  return row;
}

/** Units of a line the ledger has refunded so far (failed, cancelled and after-sales alike). */
export async function refundedUnits(em: EntityManager, lineId: string): Promise<number> {
  const [r] = await exec<{ n: number }[]>(em, "select coalesce(sum(units), 0)::int n from ledger_entry where line_id = ? and entry = 'refund'", [lineId]);
  return r?.n ?? 0;
}

/** Appends a refund row under `ref` (unique). */
export async function insertRefund(tx: EntityManager, clock: Clock, line: Pick<LineRecord, 'id' | 'orderId' | 'mallId'>, r: { units: number; points: number; fen: number; reason: string; ref: string }): Promise<void> {
  await exec(tx, `insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, reason, ref, at) values (?, ?, ?, 'refund', ?, ?, ?, ?, ?, ?)`, [
    line.mallId, line.orderId, line.id, r.units, -r.points, -r.fen, r.reason, r.ref, clock.now(),
  ]);
}

/** Appends what a supplier gives the hub back, once per `ref`; false when `ref` was there already. */
export async function insertSupplierRefund(tx: EntityManager, clock: Clock, line: Pick<LineRecord, 'id' | 'orderId' | 'mallId'>, e: { supplierId: string; units: number; fen: number; ref: string; reason: string }): Promise<boolean> {
  const rows = await exec<{ id: string }[]>(
    tx,
    `insert into ledger_entry (mall_id, order_id, line_id, entry, units, fen, supplier_id, reason, ref, at) values (?, ?, ?, 'supplier_refund', ?, ?, ?, ?, ?, ?)
     on conflict (ref) where ref is not null do nothing returning id`,
    [line.mallId, line.orderId, line.id, e.units, e.fen, e.supplierId, e.reason, e.ref, clock.now()],
  );
  return rows.length > 0;
}
