import { randomBytes } from 'node:crypto';
import type { TestHub } from './hub.ts';

/**
 * Malls and orders written straight to the database, for tests about what happens to an order
 * after intake (no admin API, prices or catalog sync needed). Webhooks go to a closed port.
 */

const sql = <T extends object[]>(hub: TestHub, q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

/** A mall with a webhook secret the hub can open, returning its id. */
export async function seedMall(hub: TestHub): Promise<string> {
  const id = `mall_${randomBytes(6).toString('hex')}`;
  const now = hub.clock.now();
  await sql(hub, `insert into mall (id, name, webhook_url, webhook_secret, points_per_yuan, rate_limit_per_sec, rate_limit_burst, created_at, updated_at)
                  values (?, 'Seeded mall', 'http://127.0.0.1:9/hook', ?, 100, 200, 400, ?, ?)`, [id, JSON.stringify(hub.deps.crypto.seal(`whsec_${id}`)), now, now]);
  return id;
}

/** An accepted order of `lines` pending lines of one item (no source offers it), as intake leaves it. */
export async function seedOrder(hub: TestHub, mallId: string, opts: { lines: number; kind?: 'physical' | 'virtual' }): Promise<{ orderId: string; mallOrderId: string; lineIds: string[] }> {
  const tag = randomBytes(6).toString('hex');
  const kind = opts.kind ?? 'virtual';
  const now = hub.clock.now();
  const [item] = await sql<{ id: string }[]>(hub, "insert into catalog_item (match_key, kind, title) values (?, ?, 'Seeded item') returning id", [`mk-${tag}`, kind]);
  const orderId = `ord_${tag}`;
  await sql(hub, "insert into mall_order (id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, status, created_at, updated_at) values (?, ?, ?, ?, 'h', 'm-1', 'accepted', ?, ?)",
    [orderId, mallId, `M-${tag}`, `k-${tag}`, now, now]);
  const lineIds = Array.from({ length: opts.lines }, (_, i) => `lin_${tag}_${i + 1}`);
  for (const [i, id] of lineIds.entries()) {
    await sql(hub, `insert into order_line (id, order_id, mall_id, line_id, item_id, sku_id, kind, quantity, points_paid, cash_paid_fen, unit_points, unit_cash_fen, status, created_at, updated_at)
                    values (?, ?, ?, ?, ?, 'sku-x', ?, 1, 100, 0, 100, 0, 'pending', ?, ?)`, [id, orderId, mallId, String(i + 1), item?.id, kind, now, now]);
  }
  return { orderId, mallOrderId: `M-${tag}`, lineIds };
}
