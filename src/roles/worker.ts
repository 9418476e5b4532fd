import type { HubDeps } from '../deps.ts';
import { processCatalogSync } from '../queues/processors/catalog-sync.processor.ts';
import { processInbound } from '../queues/processors/inbound-event.processor.ts';
import { processMaintenance } from '../queues/processors/maintenance.processor.ts';
import { processMallPricing } from '../queues/processors/mall-pricing.processor.ts';
import { processWorkflow } from '../queues/processors/workflow.processor.ts';
import { runnerDeps } from '../workflow-runner.ts';
import { dispatchWebhooks, enqueueWebhookDeliveries, processWebhookDelivery, webhookDeliverDeps } from '../queues/processors/webhook-delivery.processor.ts';
import type { DueDelivery } from '../mall-webhooks/webhook-deliveries.ts';
import { relayOutbox } from '../queues/outbox-relay.ts';
import { indexSearchPass, repairLostSearch } from '../catalog/search-index-store.ts';
import { createConnectors } from '../suppliers.ts';
import { IntakeYield } from '../queues/intake-yield.ts';
import { hubSchedules, ScheduleKeeper } from '../queues/schedules.ts';
import { WorkerHost } from '../queues/worker-host.ts';
import { intakeRate } from '../redis/intake-load.ts';
import { createRedis } from '../redis/connection.ts';
import type { Stoppable } from './stoppable.ts';
import { enqueue } from '../queues/enqueue.ts';

/** Outbox rows per relay transaction (one bulk per queue). */
const RELAY_BATCH = 500;

