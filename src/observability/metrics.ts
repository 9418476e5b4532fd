import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

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
