import type { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../persistence/bound-query.ts';

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

/** A pending job as the relay claims it. */
export interface ClaimedOutboxJob {
  id: string;
  queue: string;
  job_id: string;
  payload: unknown;
}

/**
 * Claims pending jobs for the relay in its transaction, oldest first: locked (skip locked, so
 * relays share the work), and only rows at least `minAgeMs` old (younger ones are being
 * dispatched by the request that wrote them).
 */
export async function claimOutboxJobs(tx: EntityManager, limit: number, minAgeMs: number): Promise<ClaimedOutboxJob[]> {
  return tx.getConnection().execute<ClaimedOutboxJob[]>(
    "select id, queue, job_id, payload from job_outbox where dispatched_at is null and created_at <= now() - make_interval(secs => ?) order by id limit ? for update skip locked",
    [minAgeMs / 1000, limit],
    'all',
    tx.getTransactionContext(),
  );
}

/** Marks jobs the relay claimed (and put on their queues) dispatched, in its transaction. */
export async function markOutboxJobsDispatched(tx: EntityManager, ids: readonly string[]): Promise<void> {
  await tx.getConnection().execute('update job_outbox set dispatched_at = now() where id in (select (jsonb_array_elements_text(?::jsonb))::bigint)', [JSON.stringify(ids)], 'run', tx.getTransactionContext());
}

/**
 * Marks jobs the API put on their queues right after commit dispatched: up to 1 000 ids bound as
 * one array (executeBound: measured on the intake path). Rows the relay holds right now are being
 * dispatched by it: they are skipped rather than waited for (that wait, on its Redis round trips,
 * was most of this statement's time under load).
 */
export async function markCommittedJobsDispatched(em: EntityManager, ids: readonly string[]): Promise<void> {
  await executeBound(em,
    `update job_outbox set dispatched_at = now() where id in (
               select id from job_outbox where id = any(?::bigint[]) and dispatched_at is null for update skip locked)`,
    [ids],
  );
}
