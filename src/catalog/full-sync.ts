import type { SupplierConnector } from '../../connectors/connector.ts';
import { runPagedSync, type SyncDeps, type SyncOutcome } from './paged-sync.ts';

export type { SyncOutcome } from './paged-sync.ts';

/**
 * Pages a supplier's whole catalog into the canonical catalog, resumable from its checkpoint; at
 * the end, offers the run did not see stop being sold. One full run per supplier at a time.
 */
export function runFullSync(deps: SyncDeps, connector: SupplierConnector, opts: { accountId?: string; pageSize?: number; writeBatch?: number } = {}): Promise<SyncOutcome> {
  return runPagedSync(deps, connector, { ...opts, mode: 'full' });
}
