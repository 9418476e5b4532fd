import type { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../persistence/bound-query.ts';

/**
 * How many postings a bigram has in a mall's search index, remembered by this process: a search
 * of three or more characters walks the postings of its rarest bigram (search-page-store.ts), and
 * counting them on every search cost PostgreSQL more than the page itself (0.7 ms of 1.3 for
 * 洗衣机 at 1 000 000 SKUs, two bigrams of 8 830 postings counted to a cap of 2 000 each).
 *
 * A count only steers the choice: every bigram of the query holds every hit, and the page checks
 * each posting's text, so a stale count costs speed, never a wrong answer. Counts are therefore
 * kept without a clock: each is taken again after `recountEvery` uses, and the oldest go first
 * when the map is full.
 */

/** Postings counted per bigram at most: enough to tell 5 000 (海尔) from 18 000 (手机). */
const COUNT_CAP = 20_000;
/** Counts kept (about 100 bytes each). */
const MAX_ENTRIES = 50_000;

interface Count { n: number; uses: number }
const counts = new Map<string, Count>();

/**
 * The bigram (as search_gram_code) of `grams` with the fewest postings in the mall's index, the
 * smaller code on a tie; null when the mall's index is not ready (being built or rebuilt).
 */
export async function rarestGram(em: EntityManager, mallId: string, grams: readonly number[], opts: { recountEvery?: number } = {}): Promise<number | null> {
  const recountEvery = opts.recountEvery ?? 1_000;
  const key = (g: number) => `${mallId}:${g}`;
  const stale = grams.filter((g) => {
    const c = counts.get(key(g));
    return c === undefined || c.uses >= recountEvery;
  });
  if (stale.length > 0) {
    const rows = await executeBound<{ code: string; n: number }>(em,
      `select g.code::text as code, (select count(*) from (
         select 1 from search_posting q where q.search_key = m.search_key and q.gram = g.code limit ${COUNT_CAP}
       ) s)::int as n
       from mall m cross join unnest(?::bigint[]) as g(code)
       where m.id = ? and m.search_state = 'ready'`,
      [stale, mallId]);
    if (rows.length === 0) return null;
    for (const r of rows) {
      counts.delete(key(Number(r.code))); // re-inserted last: the map's order is the eviction order
      counts.set(key(Number(r.code)), { n: r.n, uses: 0 });
    }
    while (counts.size > MAX_ENTRIES) counts.delete(counts.keys().next().value as string);
  }
  let best: { gram: number; n: number } | null = null;
  for (const g of grams) {
    const c = counts.get(key(g));
    if (!c) continue; // evicted meanwhile by other searches: any bigram of the query is a right answer
    c.uses++;
    if (!best || c.n < best.n || (c.n === best.n && g < best.gram)) best = { gram: g, n: c.n };
  }
  return best?.gram ?? grams[0] ?? null;
}
