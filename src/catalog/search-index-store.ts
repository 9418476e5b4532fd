import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The catalog's search index (migration 0024): per mall, a posting row per (bigram, item) in
 * points order. Triggers on mall_item queue every change a search can see in search_pending, in
 * the writer's transaction, so nothing is missed whoever writes prices; the indexer here drains
 * the queue in batches. A mall with a large backlog (a new mall, a first sync, an index lost) is
 * rebuilt in bulk instead, which is several times faster than item by item.
 *
 * PostgreSQL stays the one source of truth: the index is derived from mall_item and catalog_item,
 * and `rebuildMallSearch` recreates a mall's part from them at any time.
 */

/** Items drained per indexer transaction. */
export const DEFAULT_INDEX_BATCH = 5_000;
/** A mall with more queued items than this is rebuilt in bulk rather than drained. */
export const DEFAULT_REBUILD_ABOVE = 50_000;

interface Claimed { mall_id: string; item_id: string }

// What relevance needs of a posting (ci: the item, g: the bigram): where the bigram first stands
// in the search text (characters, 1-based; capped to fit a smallint) and whether it is the whole
// title or brand, normalised as catalog-query.ts compares them.
const POS_WHOLE = "least(strpos(ci.search_text, g), 32767)::smallint, (search_norm(ci.title) = g or search_norm(coalesce(ci.brand, '')) = g)";

/**
 * One indexer transaction: claims up to `batch` queued items (oldest first, skipping rows another
 * indexer holds), removes what was posted for them and posts what mall_item says now. Returns
 * how many it claimed (0: nothing was waiting).
 */
export async function drainSearchBatch(em: EntityManager, batch = DEFAULT_INDEX_BATCH): Promise<number> {
  return em.transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    // The mall rows are share-locked with the items (skipping a mall being rebuilt, whose row the
    // rebuild holds): a rebuild then waits for this batch to commit, and never runs beside it.
    const claimed = await conn.execute<Claimed[]>(
      `delete from search_pending p using (
         select q.mall_id, q.item_id from search_pending q join mall m on m.id = q.mall_id
         order by q.queued_at limit ? for update of q skip locked for share of m skip locked
       ) c
       where p.mall_id = c.mall_id and p.item_id = c.item_id returning p.mall_id, p.item_id::text`,
      [batch], 'all', ctx,
    );
    if (claimed.length === 0) return 0;
    const input = JSON.stringify(claimed);
    const CLAIMED = `(select c.item_id, m.id as mall_id, m.search_key from jsonb_to_recordset(?::jsonb) as c(mall_id text, item_id bigint) join mall m on m.id = c.mall_id)`;
    // What was posted, found again from the points it was posted at and the item's grams (its
    // text never changes: the first source's title stays), each posting by its whole key. Written
    // as a join, the planner computed the gram after the scan and probed the index by (mall,
    // points, item) alone: every posting of the mall read for each item.
    await conn.execute(
      `with old as materialized (
         select d.search_key, d.item_id, d.points, search_gram_code(g) as gram
         from ${CLAIMED} c join search_doc d on d.search_key = c.search_key and d.item_id = c.item_id
         join catalog_item ci on ci.id = c.item_id cross join unnest(ci.search_grams) g
       )
       delete from search_posting p where p.ctid = any(array(
         select x.ctid from old cross join lateral (
           select q.ctid from search_posting q where q.search_key = old.search_key and q.gram = old.gram and q.points = old.points and q.item_id = old.item_id
         ) x
       ))`,
      [input], 'all', ctx,
    );
    await conn.execute(
      `delete from search_doc d using ${CLAIMED} c where d.search_key = c.search_key and d.item_id = c.item_id`,
      [input], 'all', ctx,
    );
    await conn.execute(
      `with now_sold as (
         select c.search_key, mi.item_id, mi.points, mi.kind, mi.category_id, coalesce(mi.stock_units, 1) > 0 as in_stock
         from ${CLAIMED} c join mall_item mi on mi.mall_id = c.mall_id and mi.item_id = c.item_id where mi.sellable
       ),
       docs as (insert into search_doc (search_key, item_id, points) select search_key, item_id, points from now_sold)
       insert into search_posting (search_key, gram, points, item_id, kind, category_id, in_stock, pos, whole)
       select s.search_key, search_gram_code(g), s.points, s.item_id, s.kind, s.category_id, s.in_stock, ${POS_WHOLE}
       from now_sold s join catalog_item ci on ci.id = s.item_id cross join unnest(ci.search_grams) g
       order by 1, 2, 3, 4`,
      [input], 'all', ctx,
    );
    return claimed.length;
  });
}

