import type { EntityManager } from '@mikro-orm/postgresql';
import type { OutboxJob } from '../persistence/job-outbox.ts';
import type { QueueProducer } from './producer.ts';
import { type QueueKey, queues } from './registry.ts';

const BY_NAME = new Map(Object.keys(queues).map((k) => [k, k as QueueKey]));

/**
 * Moves jobs written to the outbox (in the transaction of the change that needs them) onto their
 * BullMQ queues, oldest first, and marks them dispatched. Rows are locked (skip locked), so several
 * relays share the work; a row relayed twice is one job (its job id).
 */
export async function relayOutbox(em: EntityManager, producer: QueueProducer, limit = 200): Promise<number> {
  return em.fork().transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    const rows = await conn.execute<{ id: string; queue: string; job_id: string; payload: unknown }[]>(
      'select id, queue, job_id, payload from job_outbox where dispatched_at is null order by id limit ? for update skip locked',
      [limit],
      'all',
      ctx,
    );
    for (const r of rows) {
      const key = BY_NAME.get(r.queue);
      if (!key) throw new Error(`outbox row ${r.id} names unknown queue ${r.queue}`);
      await producer.add(key, r.payload as never, { jobId: r.job_id, attempts: 1 });
    }
    if (rows.length) await conn.execute('update job_outbox set dispatched_at = now() where id in (select (jsonb_array_elements_text(?::jsonb))::bigint)', [JSON.stringify(rows.map((r) => r.id))], 'run', ctx);
    return rows.length;
  });
}

/**
 * Puts jobs a request has just committed to the outbox straight onto their queues and marks just
 * those rows dispatched (no scan of the outbox, no lock shared with other requests). If Redis
 * fails here the rows stay pending and the relay moves them.
 */
export async function dispatchCommitted(em: EntityManager, producer: QueueProducer, jobs: readonly (OutboxJob & { rowId: string })[]): Promise<void> {
  if (jobs.length === 0) return;
  for (const j of jobs) {
    const key = BY_NAME.get(j.queue);
    if (!key) throw new Error(`outbox row ${j.rowId} names unknown queue ${j.queue}`);
    await producer.add(key, j.payload as never, { jobId: j.jobId, attempts: 1, fresh: true });
  }
  await em.getConnection().execute(
    'update job_outbox set dispatched_at = now() where id in (select (jsonb_array_elements_text(?::jsonb))::bigint) and dispatched_at is null',
    [JSON.stringify(jobs.map((j) => j.rowId))],
  );
}
