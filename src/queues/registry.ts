import { z } from 'zod';

/**
 * Every queue the hub uses, with its payload schema. Names are wrapped in `{…}` so each queue's keys
 * hash to one Redis Cluster slot (BullMQ needs that) while different queues spread over the cluster.
 */
export const queues = {
  maintenance: {
    name: '{maintenance}',
    payload: z.discriminatedUnion('task', [
      z.object({ task: z.literal('expire-webhook-secrets') }),
      z.object({ task: z.literal('prune-catalog-changes') }),
      // Console sessions that ended (expired or signed out) more than HUB_STAFF_SESSIONS_RETENTION_MS ago.
      z.object({ task: z.literal('prune-staff-sessions') }),
      // The reconciler: malls whose prices lag their settings get a reprice job (Redis may have lost it).
      z.object({ task: z.literal('reprice-lagging-malls') }),
      // The reconciler: workflow runs that are due but have no job (Redis lost it, a worker died).
      z.object({ task: z.literal('wake-due-runs') }),
      // The reconciler: stored supplier events still unprocessed (Redis lost the job, or it is retrying).
      z.object({ task: z.literal('requeue-inbound-events') }),
      // The reconciler: webhook deliveries that are due but have no job (Redis lost it, a worker died mid-attempt).
      z.object({ task: z.literal('requeue-webhook-deliveries') }),
      // The data board's tables brought up to date with the orders changed since the last run (src/board/board-refresh.ts).
      z.object({ task: z.literal('refresh-board') }),
      // The catalog's first load published when its syncs all stalled, or its publisher died (src/catalog/first-load.ts).
      z.object({ task: z.literal('publish-catalog-load') }),
    ]),
  },
  catalogSync: {
    name: '{catalog-sync}',
    payload: z.object({ supplierId: z.string().min(1), mode: z.enum(['full', 'incremental']) }),
  },
  /** One wake-up of a workflow run; the run itself (PostgreSQL) says what to do. */
  workflow: {
    name: '{workflow}',
    payload: z.object({ runId: z.string().min(1) }),
  },
  /** A stored supplier event to apply (`process`), or a supplier's message pool to read (`poll`, JD). */
  inboundEvent: {
    name: '{inbound-event}',
    payload: z.discriminatedUnion('task', [
      z.object({ task: z.literal('process'), inboundEventId: z.string().min(1) }),
      z.object({ task: z.literal('poll'), supplierId: z.string().min(1) }),
    ]),
  },
  mallPricing: {
    name: '{mall-pricing}',
    payload: z.object({ mallId: z.string().min(1) }),
  },
  /**
   * The next attempt of a batch of one mall's webhook deliveries; each `attempt` is that delivery's
   * attempts so far, so a stale or duplicate job does nothing.
   */
  webhookDelivery: {
    name: '{webhook-delivery}',
    payload: z.object({
      mallId: z.string().min(1),
      deliveries: z.array(z.object({ deliveryId: z.string().min(1), attempt: z.number().int().nonnegative() })).min(1).max(1000),
    }),
  },
} as const;

export type QueueKey = keyof typeof queues;
export type Payload<K extends QueueKey> = z.infer<(typeof queues)[K]['payload']>;
