import type { Step } from '../../engine/types.ts';
import type { TicketServices, TicketState } from '../services.ts';
import { AWAIT_AGENT } from '../step-ids.ts';
import { preempted, ticketOf } from '../ticket-step.ts';

/** How long a run waiting for staff sleeps between looks (staff decisions wake it at once). */
const AGENT_LOOK_MS = 6 * 3600_000;

/**
 * Waits for staff: their decision (or an admin's approval of it) is written on the ticket and wakes
 * the run, which carries it out; a ticket staff settled or the mall withdrew ends the run.
 * Compensation: none.
 */
export const awaitAgentStep: Step<TicketState, TicketServices> = {
  id: AWAIT_AGENT,
  async run(ctx) {
    const t = await ticketOf(ctx);
    return preempted(t) ?? { wait: AGENT_LOOK_MS, output: { waitingOn: t.waiting_on } };
  },
};
