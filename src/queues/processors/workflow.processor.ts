import { executeRun, type RunnerDeps } from '../../../workflows/engine/index.ts';
import type { LineServices } from '../../../workflows/lines/services.ts';
import type { Payload } from '../registry.ts';

/** One wake-up of a workflow run: executes it from its current step (see workflows/engine/index.ts). */
export function processWorkflow(job: Payload<'workflow'>, deps: RunnerDeps<LineServices>) {
  return executeRun(deps, job.runId);
}
