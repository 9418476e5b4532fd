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
 * change feed grew, each active mall gets a `catalog.changed` event with the cursor to read from.
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
  const outcome = job.mode === 'full' ? await runFullSync(syncDeps, connector) : await runIncrementalSync(syncDeps, connector, { overlapMs: deps.overlapMs });
  if ((await lastChange()) !== before) {
    await deps.em.fork().transactional(async (tx) => {
      for (const mallId of await activeMallIds(tx)) await appendMallEvent(tx, deps.clock, { mallId, type: 'catalog.changed', data: { cursor: `c${before}` } });
    });
  }
  return outcome;
}
