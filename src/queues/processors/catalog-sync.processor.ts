import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierConnector } from '../../../connectors/connector.ts';
import { runFullSync } from '../../catalog/full-sync.ts';
import type { Clock } from '../../domain/clock.ts';
import { AppError } from '../../domain/errors.ts';
import { MallSchema } from '../../persistence/entities/mall.ts';
import { repriceMalls } from '../../persistence/mall-pricing.ts';
import type { Payload } from '../registry.ts';

/**
 * Runs (or resumes) a supplier's catalog sync, then reprices the catalog for every active mall so
 * the change reaches `/v1/catalog/items`. An unknown supplier is a permanent failure.
 */
export async function processCatalogSync(job: Payload<'catalogSync'>, deps: { em: EntityManager; clock: Clock; connectors: Map<string, SupplierConnector> }) {
  const connector = deps.connectors.get(job.supplierId);
  if (!connector) throw new AppError('not_found', `no connector for supplier ${job.supplierId}`, { retryable: false });
  const outcome = await runFullSync({ em: deps.em, clock: deps.clock }, connector);
  const malls = await deps.em.fork().find(MallSchema, { status: 'active' });
  const priced = await repriceMalls(deps.em.fork(), malls);
  return { ...outcome, priced };
}
