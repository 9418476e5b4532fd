import { executeRun, type RunnerDeps } from '../../../workflows/engine/index.ts';
import type { WorkflowServices } from '../../../workflows/registry.ts';
import type { Payload } from '../registry.ts';

/** One wake-up of a workflow run: executes it from its current step (see workflows/engine/index.ts). */
export function processWorkflow(job: Payload<'workflow'>, deps: RunnerDeps<WorkflowServices>) {
  return executeRun(deps, job.runId);
}
