import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierConnector, SupplierSku } from '../../connectors/connector.ts';
import type { Clock } from '../domain/clock.ts';
import { type ListingSource, loadListingHashes, removeUnseenOffers, supplierHasNoOffers, upsertListings } from './catalog-store.ts';
import { joinFirstLoad, settleFirstLoad } from './first-load.ts';
import { loadIsLoading } from './first-load-store.ts';
import { itemKeyCache } from './item-key-cache.ts';
import { CatalogPageReader } from './page-reader.ts';
import { checkpointRun, finishRun, noteRunError, type RunRow, runningFullRunId, runningRun, startRun, takeOverRun } from './sync-run-store.ts';

/** Outcome of one sync call. */
export interface SyncOutcome {
  runId: number;
  mode: 'full' | 'incremental';
  resumed: boolean;
  /** `skipped`: another worker holds this supplier's run of the same mode. */
  status: 'succeeded' | 'skipped';
  pages: number;
  seen: number;
  /** Offers written (new or changed); the rest of `seen` matched what was stored and was only marked seen. */
  written: number;
  removed: number;
  /** JD pool messages applied (incremental pool syncs only). */
  messages?: number;
  /** The catalog's first load this run wrote for (first-load.ts), and whether this run's end published it. */
  firstLoad?: { id: number; published: boolean; error?: string };
}

export interface SyncDeps {
  em: EntityManager;
  clock: Clock;
  /** How long a worker holds a run without writing a page before another may take it over (default 2 min). */
  leaseMs?: number;
  /** Catalog pages asked for at once, where the supplier's pages are numbered (default DEFAULT_READ_AHEAD). */
  readAhead?: number;
  /** Whether the full runs that fill an empty catalog write it as one first load (first-load.ts; default true). */
  firstLoad?: boolean;
  /** maintenance_work_mem of a first load's index builds, in MB (first-load.ts). */
  indexMemoryMb?: number;
  /** Items a first load's publishing takes per transaction (first-load.ts; tests make it small). */
  publishBatch?: number;
}

/** Batches that may wait for their write while the next one is fetched (one of them being written). */
const QUEUED_WRITES = 2;

const leaseOf = (deps: SyncDeps) => new Date(deps.clock.now().getTime() + (deps.leaseMs ?? 120_000));

/**
 * Takes the supplier's running run of this mode (resuming from its checkpoint) or starts one. One
 * runs at a time: a unique index on running runs, and a lease renewed with each page, so a second
 * worker backs off while the first is alive and takes over once it has died.
 */
export async function openRun(
  deps: SyncDeps,
  supplierId: string,
  mode: 'full' | 'incremental',
  since: Date | null = null,
): Promise<{ run: RunRow; resumed: boolean } | { busy: RunRow }> {
  const existing = await takeOverRun(deps.em, deps.clock, supplierId, mode, leaseOf(deps));
  if (existing) return { run: existing, resumed: true };
  const now = deps.clock.now();
  const started = await startRun(deps.em, { supplierId, mode, since, now, leaseUntil: leaseOf(deps) });
  if (started) return { run: started, resumed: false };
  return { busy: (await runningRun(deps.em, supplierId, mode)) as RunRow };
}

/** What a sync call reports when another worker holds the run. */
export const skipped = (run: RunRow, mode: 'full' | 'incremental'): SyncOutcome => ({ runId: Number(run.id), mode, resumed: false, status: 'skipped', pages: 0, seen: 0, written: 0, removed: 0 });

/** Records a failed attempt on the run, which stays running and resumable. */
export async function recordRunError(deps: SyncDeps, runId: number, err: unknown): Promise<void> {
  await noteRunError(deps.em, runId, err instanceof Error ? err.message.slice(0, 500) : String(err), deps.clock.now());
}

/**
 * Pages a supplier's catalog (all of it, or what changed since a time) into the canonical catalog.
 * Each page is written together with the run's checkpoint (the cursor of the next page) in one
 * transaction, so a run killed at any point resumes from the last page it committed. A full run
 * ends by removing the offers it did not see. Connector errors propagate after being recorded on
 * the run, which stays resumable.
 */
