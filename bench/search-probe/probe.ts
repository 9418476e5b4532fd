// Search probe, step 3: the five queries (sorted by points ascending, 50 rows + 1 for the cursor)
// on each candidate, alone: 5 warm-up runs then 50 timed runs, median and p99 (client-side, one
// connection, round trip included). Also checks every candidate returns the baseline's points.
// Run: node bench/search-probe/probe.ts   (needs load.sql done and groonga.sh serving)
import pg from 'pg';
import { bigrams, normalizeText } from '../../src/domain/catalog-keys.ts';

export const QUERIES: { name: string; q: string; min?: number; max?: number }[] = [
  { name: 'q=海尔', q: '海尔' },
  { name: 'q=冰箱', q: '冰箱' },
  { name: 'q=洗衣机', q: '洗衣机' },
  { name: 'q=手机', q: '手机' },
  { name: 'q=冰箱 points 300k..600k', q: '冰箱', min: 300_000, max: 600_000 },
];
const LIMIT = 51;
const range = (min?: number, max?: number, col = 'points', at = 3) =>
  min === undefined ? { sql: '', params: [] as number[] } : { sql: ` and ${col} >= $${at} and ${col} <= $${at + 1}`, params: [min, max ?? min] };

type Run = (c: pg.ClientBase, q: (typeof QUERIES)[number]) => Promise<number[]>;
const pts = (r: pg.QueryResult) => r.rows.map((x) => Number(x.points));

export const CANDIDATES: Record<string, Run> = {
  // 1. Today's SQL (src/catalog/catalog-query.ts, q branch) on copies of catalog_item / mall_item.
  baseline: async (c, q) => {
    const n = normalizeText(q.q);
    const r = range(q.min, q.max, 'mi.points', 4);
    return pts(await c.query(
      `with hits as materialized (select id from sp_item where search_grams @> $1::text[] and strpos(search_text, $2) > 0),
        top as (select mi.* from hits cross join lateral (select item_id, mall_id, points, stock_units, kind, category_id, sellable from sp_mall_item m where m.mall_id = $3 and m.item_id = hits.id offset 0) mi
          where mi.mall_id = $3 and mi.sellable${r.sql} order by mi.points, mi.item_id limit ${LIMIT})
       select mi.item_id, ci.title, mi.points from top mi join sp_item ci on ci.id = mi.item_id order by mi.points, mi.item_id`,
      [bigrams(n), n, 1, ...r.params]));
  },
  // 2A. Per-mall search rows (sellable only, points inline) with GIN on the bigrams: bitmap of hits, recheck, top-N sort.
  gin_mall: async (c, q) => {
    const n = normalizeText(q.q);
    const r = range(q.min, q.max);
    return pts(await c.query(
      `with top as (select item_id, points from sp_search where mall_id = 1 and search_grams @> $1::text[] and strpos(search_text, $2) > 0${r.sql} order by points, item_id limit ${LIMIT})
       select t.item_id, i.title, t.points from top t join sp_item i on i.id = t.item_id order by t.points, t.item_id`, [bigrams(n), n, ...r.params]));
  },
  // 2B. RUM over the bigram tsvector with points attached: the index returns hits in points order.
  rum: async (c, q) => {
    const n = normalizeText(q.q);
    const tsq = bigrams(n).map((g) => `'${g.replace(/'/g, "''")}'`).join(' & ');
    const r = range(q.min, q.max);
    return pts(await c.query(
      `with top as (select item_id, points from sp_search where tsv @@ $1::tsquery and strpos(search_text, $2) > 0${r.sql} order by points <=> 0 limit ${LIMIT})
       select t.item_id, i.title, t.points from top t join sp_item i on i.id = t.item_id order by t.points, t.item_id`, [tsq, n, ...r.params]));
  },
  // 2C. pg_trgm GIN on the normalised text, LIKE '%q%'.
  trgm: async (c, q) => {
    const n = normalizeText(q.q);
    const r = range(q.min, q.max, 'points', 2);
    return pts(await c.query(
      `with top as (select item_id, points from sp_search where mall_id = 1 and search_text like $1${r.sql} order by points, item_id limit ${LIMIT})
       select t.item_id, i.title, t.points from top t join sp_item i on i.id = t.item_id order by t.points, t.item_id`, [`%${n}%`, ...r.params]));
  },
  // 2D. Posting btree (mall, bigram, points, item): walk the rarest bigram's postings in points order,
  // recheck the rest on the search row, stop at 51. The rarest bigram is picked from sp_gram_stats.
  postings: async (c, q) => {
    const n = normalizeText(q.q);
    const gs = bigrams(n);
    // The rarest bigram drives (a second round trip; the ~10 000 counts could as well sit in the app's memory).
    const drive = gs.length === 1 ? gs[0] : (await c.query('select gram from sp_gram_stats where mall_id = 1 and gram = any($1::text[]) order by n limit 1', [gs])).rows[0]?.gram ?? gs[0];
    const r = range(q.min, q.max, 'p.points', gs.length === 1 ? 3 : 5);
    // A 2-character query is exactly its one bigram: the postings are the answer, read index-only.
    // Longer queries recheck each posting, in points order, on its search row (lateral + offset 0 keeps it a nested loop that stops at 51).
    const recheck = gs.length === 1 ? '' : `cross join lateral (select 1 from sp_search s where s.mall_id = 1 and s.item_id = p.item_id and s.search_grams @> $3::text[] and strpos(s.search_text, $4) > 0 offset 0) s`;
    return pts(await c.query(
      `with top as (select p.item_id, p.points from sp_post p ${recheck}
          where p.mall_id = 1 and p.gram = $1 and $2::int = 1${r.sql} order by p.points, p.item_id limit ${LIMIT})
       select t.item_id, i.title, t.points from top t join sp_item i on i.id = t.item_id order by t.points, t.item_id`,
      gs.length === 1 ? [drive, 1, ...r.params] : [drive, 1, gs, n, ...r.params]));
  },
};

