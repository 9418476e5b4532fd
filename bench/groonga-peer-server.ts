/**
 * The catalog-query bench's peer: GET /v1/catalog/items (points_asc only) answered from Groonga.
 * A thin node:http process that turns the hub's query string into one Groonga `select` and the
 * answer into the hub's JSON shape. Groonga's own HTTP server answers `Connection: close`, which
 * autocannon drives badly (bench/search-probe/RESULTS.md), so the load reaches it through this
 * hop, one short connection per query. Run as its own process: BENCH_GROONGA_URL, BENCH_PORT.
 *
 * Filters as src/catalog/catalog-query.ts applies them: kind, category (a name or id, i.e. the
 * leaves under it, via src/domain/taxonomy.ts), points range, in stock, q (normalised with the
 * hub's normalizeText, then a phrase over the TokenBigram index of the item's search text, i.e.
 * a substring), and the hub's cursor (base64url JSON of the last row's points and item id).
 */
import { createServer, get, type ServerResponse } from 'node:http';
import { normalizeText, stockStatus } from '../src/domain/catalog-keys.ts';
import { categoriesNamed, leavesUnder } from '../src/domain/taxonomy.ts';

const env = process.env;
const GROONGA = (env.BENCH_GROONGA_URL ?? 'http://127.0.0.1:10041').replace(/\/+$/, '');
const PORT = Number(env.BENCH_PORT ?? 4183);

/** The columns asked of Groonga, in this order, and how a row of them reads as a catalog item. */
export const OUTPUT_COLUMNS = '_key,sku_id,title,brand,kind,category_path,images,points,cash_fen,market_price_fen,stock_units,attributes';
type GroongaRow = [number, string, string, string, string, string[], string[], number, number, number, number, string];

// A string literal of Groonga's script syntax.
const str = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
const int = (v: string | undefined) => (v !== undefined && /^\d{1,10}$/.test(v) ? Number(v) : undefined);

/** The Groonga `select` parameters for a catalog URL's query, or null when nothing can match. */
export function selectParams(q: URLSearchParams, limit: number): URLSearchParams | null {
  const filters: string[] = [];
  const kind = q.get('kind');
  if (kind) filters.push(`kind == ${str(kind)}`);
  const category = q.get('category');
  if (category) {
    const leaves = [...new Set(categoriesNamed(category).flatMap((n) => leavesUnder(n.id)))];
    if (leaves.length === 0) return null;
    filters.push(`in_values(category, ${leaves.map(str).join(', ')})`);
  }
  const min = int(q.get('pointsMin') ?? undefined);
  const max = int(q.get('pointsMax') ?? undefined);
  // One index range: `points >= a && points <= b` builds both half-open sets and intersects
  // them (56 ms against 3 ms for between() at 60 000 items).
  if (min !== undefined || max !== undefined) filters.push(`between(points, ${min ?? -(2 ** 31)}, "include", ${max ?? 2 ** 31 - 1}, "include")`);
  if (q.get('inStock') === 'true') filters.push('in_stock == true');
  const text = q.get('q');
  if (text) {
    const needle = normalizeText(text);
    if (needle) filters.push(`search_text @ ${str(needle)}`);
  }
  const cursor = q.get('cursor');
  if (cursor) {
    const k = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { points: number; itemId: string };
    if (!Number.isInteger(k.points) || !/^\d{1,19}$/.test(k.itemId)) throw new Error('bad cursor');
    filters.push(`(points > ${k.points} || (points == ${k.points} && _key > ${k.itemId}))`);
  }
  const p = new URLSearchParams({ table: 'Items', sort_keys: 'points,_key', limit: String(limit + 1), output_columns: OUTPUT_COLUMNS, cache: 'no' });
  if (filters.length) p.set('filter', filters.join(' && '));
  return p;
}

function groonga(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // agent: false: Groonga closes every connection after its answer anyway.
    get(`${GROONGA}${path}`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body)).on('error', reject);
    }).on('error', reject);
  });
}

const view = (r: GroongaRow) => ({
  skuId: r[1], title: r[2], brand: r[3] === '' ? null : r[3], kind: r[4], categoryPath: r[5], images: r[6], points: r[7],
  cashFen: r[8], marketPriceFen: r[9] < 0 ? null : r[9], stock: stockStatus(r[10] < 0 ? null : r[10]), attributes: JSON.parse(r[11] || '{}') as Record<string, string>,
});

const send = (res: ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

async function page(url: URL, res: ServerResponse): Promise<void> {
  const q = url.searchParams;
  if ((q.get('sort') ?? 'points_asc') !== 'points_asc') return send(res, 400, { error: 'the peer serves sort=points_asc only' });
  const limit = int(q.get('limit') ?? undefined) ?? 50;
  const params = selectParams(q, limit);
  if (!params) return send(res, 200, { items: [], nextCursor: null });
  const out = JSON.parse(await groonga(`/d/select?${params}`)) as [[number, number, number, string?], [[[number], unknown, ...GroongaRow[]]]];
  if (out[0][0] !== 0) return send(res, 502, { error: `groonga: ${out[0][3] ?? out[0][0]}` });
  const rows = out[1][0].slice(2) as GroongaRow[];
  const items = rows.slice(0, limit);
  const last = rows.length > limit ? items.at(-1) : undefined;
  send(res, 200, { items: items.map(view), nextCursor: last ? Buffer.from(JSON.stringify({ points: last[7], itemId: String(last[0]) })).toString('base64url') : null });
}

if (import.meta.main) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    if (url.pathname === '/healthz') {
      groonga('/d/status').then(() => res.writeHead(200).end('ok'), (e: unknown) => res.writeHead(503).end(String(e)));
      return;
    }
    if (url.pathname !== '/v1/catalog/items') return void res.writeHead(404).end();
    page(url, res).catch((e: unknown) => send(res, 500, { error: String(e) }));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(PORT, '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
