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
