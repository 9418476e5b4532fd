import type { DueDelivery } from '../../src/mall-webhooks/webhook-deliveries.ts';
import { appendMallEvent } from '../../src/mall-webhooks/outbox.ts';
import { dispatchWebhooks, enqueueWebhookDeliveries, processWebhookDelivery, webhookDeliverDeps } from '../../src/queues/processors/webhook-delivery.processor.ts';
import { WorkerHost } from '../../src/queues/worker-host.ts';
import { createRedis } from '../../src/redis/connection.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

/** A test hub with a real webhook-delivery worker (BullMQ) and a short retry schedule. */
export async function startWebhookHub(env: Record<string, string> = {}) {
  const hub: TestHub = await startTestHub({ env: { HUB_WEBHOOK_RETRY_SCHEDULE_MS: '50,50,50', HUB_WEBHOOK_TIMEOUT_MS: '2000', ...env } });
  const connection = createRedis(hub.config.redisUrl);
  const host = new WorkerHost({ connection, prefix: hub.config.redisPrefix, logger: hub.deps.logger, metrics: hub.deps.metrics, concurrency: 8 });
  const enqueue = (due: DueDelivery[]) => enqueueWebhookDeliveries(hub.deps.queues, due, { batchSize: hub.config.webhook.batchSize });
  host.register('webhookDelivery', (p) => processWebhookDelivery(p, webhookDeliverDeps(hub.deps)));
  const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
  return {
    hub,
    sql,
    enqueue,
    /** Runs the dispatcher once (the worker's interval does this in production). */
    dispatch: () => dispatchWebhooks({ em: hub.deps.orm.em, clock: hub.clock, queues: hub.deps.queues, batchSize: hub.config.webhook.batchSize }),
    /** Appends events through the hub's outbox, each in its own transaction as a state change would. */
    async append(mallId: string, events: { type: string; orderId?: string; data: Record<string, unknown> }[]): Promise<string[]> {
      const ids: string[] = [];
      for (const e of events) {
        ids.push(await hub.deps.orm.em.fork().transactional(async (tx) => (await appendMallEvent(tx, hub.clock, { mallId, ...e })).id));
      }
      return ids;
    },
    async close() {
      await host.close();
      connection.disconnect();
      await hub.close();
    },
  };
}

/** Order events of one order as the workflows append them. */
export function orderEvents(orderId: string, mallOrderId: string, lineId = 'L1') {
  return [
    { type: 'order.accepted', orderId, data: { orderId, mallOrderId } },
    { type: 'line.submitted', orderId, data: { orderId, mallOrderId, lineId } },
    { type: 'line.shipped', orderId, data: { orderId, mallOrderId, lineId, trackingNo: 'SF1' } },
    { type: 'line.delivered', orderId, data: { orderId, lineId } },
  ];
}
