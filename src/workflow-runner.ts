import type { SupplierConnector } from '../connectors/connector.ts';
import type { RunnerDeps } from '../workflows/engine/index.ts';
import { WORKFLOWS, type WorkflowServices } from '../workflows/registry.ts';
import type { Config } from './config.ts';
import type { Clock } from './domain/clock.ts';
import type { Orm } from './persistence/orm.ts';
import type { QueueProducer } from './queues/producer.ts';
import type { CryptoBox } from './security/crypto-box.ts';
import { enqueue } from './queues/enqueue.ts';

/**
 * The workflow runner's dependencies, wired from the hub's: what the worker's processor, the
 * cancel route and dead-letter replay share (each wake-up is a queue job whose id the runner owns).
 */
export function runnerDeps(d: { orm: Orm; clock: Clock; config: Config; crypto: CryptoBox; queues: QueueProducer; connectors: Map<string, SupplierConnector> }): Omit<RunnerDeps<WorkflowServices>, 'em'> {
  return {
    clock: d.clock,
    config: d.config.workflow,
    workflows: WORKFLOWS,
    schedule: async (runId, wakes, delayMs) => {
      await enqueue.workflowWake(d.queues, runId, wakes, delayMs);
    },
    services: { connectors: d.connectors, crypto: d.crypto, issuancePollMs: d.config.issuancePollMs, shipmentPollMs: d.config.shipmentPollMs, trackingStaleMs: d.config.trackingStaleMs, aftersale: d.config.aftersale },
  };
}
