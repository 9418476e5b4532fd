import { jobIds } from './job-ids.ts';
import type { QueueProducer } from './producer.ts';
import type { Payload } from './registry.ts';

/**
 * Putting each kind of work on its queue, typed: the only callers of `QueueProducer.add` outside
 * the queue layer go through these, so each kind's job id (job-ids.ts: what makes a repeat the
 * same job) and attempts are decided here, once.
 */
export const enqueue = {
  /** The `wakes`-th wake-up of a workflow run, after `delayMs`. One attempt: a lost one is woken again by the reconciler. */
  workflowWake: (q: QueueProducer, runId: string, wakes: number, delayMs: number) =>
    q.add('workflow', { runId }, { jobId: jobIds.workflowWake(runId, wakes), delay: delayMs, attempts: 1 }),
  /** A mall's repricing (one waiting at a time). */
  reprice: (q: QueueProducer, mallId: string) => q.add('mallPricing', { mallId }, { jobId: jobIds.reprice(mallId) }),
  /** Applying a stored supplier event; `fresh` when it was stored just now (no finished job of that id to clear). */
  inboundEvent: (q: QueueProducer, inboundEventId: string, opts: { fresh?: boolean } = {}) =>
    q.add('inboundEvent', { task: 'process', inboundEventId }, { jobId: jobIds.inboundEvent(inboundEventId), ...opts }),
  /** A sync an admin asked for (one per supplier and mode at a time). */
  catalogSync: (q: QueueProducer, supplierId: string, mode: 'full' | 'incremental') => q.add('catalogSync', { supplierId, mode }, { jobId: jobIds.catalogSync(supplierId, mode) }),
  /** An incremental sync a supplier's catalog push asked for (a waiting one absorbs the next push). */
  pushedCatalogSync: (q: QueueProducer, supplierId: string) => q.add('catalogSync', { supplierId, mode: 'incremental' }, { jobId: jobIds.pushedCatalogSync(supplierId), attempts: 1 }),
};

/** A run's first wake-up as an outbox row, written in the transaction that creates the run (order intake). */
export function firstWakeRow(runId: string): { queue: 'workflow'; jobId: string; payload: Payload<'workflow'> } {
  return { queue: 'workflow', jobId: jobIds.workflowWake(runId, 0), payload: { runId } };
}
