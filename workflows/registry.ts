import type { Workflow } from './engine/types.ts';
import { fulfilLineWorkflow } from './lines/fulfil-line.workflow.ts';
import { issueLineWorkflow } from './lines/issue-line.workflow.ts';
import { settleTicketWorkflow } from './tickets/settle-ticket.workflow.ts';
import type { TicketServices } from './tickets/services.ts';

/** Every workflow the hub runs, by id: the runner looks a run's workflow up here (all share one set of services). */
export const WORKFLOWS = new Map<string, Workflow<any, TicketServices>>([
  [fulfilLineWorkflow.id, fulfilLineWorkflow],
  [issueLineWorkflow.id, issueLineWorkflow],
  [settleTicketWorkflow.id, settleTicketWorkflow],
]);

/** What every workflow's steps get besides the database and the clock (the ticket workflow's needs include the line workflows'). */
export type WorkflowServices = TicketServices;
