import type { Workflow } from './engine/types.ts';
import { fulfilLineWorkflow } from './lines/fulfil-line.workflow.ts';
import { issueLineWorkflow } from './lines/issue-line.workflow.ts';
import type { LineServices } from './lines/services.ts';

/** Every workflow the hub runs, by id: the runner looks a run's workflow up here. */
export const WORKFLOWS = new Map<string, Workflow<any, LineServices>>([
  [fulfilLineWorkflow.id, fulfilLineWorkflow],
  [issueLineWorkflow.id, issueLineWorkflow],
]);
