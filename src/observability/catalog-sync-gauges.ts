import type { EntityManager } from '@mikro-orm/postgresql';
import { Gauge, type Registry } from 'prom-client';
import { runningRuns } from '../catalog/sync-status.ts';

const SYNC_RUN_GAUGES = [
  ['hub_catalog_sync_running_pages', 'Pages a running catalog sync run has committed', 'pages'],
  ['hub_catalog_sync_running_seen_skus', 'Listings a running catalog sync run has seen', 'seen'],
  ['hub_catalog_sync_running_written_offers', 'Offers a running catalog sync run has written (new or changed; the rest matched and were only marked seen)', 'written'],
  ['hub_catalog_sync_running_skus_per_second', 'Listings seen per second by a running catalog sync run, from its start to its last page checkpoint', 'skusPerSecond'],
  ['hub_catalog_sync_running_heartbeat_age_seconds', 'Seconds since a running catalog sync run committed its last page (growing: stuck, or its worker died)', 'heartbeatAge'],
] as const;

/**
 * Progress of the catalog sync runs in progress, by supplier and mode, read from PostgreSQL at each
 * scrape (a worker commits each page with its checkpoint, so any process sees the same progress as
 * GET /admin/catalog/sync). A run that finished drops out of the series.
 */
export function registerCatalogSyncGauges(registry: Registry, em: EntityManager): void {
  // One query per scrape serves every gauge.
  let reading: Promise<Awaited<ReturnType<typeof runningRuns>> | null> | null = null;
  const read = () => (reading ??= runningRuns(em.fork())
    .catch(() => null)
    .finally(() => { reading = null; }));
  for (const [name, help, field] of SYNC_RUN_GAUGES) {
    new Gauge({
      name, help, labelNames: ['supplier', 'mode', 'run'], registers: [registry],
      async collect() {
        const runs = await read();
        this.reset();
        for (const r of runs ?? []) {
          const value = field === 'heartbeatAge' ? Math.max(0, (Date.now() - Date.parse(r.heartbeatAt)) / 1000) : r[field];
          this.set({ supplier: r.supplierId, mode: r.mode, run: r.runId }, value);
        }
      },
    });
  }
}