/** Malls whose index is being built from the queue (not due a rebuild) and has nothing left queued become ready. */
export async function markReadyMalls(em: EntityManager): Promise<string[]> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `update mall m set search_state = 'ready' where search_state = 'building' and not search_rebuild
       and not exists (select 1 from search_pending p where p.mall_id = m.id) returning id`,
  );
  return rows.map((r) => r.id);
}

/**
 * Rebuilds one mall's search index from mall_item and catalog_item in one transaction: its
 * queued items are taken (the rebuild reads them as they are now), its postings replaced, and the
 * mall marked ready. Searches go on reading the old postings (or the SQL path, for a mall not yet
 * ready) until it commits. Changes committed meanwhile queue themselves again and are drained after.
 */
export async function rebuildMallSearch(em: EntityManager, mallId: string): Promise<{ items: number; postings: number; seconds: number }> {
  const t0 = performance.now();
  const out = await em.transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    // The mall's row is held to the end: batches of the indexer skip the mall meanwhile (and this
    // waits for those under way), so no batch writes its postings beside the rebuild's.
    const mall = await conn.execute<{ search_key: number }[]>("update mall set search_state = 'building' where id = ? returning search_key", [mallId], 'all', ctx);
    const key = mall[0]?.search_key;
    if (key === undefined) return { items: 0, postings: 0 };
    // What is queued now is rebuilt below, except rows a writer still holds (its change may not be
    // visible to the rebuild): those stay queued and are drained after.
    await conn.execute(
      `delete from search_pending p using (select mall_id, item_id from search_pending where mall_id = ? for update skip locked) c
       where p.mall_id = c.mall_id and p.item_id = c.item_id`,
      [mallId], 'all', ctx,
    );
    await conn.execute('delete from search_posting where search_key = ?', [key], 'all', ctx);
    await conn.execute('delete from search_doc where search_key = ?', [key], 'all', ctx);
    // Docs and postings in one statement, so both read mall_item as of the same moment (a price
    // committed in between would otherwise be posted at a price its doc does not know). Sorted
    // the index's way: each insert lands next to the last one instead of at a random page.
    const [counts] = await conn.execute<{ items: number; postings: number }[]>(
      `with docs as (
         insert into search_doc (search_key, item_id, points) select ?, item_id, points from mall_item where mall_id = ? and sellable returning 1
       ),
       posted as (
         insert into search_posting (search_key, gram, points, item_id, kind, category_id, in_stock, pos, whole)
         select ?, search_gram_code(g), mi.points, mi.item_id, mi.kind, mi.category_id, coalesce(mi.stock_units, 1) > 0, ${POS_WHOLE}
         from mall_item mi join catalog_item ci on ci.id = mi.item_id cross join unnest(ci.search_grams) g
         where mi.mall_id = ? and mi.sellable
         order by 2, 3, 4
         returning 1
       )
       select (select count(*)::int from docs) as items, (select count(*)::int from posted) as postings`,
      [key, mallId, key, mallId], 'all', ctx,
    );
    await conn.execute("update mall set search_state = 'ready', search_rebuild = false where id = ?", [mallId], 'all', ctx);
    return { items: counts?.items ?? 0, postings: counts?.postings ?? 0 };
  });
  // Index-only scans need the visibility map: a bulk load is vacuumed at once rather than
  // waiting for autovacuum. (VACUUM cannot run in a transaction.)
  await em.getConnection().execute('vacuum analyze search_posting, search_doc');
  return { ...out, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) };
}

/**
 * Asks the workers to rebuild a mall's index in bulk: its searches take the SQL path from now
 * until the rebuild commits. False when there is no such mall.
 */
export async function requestSearchRebuild(em: EntityManager, mallId: string): Promise<boolean> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    "update mall set search_state = 'building', search_rebuild = true where id = ? returning id",
    [mallId],
  );
  return rows.length > 0;
}

/**
 * Malls due a bulk rebuild: asked for, or with a queued backlog above the threshold and above half
 * the items already indexed. A rebuild costs the whole mall, so a catalog growing under a first
 * sync is rebuilt at geometric steps (about twice its size in all), and a large mall's nightly
 * changes are drained instead.
 */
