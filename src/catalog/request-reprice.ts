import type { Logger } from '../observability/logger.ts';
import type { QueueProducer } from '../queues/producer.ts';
import { enqueue } from '../queues/enqueue.ts';

/**
 * Asks a worker to reprice a mall's catalog now. Called after the settings change committed; if
 * Redis is down the change is still durable (the mall's pricing version is ahead of its priced
 * version) and the reconciler enqueues it within a minute, so a failure here is only logged.
 */
export async function requestReprice(deps: { queues: QueueProducer; logger: Logger }, mallId: string): Promise<void> {
  try {
    await enqueue.reprice(deps.queues, mallId);
  } catch (err) {
    deps.logger.warn({ mallId, err: err instanceof Error ? err.message : String(err) }, 'reprice not enqueued; the reconciler will');
  }
}
