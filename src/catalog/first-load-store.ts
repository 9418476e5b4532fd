import type { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../persistence/bound-query.ts';

/** Where a catalog's first load stands (migration 0030). */
export type LoadStatus = 'loading' | 'publishing' | 'done';

/**
 * The catalog_item indexes a first load leaves out while its runs write, and builds in one go when
 * it publishes: the three GIN indexes of search (migrations 0002 and 0028). Row by row they were
 * half of inserting an item; built over a whole catalog they cost about half as much. Named here,
 * not read from the database, so a load always ends with exactly these (a test compares them
 * with what the migrations create).
 */
export const DEFERRED_INDEXES: readonly { name: string; definition: string }[] = [
  { name: 'catalog_item_grams_idx', definition: 'using gin (search_grams)' },
  { name: 'catalog_item_pinyin_idx', definition: 'using gin (search_pinyin gin_trgm_ops)' },
  { name: 'catalog_item_initials_idx', definition: 'using gin (search_initials gin_trgm_ops)' },
];

/** The advisory lock runs take turns on to join a load (an arbitrary constant: "catload" in ASCII). */
const JOIN_LOCK = '27973175357694308';

/** A load as its publisher reads it. */
export interface LoadRow {
  id: string;
  status: LoadStatus;
  published_through: string;
  priced_through: string;
}

/**
 * Joins a new full run to the open load while that load is still loading, or starts one when the
 * catalog has no item yet: the run's pages then write for the load. Starting one drops the
 * deferred indexes in the same transaction (a catalog with no items has nothing to search). At
 * most one load is open (a partial unique index guards it): of two runs starting together, the
 * second waits for the first's transaction (an advisory lock) and joins its load. Answers the load's id, or null when the run
 * writes as usual (the catalog has items and no load is open, or a load is already publishing).
 */
export async function joinOrStartLoad(em: EntityManager, runId: number, now: Date): Promise<number | null> {
  return em.transactional(async (tx) => {
    // Waiting on the catalog's lock for long would stall a worker: an item writer still running
    // after this long is better left alone (this run then writes as usual).
    await executeBound(tx, "set local lock_timeout = '10s'", []);
    // Runs starting together take turns here, so the one that starts the load has created it and
    // dropped the indexes before another looks: without the turns, a second run read the empty
    // catalog (a lock the first one's DROP INDEX waits for) and then waited on the first one's
    // load row: a deadlock, every time four syncs started at once.
    await executeBound(tx, 'select pg_advisory_xact_lock(?::bigint)', [JOIN_LOCK]);
    let load: { id: string; status: LoadStatus } | undefined = await openLoad(tx);
    if (!load) {
      const [empty] = await executeBound<{ empty: boolean }>(tx, 'select not exists (select 1 from catalog_item) as empty', []);
      if (!empty?.empty) return null;
      const [started] = await executeBound<{ id: string }>(tx, 'insert into catalog_load (started_at) values (?) returning id', [now]);
      if (!started) return null;
      for (const index of DEFERRED_INDEXES) await executeBound(tx, `drop index if exists ${index.name}`, []);
      load = { id: started.id, status: 'loading' };
    }
    if (load.status !== 'loading') return null;
    await executeBound(tx, 'update catalog_sync_run set load_id = ?::bigint where id = ?::bigint', [load.id, runId]);
    return Number(load.id);
  });
}

/**
 * Whether a page of the load's run still writes for the load, read in the page's transaction and
 * share-locked: the publisher's switch to `publishing` waits for pages under way, so every page
 * written for the load is committed before the publisher reads the items.
 */
export async function loadIsLoading(em: EntityManager, loadId: number): Promise<boolean> {
  const rows = await executeBound<{ status: LoadStatus }>(em, 'select status from catalog_load where id = ?::bigint for share', [loadId]);
  return rows[0]?.status === 'loading';
}

/**
 * Runs of the load that a worker is running now: running and leased. A run whose attempt failed
 * lets its lease go (it waits for a retry, perhaps for a supplier to come back), and one whose
 * worker died loses it when it runs out: neither holds the load back.
 */
export async function liveLoadRuns(em: EntityManager, loadId: number, now: Date): Promise<number> {
  const [row] = await executeBound<{ live: number }>(em,
    "select count(*)::int as live from catalog_sync_run where load_id = ?::bigint and status = 'running' and lease_until > ?",
    [loadId, now]);
  return row?.live ?? 0;
}

/** The open load (loading or publishing), if any. */
export async function openLoad(em: EntityManager): Promise<LoadRow | undefined> {
  const rows = await executeBound<LoadRow>(em, "select id, status, published_through, priced_through from catalog_load where status <> 'done'", []);
  return rows[0];
}

/**
 * Takes the load to publish it (no other worker holds it, or its lease ran out), switching it to
 * `publishing`; undefined when another worker holds it or it is done.
 */
export async function takeLoadToPublish(em: EntityManager, loadId: number, now: Date, leaseUntil: Date): Promise<LoadRow | undefined> {
  const rows = await executeBound<LoadRow>(em,
    `update catalog_load set status = 'publishing', publishing_at = coalesce(publishing_at, ?), lease_until = ?
     where id = ?::bigint and status <> 'done' and (lease_until is null or lease_until <= ?)
     returning id, status, published_through, priced_through`,
    [now, leaseUntil, loadId, now]);
  return rows[0];
}

/** The next items to publish after `after`, in id order. */
export async function itemIdsAfter(em: EntityManager, after: string, limit: number): Promise<string[]> {
  // Ordered by the column, not by a text alias of it ("order by id" over "id::text as id" sorted
  // 10 before 2, and the cursor skipped items).
  const rows = await executeBound<{ id: string }>(em, 'select id from catalog_item where id > ?::bigint order by id limit ?', [after, limit]);
  return rows.map((r) => String(r.id));
}

/** Records how far a pass of publishing got (items computed, or priced), and renews the lease. */
export async function notePublished(em: EntityManager, loadId: number, pass: 'computed' | 'priced', through: string, leaseUntil: Date): Promise<void> {
  const column = pass === 'computed' ? 'published_through' : 'priced_through';
  await executeBound(em, `update catalog_load set ${column} = greatest(${column}, ?::bigint), lease_until = ? where id = ?::bigint`, [through, leaseUntil, loadId]);
}

/**
 * Builds one deferred index if it is missing. maintenance_work_mem bounds the memory of the
 * build; more of it sorts more of the index at once.
 */
export async function buildDeferredIndex(em: EntityManager, index: { name: string; definition: string }, memoryMb: number): Promise<void> {
  await em.transactional(async (tx) => {
    await executeBound(tx, `set local maintenance_work_mem = '${Math.max(1, Math.floor(memoryMb))}MB'`, []);
    await executeBound(tx, `create index if not exists ${index.name} on catalog_item ${index.definition}`, []);
  });
}

/** Ends the load. */
export async function finishLoad(em: EntityManager, loadId: number, now: Date): Promise<void> {
  await executeBound(em, "update catalog_load set status = 'done', finished_at = ?, lease_until = null where id = ?::bigint", [now, loadId]);
}

/** The open load as staff see it: where it stands, and how far publishing got. */
export interface OpenLoadView {
  loadId: string;
  status: 'loading' | 'publishing';
  startedAt: string;
  publishingAt: string | null;
  /** Items in the catalog, and those publishing has computed from their offers and priced so far. */
  items: number;
  computed: number;
  priced: number;
}

/** The open load (none once published), for GET /admin/catalog/sync. */
export async function openLoadView(em: EntityManager): Promise<OpenLoadView | null> {
  const [row] = await executeBound<{ id: string; status: 'loading' | 'publishing'; started_at: Date; publishing_at: Date | null; items: number; computed: number; priced: number }>(em,
    `select l.id, l.status, l.started_at, l.publishing_at,
            (select count(*)::int from catalog_item) as items,
            (select count(*)::int from catalog_item where id <= l.published_through) as computed,
            (select count(*)::int from catalog_item where id <= l.priced_through) as priced
     from catalog_load l where l.status <> 'done'`, []);
  if (!row) return null;
  return {
    loadId: String(row.id), status: row.status, startedAt: new Date(row.started_at).toISOString(),
    publishingAt: row.publishing_at ? new Date(row.publishing_at).toISOString() : null, items: row.items, computed: row.computed, priced: row.priced,
  };
}
