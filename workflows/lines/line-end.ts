import type { EntityManager } from '@mikro-orm/postgresql';
import type { EndContext } from '../engine/types.ts';
import { recordCancelled } from './cancelled.ts';
import { recordFailed } from './failed.ts';
import type { LineServices, LineState } from './services.ts';

/**
 * A line run's last word once the engine has undone its steps: the line failed (refund to the
 * member, the mall told), or cancelled as its mall asked. Both are guarded, so ending twice
 * records once.
 */
export const lineEnd = {
  onFailed: (tx: EntityManager, ctx: EndContext<LineState>) => recordFailed(tx, ctx.clock, ctx.subjectId, ctx.reason),
  onCancelled: (tx: EntityManager, ctx: EndContext<LineState>) =>
    recordCancelled(tx, ctx.clock, ctx.subjectId, { reason: ctx.reason, attemptId: ctx.state.attemptId, supplierOrderId: ctx.state.supplierOrderId }),
} satisfies { onFailed(tx: EntityManager, ctx: EndContext<LineState>, deps: LineServices): Promise<void>; onCancelled(tx: EntityManager, ctx: EndContext<LineState>, deps: LineServices): Promise<void> };
