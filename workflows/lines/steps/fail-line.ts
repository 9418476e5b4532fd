import type { Step } from '../../engine/types.ts';
import { recordFailed } from '../failed.ts';
import type { LineServices, LineState } from '../services.ts';
import { FAIL_LINE } from '../step-ids.ts';

/**
 * No source can fulfil the line: it is failed and the mall told what to refund (failed.ts).
 * Cannot be undone: the mall acts on the refund.
 */
export const failLineStep: Step<LineState, LineServices> = {
  id: FAIL_LINE,
  async run(ctx) {
    const reason = ctx.state.lastFailure ?? 'no source could fulfil it';
    return { done: true, output: { reason }, commit: (tx) => recordFailed(tx, ctx.clock, ctx.subjectId, reason) };
  },
};
