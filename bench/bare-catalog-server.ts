/**
 * The catalog-query bench's baseline server: GET /v1/catalog/items answered by Hono and a `pg`
 * Pool running exactly the hub's SQL (catalogPageSql) with the same JSON out, and nothing else:
 * no auth, no rate limit, no validation, no ORM, no logging. Run as its own process:
 * BENCH_DATABASE_URL, BENCH_MALL_ID, BENCH_PORT, BENCH_POOL_MAX (the hub's HUB_DB_POOL_MAX).
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';
import { stockStatus } from '../src/domain/catalog-keys.ts';
import { type CatalogFilter, catalogPageSql } from '../src/catalog/catalog-query.ts';

interface Row {
  item_id: string; sku_id: string; title: string; brand: string | null; kind: string; category_path: string[]; images: string[];
  attributes: Record<string, string>; market_price_fen: number | null; points: number; cash_fen: number; stock_units: number | null;
}

// `?` placeholders (MikroORM's) to `$1…$n` (pg's); the hub's catalog SQL has no other question marks.
function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
// The hub's cursor format, so a cursor from either server pages the other.
const encode = (k: { points: number; itemId: string }) => Buffer.from(JSON.stringify(k)).toString('base64url');
const decode = (c: string | undefined) => (c ? (JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { points: number; itemId: string }) : undefined);

const env = process.env;
const mallId = env.BENCH_MALL_ID ?? '';
const pool = new pg.Pool({ connectionString: env.BENCH_DATABASE_URL, max: Number(env.BENCH_POOL_MAX ?? 20) });
// The same session settings as the hub's pool (src/persistence/orm.ts): JIT off.
pool.on('connect', (client) => void client.query('set jit = off'));
const app = new Hono();

app.get('/healthz', (c) => c.text('ok'));
app.get('/v1/catalog/items', async (c) => {
  const q = c.req.query();
  const limit = Number(q.limit ?? 50);
  const kind = q.kind as CatalogFilter['kind'];
  const filter: CatalogFilter = {
    kind, category: q.category, pointsMin: num(q.pointsMin), pointsMax: num(q.pointsMax), q: q.q, inStock: q.inStock === 'true', limit, after: decode(q.cursor),
  };
  const { sql, params } = catalogPageSql(q.mallId ?? mallId, filter);
  const { rows } = await pool.query<Row>(numberPlaceholders(sql), params);
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page.at(-1) : undefined;
  return c.json({
    items: page.map((r) => ({
      skuId: r.sku_id, title: r.title, brand: r.brand, kind: r.kind, categoryPath: r.category_path, images: r.images, points: r.points,
      cashFen: r.cash_fen, marketPriceFen: r.market_price_fen, stock: stockStatus(r.stock_units), attributes: r.attributes,
    })),
    nextCursor: last ? encode({ points: last.points, itemId: String(last.item_id) }) : null,
  });
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(env.BENCH_PORT ?? 4183) });
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
