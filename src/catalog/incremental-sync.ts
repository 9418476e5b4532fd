import type { PollInbound, SupplierConnector, SupplierEvent } from '../../connectors/connector.ts';
import { removeOffers, upsertListings } from './catalog-store.ts';
import { storeInboundEvent } from '../supplier-events/inbound-events.ts';
import { runFullSync } from './full-sync.ts';
import { openRun, recordRunError, skipped, runPagedSync, type SyncDeps, type SyncOutcome } from './paged-sync.ts';
import { checkpointPoolBatch, finishPoolRun, lastSuccessfulStart, runningFullRunId } from './sync-run-store.ts';

export interface IncrementalOptions {
  /** How far before the last successful run's start a modified-since pull reaches back (clock skew, late writes). */
  overlapMs: number;
  /** Most pool batches (100 messages each) one run takes, so a backlog is drained over several runs. */
  maxPoolBatches?: number;
  accountId?: string;
}

/**
 * Brings a supplier's offers up to date between full syncs, the way that supplier reports changes:
 *
 *   message-pool   JD: read price/listing/pool/product messages, re-read those SKUs, store, then delete at JD
 *   updated-since  Taobao start_modified, brand updatedSince: page what changed since the last run began
 *   full-list      top-up providers: no change times, and a few hundred products: read the whole list
 *
 * A supplier that never synced gets a full sync first.
 */
export async function runIncrementalSync(deps: SyncDeps, connector: SupplierConnector, opts: IncrementalOptions): Promise<SyncOutcome> {
  const last = await lastSuccessfulStart(deps.em, connector.id);
  if (last === null || connector.capabilities.catalogUpdates === 'full-list') return runFullSync(deps, connector, opts);
  if (connector.capabilities.catalogUpdates === 'message-pool') return runPoolSync(deps, connector, opts);
  return runPagedSync(deps, connector, { mode: 'incremental', since: new Date(last.getTime() - opts.overlapMs), ...(opts.accountId ? { accountId: opts.accountId } : {}) });
}

type CatalogChanged = Extract<SupplierEvent, { type: 'catalog.changed' }>;

/** Which SKUs to re-read and which left the pool, the latest message per SKU deciding (messages come in any order). */
function planRefresh(events: readonly CatalogChanged[]): { refresh: string[]; removed: string[] } {
  const pool = new Map<string, { at: string; removed: boolean }>();
  const touched = new Set<string>();
  for (const e of events) {
    for (const id of e.supplierSkuIds) {
      touched.add(id);
      const prior = pool.get(id);
      if (e.removedFromPool !== undefined && (!prior || prior.at <= e.at)) pool.set(id, { at: e.at, removed: e.removedFromPool });
    }
  }
  const removed = [...pool].filter(([, p]) => p.removed).map(([id]) => id);
  return { refresh: [...touched].filter((id) => !removed.includes(id)), removed };
}

/**
 * JD's message pool: each batch of messages is stored (inbound_event, deduplicated by message id)
 * and applied in one transaction, and only then deleted at JD, so a crash anywhere re-reads the
 * batch and nothing is lost. Applying is idempotent: the SKUs are re-read as they are now.
 */
async function runPoolSync(deps: SyncDeps, connector: SupplierConnector, opts: IncrementalOptions): Promise<SyncOutcome> {
  const inbound = connector.inbound as PollInbound;
  if (inbound.mode !== 'poll' || !connector.getSkus) throw new TypeError(`${connector.id} has no message pool`);
  const opened = await openRun(deps, connector.id, 'incremental');
  if ('busy' in opened) return skipped(opened.busy, 'incremental');
  const { run, resumed } = opened;
  const runId = Number(run.id);
  const seenBy = await runningFullRunId(deps.em, connector.id);
  const source = { supplierId: connector.id, supplierKind: connector.kind, accountId: opts.accountId ?? connector.id, runId: seenBy };
  let pages = 0;
  let seen = 0;
  let written = 0;
  let removed = 0;
  let messages = 0;
  try {
    for (let batch = 0; batch < (opts.maxPoolBatches ?? 20); batch++) {
      const fetched = await inbound.fetch(inbound.catalogTypes);
      if (fetched.length === 0) break;
      const events = fetched.flatMap((m) => inbound.parse(m)).filter((e): e is CatalogChanged => e.type === 'catalog.changed');
      const plan = planRefresh(events);
      const skus = plan.refresh.length ? await connector.getSkus(plan.refresh) : [];
      // A SKU JD no longer details cannot be bought there any more.
      const listed = new Set(skus.map((s) => s.supplierSkuId));
      const gone = [...plan.removed, ...plan.refresh.filter((id) => !listed.has(id))];
      await deps.em.transactional(async (tx) => {
        for (const m of fetched) await storeInboundEvent(tx, deps.clock, { supplier: connector.id, eventId: m.eventId, eventType: m.eventType, body: m.raw });
        const page = await upsertListings(tx, source, skus);
        written += page.written;
        removed += await removeOffers(tx, connector.id, gone);
        await checkpointPoolBatch(tx, runId, {
          seen: skus.length, written: page.written, messages: fetched.length, removed: gone.length, at: deps.clock.now(),
          leaseUntil: new Date(deps.clock.now().getTime() + (deps.leaseMs ?? 120_000)),
        });
      });
      await inbound.acknowledge(fetched.map((m) => m.eventId));
      pages++;
      seen += skus.length;
      messages += fetched.length;
    }
    await finishPoolRun(deps.em, deps.clock, runId);
    return { runId, mode: 'incremental', resumed, status: 'succeeded', pages, seen, written, removed, messages };
  } catch (err) {
    await recordRunError(deps, runId, err);
    throw err;
  }
}
