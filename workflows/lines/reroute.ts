import { isSupplierError, type SupplierError } from '../../connectors/errors.ts';
import { updateAttempt } from '../../src/orders/line-store.ts';
import type { StepContext, StepOutcome } from '../engine/types.ts';
import type { LineState } from './services.ts';
import { PICK_SOURCE } from './step-ids.ts';

/** Supplier answers that mean "not from this source": try the next one instead of retrying here. */
export function isSourceRefusal(err: unknown): err is SupplierError {
  return isSupplierError(err, 'stockout', 'unserviceable_region', 'not_sellable', 'insufficient_balance', 'rejected');
}

/** Gives up the current attempt and goes back to choosing a source (the reroute event is emitted when the next one is chosen). */
export function reroute(ctx: StepContext<LineState>, reason: string): StepOutcome<LineState> {
  const attemptId = ctx.state.attemptId;
  return {
    next: PICK_SOURCE,
    state: { lastFailure: reason },
    output: { rerouted: reason },
    commit: async (tx) => {
      if (attemptId) await updateAttempt(tx, ctx.clock, attemptId, { status: 'failed', failureReason: reason });
    },
  };
}
