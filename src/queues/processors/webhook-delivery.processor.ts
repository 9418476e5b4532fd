import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../domain/clock.ts';
import type { HubDeps } from '../../http/context.ts';
import { dispatchMallEvents, type DueDelivery } from '../../persistence/webhook-deliveries.ts';
import { type DeliverDeps, type DeliverOutcome, deliverWebhook } from '../../webhooks/deliver.ts';
import type { QueueProducer } from '../producer.ts';
import type { Payload } from '../registry.ts';

/** One attempt of a mall webhook delivery (the delivery row decides whether there is anything to do). */
export function processWebhookDelivery(payload: Payload<'webhookDelivery'>, deps: DeliverDeps): Promise<DeliverOutcome> {
  return deliverWebhook(payload, deps);
}

/** Job id of one attempt: a repeated add of the same attempt is one job; the next attempt is a new one. */
export const webhookJobId = (job: DueDelivery): string => `whd-${job.deliveryId}-${job.attempt}`;

/** Queues one attempt, now or after `delayMs`. */
export function enqueueWebhookDelivery(producer: QueueProducer, job: DueDelivery, delayMs = 0): Promise<unknown> {
  return producer.add('webhookDelivery', job, { jobId: webhookJobId(job), delay: delayMs, attempts: 3 });
}

/** Moves new mall events into deliveries and queues their first attempts; returns how many. */
export async function dispatchWebhooks(deps: { em: EntityManager; clock: Clock; queues: QueueProducer; batch?: number }): Promise<number> {
  let total = 0;
  for (;;) {
    const { events, jobs } = await dispatchMallEvents(deps.em, deps.clock, deps.batch ?? 500);
    if (jobs.length) await deps.queues.addBulk('webhookDelivery', jobs.map((j) => ({ payload: j, jobId: webhookJobId(j) })), { attempts: 3 });
    total += events;
    if (events < (deps.batch ?? 500)) return total;
  }
}

/** Delivery deps from the hub's: config timeout, schedule and sandbox mode; a fresh unit of work per job. */
export function webhookDeliverDeps(deps: Pick<HubDeps, 'orm' | 'clock' | 'crypto' | 'config'>, enqueue: DeliverDeps['enqueue']): DeliverDeps {
  return {
    em: deps.orm.em.fork(),
    clock: deps.clock,
    crypto: deps.crypto,
    allowPrivate: deps.config.sandbox,
    timeoutMs: deps.config.webhook.timeoutMs,
    retryScheduleMs: deps.config.webhook.retryScheduleMs,
    enqueue,
  };
}
