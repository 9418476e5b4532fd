/**
 * The order-intake bench's baseline: a bare Hono + pg server that writes the same rows as the
 * hub's POST /v1/orders (order, line, settlement ledger, workflow run, outbox job, order event
 * with its counter) in one transaction, after the same catalog price lookup: no auth, no
 * validation, no idempotency, no encryption, no ORM.
 */
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';

const env = process.env;
const pool = new pg.Pool({ connectionString: env.BENCH_DATABASE_URL, max: Number(env.BENCH_POOL_MAX ?? 20), application_name: 'bench-bare' });
pool.on('connect', (client) => void client.query('set jit = off'));
const mallId = env.BENCH_MALL_ID as string;
const id = (p: string) => `${p}_${randomUUID().replaceAll('-', '')}`;

interface Body {
  mallOrderId: string;
  member: { id: string };
  recipient: Record<string, string>;
  lines: { lineId: string; skuId: string; quantity: number; pointsPaid: number; cashPaidFen: number }[];
}

const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.post('/v1/orders', async (c) => {
  const b = (await c.req.json()) as Body;
  const client = await pool.connect();
  try {
    await client.query('begin');
    const prices = await client.query<{ sku_id: string; item_id: string; kind: string; points: number; cash_fen: number }>(
      'select ci.sku_id, ci.id item_id, ci.kind, mi.points, mi.cash_fen from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = $1 where ci.sku_id = any($2)',
      [mallId, b.lines.map((l) => l.skuId)],
    );
    const orderId = id('ord');
    const now = new Date();
    await client.query(
      `insert into mall_order (id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, recipient, status, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, 'accepted', $8, $8)`,
      [orderId, mallId, b.mallOrderId, c.req.header('idempotency-key'), 'x'.repeat(64), b.member.id, JSON.stringify({ keyId: 'k', data: JSON.stringify(b.recipient) }), now],
    );
    for (const l of b.lines) {
      const p = prices.rows.find((r) => r.sku_id === l.skuId);
      if (!p) throw new Error(`unknown ${l.skuId}`);
      const lineId = id('lin');
      const runId = id('wfr');
      await client.query(
        `insert into order_line (id, order_id, mall_id, line_id, item_id, sku_id, kind, quantity, points_paid, cash_paid_fen, unit_points, unit_cash_fen, status, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $13)`,
        [lineId, orderId, mallId, l.lineId, p.item_id, l.skuId, p.kind, l.quantity, l.pointsPaid, l.cashPaidFen, p.points, p.cash_fen, now],
      );
      await client.query("insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, at) values ($1, $2, $3, 'settlement', $4, $5, $6, $7)", [mallId, orderId, lineId, l.quantity, l.pointsPaid, l.cashPaidFen, now]);
      await client.query("insert into workflow_run (id, workflow, subject_id, status, step, next_run_at, created_at, updated_at) values ($1, 'fulfil-line', $2, 'pending', 'start', $3, $3, $3)", [runId, lineId, now]);
      await client.query("insert into job_outbox (queue, job_id, payload) values ('workflow', $1, $2)", [`${runId}-0`, JSON.stringify({ runId })]);
    }
    await client.query("insert into order_event_counter (order_id, last_seq) values ($1, 1)", [orderId]);
    await client.query("insert into mall_event (id, mall_id, order_id, seq, type, data, created_at) values ($1, $2, $3, 1, 'order.accepted', $4, $5)", [id('evt'), mallId, orderId, JSON.stringify({ orderId, mallOrderId: b.mallOrderId }), now]);
    await client.query('commit');
    return c.json({ orderId, mallOrderId: b.mallOrderId, status: 'accepted' }, 201);
  } catch (err) {
    await client.query('rollback');
    return c.json({ error: String(err) }, 500);
  } finally {
    client.release();
  }
});

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(env.BENCH_PORT ?? 4302) });
