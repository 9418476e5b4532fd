import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Adds a job to the outbox in the caller's transaction: it exists exactly when the change that
 * needs it committed. The relay moves pending rows to BullMQ (job id = `jobId`, so a row relayed
 * twice is one job) and marks them dispatched.
 */
export async function addOutboxJob(em: EntityManager, job: OutboxJob): Promise<string> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    'insert into job_outbox (queue, job_id, payload) values (?, ?, ?) returning id',
    [job.queue, job.jobId, JSON.stringify(job.payload)],
    'all',
    em.getTransactionContext(),
  );
  return String(rows[0]?.id);
}

/** A job as the outbox holds it. */
export interface OutboxJob {
  queue: string;
  jobId: string;
  payload: unknown;
}

/** Jobs committed but not yet on their queues, and the age in seconds of the oldest (0 when none). */
export async function outboxBacklog(em: EntityManager): Promise<{ pending: number; oldestSeconds: number }> {
  const [row] = await em.getConnection().execute<{ n: number; age: number | null }[]>(
    `select count(*)::int n,
       (select extract(epoch from now() - created_at)::float8 from job_outbox where dispatched_at is null order by id limit 1) age
     from job_outbox where dispatched_at is null`,
    [],
    'all',
    em.getTransactionContext(),
  );
  return { pending: row?.n ?? 0, oldestSeconds: Math.max(0, row?.age ?? 0) };
}
