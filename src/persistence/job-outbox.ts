import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Adds a job to the outbox in the caller's transaction: it exists exactly when the change that
 * needs it committed. The relay moves pending rows to BullMQ (job id = `jobId`, so a row relayed
 * twice is one job) and marks them dispatched.
 */
export async function addOutboxJob(em: EntityManager, job: { queue: string; jobId: string; payload: unknown }): Promise<void> {
  await em.getConnection().execute(
    'insert into job_outbox (queue, job_id, payload) values (?, ?, ?)',
    [job.queue, job.jobId, JSON.stringify(job.payload)],
    'run',
    em.getTransactionContext(),
  );
}
