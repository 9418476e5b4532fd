import { randomBytes } from 'node:crypto';
import type { TestHub } from '../support/hub.ts';

/** A line already placed at a supplier (order, line, attempt with its supplier order id), written straight to the database. */
export async function seedPlacedLine(hub: TestHub, mallId: string, opts: { supplierId: string; supplierOrderId: string; kind?: 'physical' | 'virtual'; quantity?: number; status?: string }) {
  const conn = hub.deps.orm.em.fork().getConnection();
  const tag = randomBytes(6).toString('hex');
  const kind = opts.kind ?? 'physical';
  const [item] = await conn.execute<{ id: string }[]>("insert into catalog_item (match_key, kind, title) values (?, ?, 'Test item') returning id", [`mk-${tag}`, kind]);
  const orderId = `ord_${tag}`;
  const lineId = `lin_${tag}`;
  const now = hub.clock.now();
  await conn.execute(
    "insert into mall_order (id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, status, created_at, updated_at) values (?, ?, ?, ?, 'h', 'm-1', 'in_progress', ?, ?)",
    [orderId, mallId, `M-${tag}`, `k-${tag}`, now, now],
  );
  await conn.execute(
    `insert into order_line (id, order_id, mall_id, line_id, item_id, sku_id, kind, quantity, points_paid, cash_paid_fen, unit_points, unit_cash_fen, status, created_at, updated_at)
     values (?, ?, ?, '1', ?, 'sku-x', ?, ?, 100, 0, 100, 0, ?, ?, ?)`,
    [lineId, orderId, mallId, item?.id, kind, opts.quantity ?? 1, opts.status ?? 'accepted', now, now],
  );
  const reference = `${tag}a1`;
  const attemptId = `att_${tag}`;
  await conn.execute(
    `insert into line_attempt (id, line_id, seq, supplier_id, supplier_account_id, supplier_sku_id, reference, status, supplier_order_id, quantity, created_at, updated_at)
     values (?, ?, 1, ?, ?, 'ssku', ?, 'accepted', ?, ?, ?, ?)`,
    [attemptId, lineId, opts.supplierId, opts.supplierId, reference, opts.supplierOrderId, opts.quantity ?? 1, now, now],
  );
  return { orderId, lineId, attemptId, reference };
}

/** Rows of the tables supplier events may touch, for "nothing changed" checks. */
export async function snapshot(hub: TestHub): Promise<Record<string, number>> {
  const conn = hub.deps.orm.em.fork().getConnection();
  const out: Record<string, number> = {};
  for (const t of ['inbound_event', 'shipment', 'tracking_event', 'mall_event']) {
    out[t] = Number((await conn.execute<{ n: string }[]>(`select count(*) n from ${t}`))[0]?.n);
  }
  const lines = await conn.execute<{ s: string }[]>("select string_agg(id || ':' || status, ',' order by id) s from order_line");
  out[`lines:${lines[0]?.s ?? ''}`] = 1;
  return out;
}
