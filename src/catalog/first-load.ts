import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { recomputeItems } from './catalog-store.ts';
import { repriceItems } from './mall-pricing.ts';
import {
  buildDeferredIndex, DEFERRED_INDEXES, finishLoad, itemIdsAfter, joinOrStartLoad, liveLoadRuns, notePublished, openLoad, takeLoadToPublish,
} from './first-load-store.ts';

/**
 * A catalog's first load: the full runs that fill an empty catalog write it as one bulk import, and
 * it is published once, when they have all ended. Row by row, each page of a first sync paid for
 * the search indexes of every item it created, locked and recomputed the items other suppliers had
 * created, and priced each item for every mall as often as its figures moved (788 000 prices for
 * 625 000 items). Here a page writes its items unpublished (unsellable, no best cost, no price, no
 * change-feed row) and its offers; publishing then computes each item from its offers once, prices
 * it once per mall, lists it in the change feed once, and builds the search indexes over the whole
 * catalog in one go.
 *
 * Malls see a first load's items when it publishes, all at once, rather than page by page. Writers
 * outside the load (incremental updates, a supplier's later first sync) write as usual meanwhile.
 */
export interface FirstLoadDeps {
  em: EntityManager;
  clock: Clock;
  /** How long a publisher holds the load between two batches before another worker may take it over (default 2 min). */
  leaseMs?: number;
  /** Items published per transaction (default 5 000). */
  publishBatch?: number;
  /** Transactions publishing at once (default 2: the work is PostgreSQL's, one core per connection). */
  publishStreams?: number;
  /** maintenance_work_mem of each index build, in MB (default 256). */
  indexMemoryMb?: number;
}

/**
 * Joins a new full run to the catalog's first load, starting it when the catalog is empty. Null
 * when the run writes as usual, or when the load could not be started now (the catalog's lock was
 * not had within lock_timeout, or a writer deadlocked with it): the run then writes as usual,
 * which is slower but gives the same catalog.
 */
export async function joinFirstLoad(deps: FirstLoadDeps, runId: number): Promise<number | null> {
  try {
    return await joinOrStartLoad(deps.em, runId, deps.clock.now());
  } catch (err) {
    if (isLockConflict(err)) return null;
    throw err;
  }
}

// lock_timeout, or a deadlock with another writer of the catalog: the run writes as usual instead.
const isLockConflict = (err: unknown): boolean => ['55P03', '40P01'].includes(String((err as { code?: string } | null)?.code));

/**
 * After a run of the load ended, or an attempt of it failed: publishes the load when no run of it
 * is being run now. A supplier that is down must not keep the others' items from malls: its run,
 * waiting for a retry, writes as usual when it comes back. Answers whether this call published it.
 */
export async function settleFirstLoad(deps: FirstLoadDeps, loadId: number): Promise<boolean> {
  if ((await liveLoadRuns(deps.em, loadId, deps.clock.now())) > 0) return false;
  return publishFirstLoad(deps, loadId);
}

/**
 * The maintenance task: publishes the open load when no run of it is being run (the worker of the
 * last one died before publishing it, its lease ran out), or when its publisher died.
 */
export async function publishStalledLoad(deps: FirstLoadDeps): Promise<boolean> {
  const load = await openLoad(deps.em);
  if (!load) return false;
  if (load.status === 'loading' && (await liveLoadRuns(deps.em, Number(load.id), deps.clock.now())) > 0) return false;
  return publishFirstLoad(deps, Number(load.id));
}

/**
 * Publishes the load: takes it (switching it to `publishing`, which waits for pages under way),
 * then two passes over the items in id order, a batch per transaction and two transactions at
 * once: first each item's best cost, stock and sellability from its offers (with their
 * change-feed rows: a listing for each sellable item), then its price for every active mall,
 * while the deferred indexes are built, each by its own connection (a build blocks writes of
 * catalog_item, which pricing does not make). Each pass keeps its progress on the load, so
 * another worker resumes where this one stopped. Answers false when another worker holds the
 * load or it is done.
 */
export async function publishFirstLoad(deps: FirstLoadDeps, loadId: number): Promise<boolean> {
  const leaseUntil = () => new Date(deps.clock.now().getTime() + (deps.leaseMs ?? 120_000));
  const load = await takeLoadToPublish(deps.em, loadId, deps.clock.now(), leaseUntil());
  if (!load) return false;
  const pass = (name: 'computed' | 'priced', from: string, work: (tx: EntityManager, ids: readonly string[]) => Promise<unknown>) =>
    inBatches(deps, from, work, (through) => notePublished(deps.em, loadId, name, through, leaseUntil()));
  await pass('computed', load.published_through, recomputeItems);
  await Promise.all([
    pass('priced', load.priced_through, repriceItems),
    ...DEFERRED_INDEXES.map((index) => buildDeferredIndex(deps.em.fork(), index, deps.indexMemoryMb ?? 256)),
  ]);
  await finishLoad(deps.em, loadId, deps.clock.now());
  return true;
}

/**
 * Runs `work` over every item after `from`, in id order: rounds of `streams` batches at once, each
 * batch in its own transaction (the work is PostgreSQL's, which one connection keeps to one core).
 * The batches of a round hold disjoint items, each locking its own in id order. `done` records a
 * round once all of its batches committed; a batch done again after a crash changes nothing.
 */
async function inBatches(
  deps: FirstLoadDeps,
  from: string,
  work: (tx: EntityManager, ids: readonly string[]) => Promise<unknown>,
  done: (through: string) => Promise<void>,
): Promise<void> {
  const batch = deps.publishBatch ?? 5_000;
  const streams = Math.max(1, deps.publishStreams ?? 2);
  let after = from;
  for (;;) {
    const ids = await itemIdsAfter(deps.em, after, batch * streams);
    const last = ids.at(-1);
    if (last === undefined) return;
    const parts = Array.from({ length: Math.ceil(ids.length / batch) }, (_, i) => ids.slice(i * batch, (i + 1) * batch));
    await Promise.all(parts.map((part) => deps.em.fork().transactional((tx) => work(tx, part))));
    await done(last);
    after = last;
  }
}
