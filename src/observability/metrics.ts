import type { EntityManager } from '@mikro-orm/postgresql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { runningRuns } from '../catalog/sync-status.ts';

/** The process's Prometheus registry and the metrics the layers record into. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  jobsProcessed: Counter<'queue' | 'outcome'>;
  /** 1 while a worker yields to an order-intake burst (HUB_WORKER_YIELD_ABOVE). */
  workerYielding: Gauge;
  /** Time a worker's jobs spent resting while it yielded. */
  workerYieldRest: Counter;
}

/** A fresh registry (one per process; tests make their own) with default process metrics. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'hub_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: 'hub_jobs_processed_total',
      help: 'Queue jobs processed by queue and outcome',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    workerYielding: new Gauge({
      name: 'hub_worker_yielding',
      help: '1 while this worker yields to an order-intake burst (jobs in turn, with rests)',
      registers: [registry],
    }),
    workerYieldRest: new Counter({
      name: 'hub_worker_yield_rest_seconds_total',
      help: 'Seconds this worker rested between jobs while yielding to order-intake bursts',
      registers: [registry],
    }),
  };
}

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
 * GET /admin/catalog/sync). A run that finished drops out of the series. Registered once per registry.
 */
export function registerCatalogSyncGauges(registry: Registry, em: EntityManager): void {
  if (registry.getSingleMetric(SYNC_RUN_GAUGES[0][0])) return;
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
