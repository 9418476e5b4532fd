import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierConnector } from '../../../connectors/connector.ts';
import { runFullSync } from '../../catalog/full-sync.ts';
import type { Clock } from '../../domain/clock.ts';
import { AppError } from '../../domain/errors.ts';
import { MallSchema } from '../../persistence/entities/mall.ts';
import { repriceMalls } from '../../persistence/mall-pricing.ts';
import { appendMallEvent } from '../../persistence/outbox.ts';
import type { Payload } from '../registry.ts';

/**
 * Runs (or resumes) a supplier's catalog sync, reprices the catalog for every active mall so the
 * change reaches `/v1/catalog/items`, and when the change feed grew, tells each mall with a
 * `catalog.changed` event carrying the cursor to read from. An unknown supplier is permanent.
 */
export async function processCatalogSync(job: Payload<'catalogSync'>, deps: { em: EntityManager; clock: Clock; connectors: Map<string, SupplierConnector> }) {
  const connector = deps.connectors.get(job.supplierId);
  if (!connector) throw new AppError('not_found', `no connector for supplier ${job.supplierId}`, { retryable: false });
  const lastChange = async () => String((await deps.em.fork().getConnection().execute<{ id: string | null }[]>('select max(id)::text id from catalog_change'))[0]?.id ?? '0');
  const before = await lastChange();
  const outcome = await runFullSync({ em: deps.em, clock: deps.clock }, connector);
  const malls = await deps.em.fork().find(MallSchema, { status: 'active' });
  const priced = await repriceMalls(deps.em.fork(), malls);
  if ((await lastChange()) !== before) {
    await deps.em.fork().transactional(async (tx) => {
      for (const m of malls) await appendMallEvent(tx, deps.clock, { mallId: m.id, type: 'catalog.changed', data: { cursor: `c${before}` } });
    });
  }
  return { ...outcome, priced };
}