async function mallsToRebuild(em: EntityManager, above: number): Promise<string[]> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select id from mall where search_rebuild
     union
     select b.mall_id from (select mall_id, count(*) as n from search_pending group by mall_id having count(*) > ?) b
     join mall m on m.id = b.mall_id
     where b.n > (select count(*) from search_doc d where d.search_key = m.search_key) / 2
     order by 1`,
    [above],
  );
  return rows.map((r) => r.id);
}

/** What one indexer pass did. */
export interface IndexPass { drained: number; rebuilt: string[]; ready: string[] }

/**
 * One pass of the indexer: malls with a large backlog are rebuilt in bulk, then the queue is
 * drained batch by batch until empty (or `maxBatches`), then malls left without backlog are marked ready.
 */
export async function indexSearchPass(
  em: EntityManager,
  opts: { batch?: number; rebuildAbove?: number; maxBatches?: number } = {},
): Promise<IndexPass> {
  const batch = opts.batch ?? DEFAULT_INDEX_BATCH;
  const rebuilt: string[] = [];
  for (const mallId of await mallsToRebuild(em, opts.rebuildAbove ?? DEFAULT_REBUILD_ABOVE)) {
    await rebuildMallSearch(em, mallId);
    rebuilt.push(mallId);
  }
  let drained = 0;
  for (let i = 0, n = batch; n === batch && i < (opts.maxBatches ?? 1_000); i++) {
    n = await drainSearchBatch(em, batch);
    drained += n;
  }
  return { drained, rebuilt, ready: await markReadyMalls(em) };
}

/** How fresh the index is: the queue's length and the age of its oldest entry, per mall state. */
export interface SearchIndexStatus {
  pending: number;
  lagSeconds: number;
  malls: { mallId: string; state: 'building' | 'ready'; pending: number; items: number }[];
}

export async function searchIndexStatus(em: EntityManager): Promise<SearchIndexStatus> {
  const conn = em.getConnection();
  const [head] = await conn.execute<{ pending: number; lag: number | null }[]>(
    'select count(*)::int as pending, extract(epoch from clock_timestamp() - min(queued_at))::float8 as lag from search_pending',
  );
  const malls = await conn.execute<{ id: string; search_state: 'building' | 'ready'; pending: number; items: number }[]>(
    `select m.id, m.search_state,
            (select count(*)::int from search_pending p where p.mall_id = m.id) as pending,
            (select count(*)::int from search_doc d where d.search_key = m.search_key) as items
     from mall m where m.status = 'active' order by m.id`,
  );
  return {
    pending: head?.pending ?? 0,
    lagSeconds: Number((head?.lag ?? 0).toFixed(3)),
    malls: malls.map((m) => ({ mallId: m.id, state: m.search_state, pending: m.pending, items: m.items })),
  };
}

/**
 * Finds malls whose index was lost or damaged (postings or docs deleted behind the indexer's back,
 * a restore without them): a ready mall with fewer posted items than it sells, less what is
 * queued, or with docs but no postings. Each is marked for a rebuild in bulk.
 */
export async function repairLostSearch(em: EntityManager): Promise<string[]> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select m.id from mall m
     where m.search_state = 'ready'
       and ((select count(*) from search_doc d where d.search_key = m.search_key)
              < (select count(*) from mall_item mi where mi.mall_id = m.id and mi.sellable) - (select count(*) from search_pending p where p.mall_id = m.id)
            or (exists (select 1 from search_doc d where d.search_key = m.search_key)
                and not exists (select 1 from search_posting p where p.search_key = m.search_key)))
     order by m.id`,
  );
  for (const r of rows) await requestSearchRebuild(em, r.id);
  return rows.map((r) => r.id);
}

/** The queue's length, the age of its oldest entry and the malls still building: what /metrics shows. */
export async function searchIndexBacklog(em: EntityManager): Promise<{ pending: number; lagSeconds: number; building: number }> {
  const [row] = await em.getConnection().execute<{ pending: number; lag: number | null; building: number }[]>(
    `select (select count(*)::int from search_pending) as pending,
            (select extract(epoch from clock_timestamp() - min(queued_at))::float8 from search_pending) as lag,
            (select count(*)::int from mall where status = 'active' and search_state = 'building') as building`,
  );
  return { pending: row?.pending ?? 0, lagSeconds: Number((row?.lag ?? 0).toFixed(3)), building: row?.building ?? 0 };
}
