import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierConnector } from '../../../connectors/connector.ts';
import { runFullSync } from '../../catalog/full-sync.ts';
import type { Clock } from '../../domain/clock.ts';
import { AppError } from '../../domain/errors.ts';
import type { Payload } from '../registry.ts';

/** Runs (or resumes) a supplier's catalog sync; an unknown supplier is a permanent failure. */
export async function processCatalogSync(job: Payload<'catalogSync'>, deps: { em: EntityManager; clock: Clock; connectors: Map<string, SupplierConnector> }) {
  const connector = deps.connectors.get(job.supplierId);
  if (!connector) throw new AppError('not_found', `no connector for supplier ${job.supplierId}`, { retryable: false });
  return runFullSync({ em: deps.em, clock: deps.clock }, connector);
}
