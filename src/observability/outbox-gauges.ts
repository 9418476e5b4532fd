import type { EntityManager } from '@mikro-orm/postgresql';
import { Gauge, type Registry } from 'prom-client';
import { outboxBacklog } from '../queues/job-outbox.ts';

interface Backlog { pending: number; oldestSeconds: number }

/**
 * Jobs committed but not yet on their queues (the job outbox), read from PostgreSQL at each
 * scrape: with HUB_JOB_DISPATCH=relay, or while workers yield to an order burst, this is how far
 * queueing is behind; with the API dispatching, rows older than a few seconds mean Redis or the
 * relay is failing. Unknown (NaN) while the database does not answer.
 */
export function registerOutboxGauges(registry: Registry, em: EntityManager): void {
  // Both gauges are collected at once per scrape: one query serves them.
  let reading: Promise<Backlog | null> | null = null;
  const read = () => (reading ??= outboxBacklog(em.fork())
    .catch(() => null)
    .finally(() => { reading = null; }));
  new Gauge({
    name: 'hub_outbox_pending_jobs', help: 'Jobs committed to the outbox and not yet on their queues', registers: [registry],
    async collect() { this.set((await read())?.pending ?? Number.NaN); },
  });
  new Gauge({
    name: 'hub_outbox_oldest_pending_seconds', help: 'Age of the oldest job in the outbox not yet on its queue (0 when none)', registers: [registry],
    async collect() { this.set((await read())?.oldestSeconds ?? Number.NaN); },
  });
}