export async function runPagedSync(
  deps: SyncDeps,
  connector: SupplierConnector,
  opts: { mode: 'full' | 'incremental'; since?: Date | null; accountId?: string; pageSize?: number; writeBatch?: number },
): Promise<SyncOutcome> {
  const opened = await openRun(deps, connector.id, opts.mode, opts.since ?? null);
  if ('busy' in opened) return skipped(opened.busy, opts.mode);
  const { run, resumed } = opened;
  const runId = Number(run.id);
  const since = run.since ? new Date(run.since) : undefined;
  let { cursor, pages, seen, written } = run;
  const seenBy = opts.mode === 'full' ? runId : await runningFullRunId(deps.em, connector.id);
  // A supplier with no offers yet (its first full sync) has nothing to compare listings with.
  const compare = opts.mode === 'incremental' || !(await supplierHasNoOffers(deps.em, connector.id));
  // A full run compares its listings in memory with the digests of the supplier's offers, read
  // while its first pages are fetched; an incremental page (a few listings) compares in SQL.
  const known = compare && opts.mode === 'full' ? loadListingHashes(deps.em, connector.id) : Promise.resolve(undefined);
  known.catch(() => undefined); // awaited by the first write, or below
  // A new full run of a supplier with no offers joins the catalog's first load (or starts it, when
  // the catalog is empty); a resumed run keeps the load it joined.
  let loadId = run.load_id !== null ? Number(run.load_id) : null;
  const itemKeys = itemKeyCache(deps.em.getDriver());
  const source: ListingSource = { supplierId: connector.id, supplierKind: connector.kind, accountId: opts.accountId ?? connector.id, runId: seenBy, compare, itemKeys };
  // Batches are written one at a time and in page order, each with the checkpoint of the pages it
  // holds, while the pages after them are fetched: supplier and database work overlap, and a fetch
  // waits for a write only when QUEUED_WRITES batches wait already (memory stays a few batches).
  // When each batch's write was awaited before the next page was asked for, every write stalled
  // the supplier's chain of page requests: Taobao's 2 500 pages waited at each of 125 batches.
  const queue: Promise<void>[] = [];
  const write = async (items: SupplierSku[], next: string | null, fetched: number) => {
    source.known ??= await known;
    const learned = await deps.em.transactional(async (tx) => {
      // Until the load publishes (which waits for this page's lock on it); then as usual.
      source.unpublished = loadId !== null && (await loadIsLoading(tx, loadId));
      const page = await upsertListings(tx, source, items);
      await checkpointRun(tx, runId, { cursor: next, pages: fetched, seen: items.length, written: page.written, at: deps.clock.now(), leaseUntil: leaseOf(deps) });
      cursor = next;
      pages += fetched;
      seen += items.length;
      written += page.written;
      return page.learned;
    });
    itemKeys.remember(learned); // committed: these items exist
  };
  let outcome: SyncOutcome;
  try {
    if (loadId === null && !resumed && !compare && opts.mode === 'full' && deps.firstLoad !== false) loadId = await joinFirstLoad(deps, runId);
    // A run that committed its last page has cursor null and pages > 0: only the wrap-up is left.
    let more = pages === 0 || cursor !== null;
    // Pages in order, several asked for at once where the supplier numbers them (page-reader.ts).
    const reader = more ? new CatalogPageReader(connector, cursor, { limit: opts.pageSize ?? 500, ...(since ? { updatedSince: since } : {}) }, deps.readAhead) : null;
    while (reader && more) {
      // Pages are written several at a time (2 000 listings by default): fewer, larger statements
      // and transactions, the per-statement costs spread over more rows.
      const items: SupplierSku[] = [];
      let fetched = 0;
      let next: string | null = null;
      do {
        const page = await reader.next();
        if (!page) break;
        items.push(...page.items);
        fetched++;
        next = page.nextCursor;
      } while (next !== null && items.length < (opts.writeBatch ?? 2_000));
      more = next !== null;
      while (queue.length >= QUEUED_WRITES) await queue.shift();
      // After the batch before it: a failed write fails those queued behind it without running them.
      const queued = (queue.at(-1) ?? Promise.resolve()).then(() => write(items, next, fetched));
      queued.catch(() => undefined); // awaited above, below, or in the catch
      queue.push(queued);
    }
    await Promise.all(queue);
    await known; // a run with no page to write still reports a failed read
    const removed = await deps.em.transactional(async (tx) => {
      const n = opts.mode === 'full' ? await removeUnseenOffers(tx, connector.id, runId) : 0;
      await finishRun(tx, deps.clock, runId, n);
      return n;
    });
    outcome = { runId, mode: opts.mode, resumed, status: 'succeeded', pages, seen, written, removed };
  } catch (err) {
    // Writes still under way commit or fail before the error is recorded (and the lease let go).
    await Promise.allSettled(queue);
    await recordRunError(deps, runId, err);
    // With its lease let go, this run no longer holds its load back: the load publishes now if no
    // other run of it is under way (this run writes as usual once retried).
    if (loadId !== null) await settleFirstLoad(deps, loadId).catch(() => false);
    throw err;
  }
  // The last of the load's runs to end publishes it. Should that fail, the run has succeeded all
  // the same: the maintenance task publishes the load once this worker's lease on it runs out.
  if (loadId !== null) {
    try {
      outcome.firstLoad = { id: loadId, published: await settleFirstLoad(deps, loadId) };
    } catch (err) {
      outcome.firstLoad = { id: loadId, published: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
  return outcome;
}
