import { z } from 'zod';

/**
 * Every queue the hub uses, with its payload schema. Names are wrapped in `{…}` so each queue's keys
 * hash to one Redis Cluster slot (BullMQ needs that) while different queues spread over the cluster.
 */
export const queues = {
  maintenance: {
    name: '{maintenance}',
    payload: z.discriminatedUnion('task', [z.object({ task: z.literal('expire-webhook-secrets') }), z.object({ task: z.literal('prune-catalog-changes') })]),
  },
  catalogSync: {
    name: '{catalog-sync}',
    payload: z.object({ supplierId: z.string().min(1), mode: z.literal('full') }),
  },
} as const;

export type QueueKey = keyof typeof queues;
export type Payload<K extends QueueKey> = z.infer<(typeof queues)[K]['payload']>;
