/**
 * The workflow engine's API: everything outside workflows/engine/ uses these, never the tables
 * (`workflow_run`, `workflow_step`) themselves.
 */
export { executeRun, wakeDueRuns } from './runner.ts';
export type { RunnerConfig, RunnerDeps, RunResult } from './deps.ts';
export { LeaseLost } from './deps.ts';
export { holdRun, RunHold } from './hold.ts';
export { abortRun, listDeadRuns, replayRun, runHistory, runsOfSubject, wakeSubjectRuns, type RefusedAction } from './operator.ts';
export type { SubjectRunRow } from './store.ts';
export { insertRun as startRun, insertRunsFrom } from './store.ts';
export type { CompensationContext, CompensationOutcome, EndContext, Step, StepContext, StepOutcome, Workflow } from './types.ts';