// 3. Groonga over HTTP (groonga.sh), cache off.
export function groongaUrl(q: (typeof QUERIES)[number]): string {
  const p = new URLSearchParams({ table: 'Items', match_columns: 'search_text', query: normalizeText(q.q), sort_keys: 'points,_key', limit: String(LIMIT), output_columns: '_key,title,points', cache: 'no' });
  // (The range as query syntax, `points:>=…`, measured 269 ms median: the --filter script is faster.)
  if (q.min !== undefined) p.set('filter', `points >= ${q.min} && points <= ${q.max}`);
  return `http://127.0.0.1:10041/d/select?${p}`;
}
const groonga = async (q: (typeof QUERIES)[number]) => {
  const body = (await (await fetch(groongaUrl(q))).json()) as [unknown, [[[number], unknown, ...[number, string, number][]]]];
  return body[1][0].slice(2).map((row) => (row as [number, string, number])[2]);
};

const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { med: s[Math.floor(s.length / 2)] ?? NaN, p99: s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] ?? NaN };
};

if (import.meta.main) {
  const only = process.argv.slice(2);
  const c = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'search_probe' });
  await c.connect();
  const runners: Record<string, (q: (typeof QUERIES)[number]) => Promise<number[]>> = { groonga };
  for (const [k, f] of Object.entries(CANDIDATES)) runners[k] = (q) => f(c, q);
  const names = only.length ? only : ['baseline', 'gin_mall', 'rum', 'trgm', 'postings', 'groonga'];
  const expected = new Map<string, string>();
  console.log(`| candidate | ${QUERIES.map((q) => q.name).join(' | ')} |\n|---|${QUERIES.map(() => '---').join('|')}|`);
  for (const name of names) {
    const cells: string[] = [];
    for (const q of QUERIES) {
      const run = runners[name];
      if (!run) throw new Error(`unknown candidate ${name}`);
      const first = await run(q);
      const key = JSON.stringify(first);
      if (!expected.has(q.name)) expected.set(q.name, key);
      const same = expected.get(q.name) === key ? '' : ' ≠';
      const times: number[] = [];
      for (let i = 0; i < 55; i++) {
        const t0 = performance.now();
        await run(q);
        if (i >= 5) times.push(performance.now() - t0);
      }
      const s = stat(times);
      cells.push(`${s.med.toFixed(2)} / ${s.p99.toFixed(2)} ms (${first.length})${same}`);
    }
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
  await c.end();
}
