import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierConnector } from '../../../connectors/connector.ts';
import { lastCatalogChangeId } from '../../catalog/catalog-changes-store.ts';
import { runFullSync } from '../../catalog/full-sync.ts';
import { runIncrementalSync } from '../../catalog/incremental-sync.ts';
import type { Clock } from '../../domain/clock.ts';
import { AppError } from '../../domain/errors.ts';
import { appendMallEvent } from '../../mall-webhooks/outbox.ts';
import { activeMallIds } from '../../malls/mall-store.ts';
import type { Payload } from '../registry.ts';

export interface CatalogSyncDeps {
  em: EntityManager;
  clock: Clock;
  connectors: Map<string, SupplierConnector>;
  overlapMs: number;
  leaseMs: number;
  readAhead?: number;
  firstLoad?: boolean;
  indexMemoryMb?: number;
}

/**
 * Runs (or resumes) a supplier's full or incremental sync; prices follow inside each page. When the
 * change feed grew, each active mall gets a `catalog.changed` event with the cursor to read from,
 * also when the run failed partway.
 * An unknown supplier is permanent.
 */
export async function processCatalogSync(job: Payload<'catalogSync'>, deps: CatalogSyncDeps) {
  const connector = deps.connectors.get(job.supplierId);
  if (!connector) throw new AppError('not_found', `no connector for supplier ${job.supplierId}`, { retryable: false });
  const lastChange = () => lastCatalogChangeId(deps.em.fork());
  const before = await lastChange();
  const syncDeps = {
    em: deps.em, clock: deps.clock, leaseMs: deps.leaseMs, ...(deps.readAhead !== undefined ? { readAhead: deps.readAhead } : {}),
    ...(deps.firstLoad !== undefined ? { firstLoad: deps.firstLoad } : {}), ...(deps.indexMemoryMb !== undefined ? { indexMemoryMb: deps.indexMemoryMb } : {}),
  };
  const tellMalls = async () => {
    if ((await lastChange()) !== before) await tellMallsCatalogChanged(deps.em.fork(), deps.clock, before);
  };
  let outcome;
  try {
    outcome = job.mode === 'full' ? await runFullSync(syncDeps, connector) : await runIncrementalSync(syncDeps, connector, { overlapMs: deps.overlapMs });
  } catch (err) {
    // A run that fails partway has committed its pages (and may have published a first load):
    // malls are told of what the feed gained all the same, or a mall reading from the next event's
    // cursor would skip it. The sync's own error is what the job fails with.
    await tellMalls().catch(() => undefined);
    throw err;
  }
  await tellMalls();
  return outcome;
}

/** Gives each active mall a `catalog.changed` event: read the change feed from the cursor after change `before`. */
export async function tellMallsCatalogChanged(em: EntityManager, clock: Clock, before: string): Promise<void> {
  await em.transactional(async (tx) => {
    for (const mallId of await activeMallIds(tx)) await appendMallEvent(tx, clock, { mallId, type: 'catalog.changed', data: { cursor: `c${before}` } });
  });
}