/** Starts the queue workers and their repeatable jobs. Scale out by running more worker processes. */
export async function startWorker(deps: HubDeps): Promise<Stoppable> {
  const connection = createRedis(deps.config.redisUrl, { name: 'hub-worker' });
  connection.on('error', (err) => deps.logger.warn({ err: err.message }, 'worker redis error'));
  const { workerYield } = deps.config;
  const gate = new IntakeYield({
    ...workerYield,
    checkEveryMs: deps.config.intakeLoadEveryMs,
    readRate: () => intakeRate(connection, deps.config.redisPrefix, Date.now()),
    onChange: (yielding, rate) => {
      deps.metrics.workerYielding.set(yielding ? 1 : 0);
      deps.logger.info({ ordersPerSec: rate, duty: workerYield.duty }, yielding ? 'order intake burst: worker yields' : 'order intake burst over: worker at full speed');
    },
    onRest: (ms) => deps.metrics.workerYieldRest.inc(ms / 1000),
  });
  const host = new WorkerHost({ connection, prefix: deps.config.redisPrefix, logger: deps.logger, metrics: deps.metrics, concurrency: deps.config.workerConcurrency, gate });
  /** A loop's tick, skipped while its previous tick still runs (ticks would pile up while yielding). */
  const loop = (name: string, tick: () => Promise<unknown>) => {
    let running = false;
    return () => {
      if (running) return;
      running = true;
      tick()
        .catch((err: unknown) => deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, `${name} failed`))
        .finally(() => (running = false));
    };
  };
  const enqueueReprice = (mallId: string) => enqueue.reprice(deps.queues, mallId);
  const runner = runnerDeps({ ...deps, connectors: deps.connectors });
  const enqueueInbound = (inboundEventId: string) => enqueue.inboundEvent(deps.queues, inboundEventId);
  const requeueWebhooks = (due: DueDelivery[]) => enqueueWebhookDeliveries(deps.queues, due, { batchSize: deps.config.webhook.batchSize });
  host.register(
    'maintenance',
    (payload) => processMaintenance(payload, { em: deps.orm.em.fork(), clock: deps.clock, catalogChangesRetentionMs: deps.config.catalogChangesRetentionMs, staffSessionsRetentionMs: deps.config.staffSessionsRetentionMs, enqueueReprice, scheduleRun: runner.schedule, enqueueInbound, inboundRequeueAfterMs: deps.config.inboundRequeueAfterMs, requeueWebhookDeliveries: requeueWebhooks,
      indexMemoryMb: deps.config.catalogIndexMemoryMb, leaseMs: deps.config.catalogSyncLeaseMs }),
    { concurrency: 1 },
  );
  const connectors = createConnectors(deps.config.suppliers);
  const syncDeps = { clock: deps.clock, connectors, overlapMs: deps.config.catalogSyncOverlapMs, leaseMs: deps.config.catalogSyncLeaseMs, readAhead: deps.config.catalogReadAhead,
    firstLoad: deps.config.catalogFirstLoad, indexMemoryMb: deps.config.catalogIndexMemoryMb };
  host.register('catalogSync', (payload) => processCatalogSync(payload, { ...syncDeps, em: deps.orm.em.fork() }), { concurrency: 4 });
  host.register('mallPricing', (payload) => processMallPricing(payload, { em: deps.orm.em.fork() }), { concurrency: 1 });
  host.register('workflow', (payload) => processWorkflow(payload, { ...runner, em: deps.orm.em.fork() }));
  // A pushed catalog change asks for that supplier's incremental sync (one job id per supplier: a waiting request absorbs the next).
  const requestCatalogSync = (supplierId: string) => enqueue.pushedCatalogSync(deps.queues, supplierId);
  host.register('inboundEvent', (payload) => processInbound(payload, { em: deps.orm.em.fork(), clock: deps.clock, connectors: deps.connectors, scheduleRun: runner.schedule, requestCatalogSync }), { concurrency: 4 });
  host.register('webhookDelivery', (payload) => processWebhookDelivery(payload, webhookDeliverDeps(deps)), { concurrency: deps.config.webhook.concurrency });
  // New mall events become webhook deliveries continuously (the mall_event outbox, PostgreSQL first).
  const webhookDispatch = setInterval(
    loop('webhook dispatch', () => dispatchWebhooks({ em: deps.orm.em, clock: deps.clock, queues: deps.queues, batchSize: deps.config.webhook.batchSize, gate })),
    deps.config.webhook.dispatchEveryMs,
  );
  // The job outbox is moved to the queues continuously (PostgreSQL first, Redis second), in
  // batches that each pass the gate (a yielding worker defers them). Rows are the relay's at once
  // when the API leaves committed jobs to it (HUB_JOB_DISPATCH=relay).
  const relayMinAgeMs = deps.config.jobDispatch === 'relay' ? 0 : deps.config.outboxRelayMinAgeMs;
  const relayAll = async () => {
    // A full batch means more rows may be waiting.
    for (let n = RELAY_BATCH; n === RELAY_BATCH;) n = await gate.run(() => relayOutbox(deps.orm.em, deps.queues, RELAY_BATCH, relayMinAgeMs));
  };
  const relay = setInterval(loop('outbox relay', relayAll), deps.config.outboxRelayEveryMs);
  // Catalog changes become searchable (the search index is fed by triggers on mall_item, so any
  // number of workers share the queue); a lost index is found and rebuilt from PostgreSQL.
  const { searchIndex } = deps.config;
  const searchIndexer = setInterval(
    loop('search indexer', () => gate.run(() => indexSearchPass(deps.orm.em.fork(), { batch: searchIndex.batch, rebuildAbove: searchIndex.rebuildAbove }))),
    searchIndex.everyMs,
  );
  const repairSearch = loop('search index check', async () => {
    const lost = await repairLostSearch(deps.orm.em.fork());
    if (lost.length) deps.logger.warn({ malls: lost }, 'search index lost or incomplete: rebuilding from PostgreSQL');
  });
  repairSearch();
  const searchCheck = setInterval(repairSearch, searchIndex.checkEveryMs);
  // The job schedulers (reconcilers, message-pool polls, catalog syncs) live in Redis, which may
  // lose them: set at start, then checked by a timer of this process that restores missing ones.
  const schedules = new ScheduleKeeper({
    connection, prefix: deps.config.redisPrefix, logger: deps.logger, registry: deps.metrics.registry,
    schedules: hubSchedules(deps.config, {
      polled: [...deps.connectors.values()].filter((c) => c.inbound.mode === 'poll').map((c) => c.id),
      catalogSynced: deps.config.catalogSyncSchedule ? [...connectors.keys()] : [],
    }),
  });
  await schedules.upsertAll();
  schedules.start(deps.config.scheduleCheckEveryMs);
  // The orders, syncs and polls it runs count in /admin/suppliers of every process.
  deps.supplierHealth.start();
  deps.logger.info('workers started');
  return async () => {
    clearInterval(relay);
    clearInterval(searchIndexer);
    clearInterval(searchCheck);
    clearInterval(webhookDispatch);
    await schedules.close();
    // Jobs resting in the gate finish now: shutdown must not wait out a burst.
    gate.stop();
    await host.close();
    connection.disconnect();
  };
}
