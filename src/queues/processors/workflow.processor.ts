import type { SupplierConnector } from '../../../connectors/connector.ts';
import { executeRun, type RunnerDeps } from '../../../workflows/engine/runner.ts';
import type { Workflow } from '../../../workflows/engine/types.ts';
import { fulfilLineWorkflow } from '../../../workflows/lines/fulfil-line.workflow.ts';
import { issueLineWorkflow } from '../../../workflows/lines/issue-line.workflow.ts';
import type { LineServices } from '../../../workflows/lines/services.ts';
import type { Config } from '../../config.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Orm } from '../../persistence/orm.ts';
import type { CryptoBox } from '../../security/crypto-box.ts';
import type { QueueProducer } from '../producer.ts';
import type { Payload } from '../registry.ts';

/** Every workflow the hub runs, by id. */
export const WORKFLOWS = new Map<string, Workflow<any, LineServices>>([
  [fulfilLineWorkflow.id, fulfilLineWorkflow],
  [issueLineWorkflow.id, issueLineWorkflow],
]);

/** The runner's dependencies, wired from the hub's. */
export function runnerDeps(d: { orm: Orm; clock: Clock; config: Config; crypto: CryptoBox; queues: QueueProducer; connectors: Map<string, SupplierConnector> }): Omit<RunnerDeps<LineServices>, 'em'> {
  return {
    clock: d.clock,
    config: d.config.workflow,
    workflows: WORKFLOWS,
    schedule: async (runId, wakes, delayMs) => {
      await d.queues.add('workflow', { runId }, { jobId: `${runId}-${wakes}`, delay: delayMs, attempts: 1 });
    },
    services: { connectors: d.connectors, crypto: d.crypto, issuancePollMs: d.config.issuancePollMs, shipmentPollMs: d.config.shipmentPollMs, trackingStaleMs: d.config.trackingStaleMs },
  };
}

/** One wake-up of a workflow run: executes it from its current step (see workflows/engine/runner.ts). */
export function processWorkflow(job: Payload<'workflow'>, deps: RunnerDeps<LineServices>) {
  return executeRun(deps, job.runId);
}
