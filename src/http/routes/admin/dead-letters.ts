import { createRoute, z } from '@hono/zod-openapi';
import { abortRun, listDeadRuns, type RefusedAction, replayRun } from '../../../../workflows/engine/index.ts';
import { AppError, notFound } from '../../../domain/errors.ts';
import { lineRefs } from '../../../orders/line-store.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { runnerDeps } from '../../../workflow-runner.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { staffSecurity } from '../../schemas.ts';

const DeadLetter = z
  .object({
    runId: z.string(),
    workflow: z.string(),
    mallId: z.string().nullable(),
    orderId: z.string().nullable(),
    lineId: z.string().nullable(),
    step: z.string().openapi({ description: 'The step it died at (forward), or whose compensation was given up' }),
    phase: z.enum(['forward', 'compensation']).openapi({ description: '`forward`: a step ran out of retries where the supplier may hold something the hub cannot see (replay it, or abort it); `compensation`: undoing the run failed for good (replay tries the undo again)' }),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    diedAt: z.string(),
  })
  .openapi('DeadLetter');

const RunIdParam = z.object({ runId: z.string().min(1).max(64).openapi({ param: { name: 'runId', in: 'path' } }) });

const list = createRoute({
  method: 'get',
  path: '/admin/dead-letters',
  operationId: 'listDeadLetters',
  tags: ['Admin: workflows'],
  summary: 'Workflow runs given up after their last attempt or a permanent error, newest first',
  security: staffSecurity,
  request: { query: PageQuery.extend({ mallId: z.string().max(64).optional().openapi({ param: { name: 'mallId', in: 'query' } }) }) },
  responses: { 200: { description: 'Dead runs', content: { 'application/json': { schema: pageOf(DeadLetter) } } }, ...errorResponses(400, 401) },
});

const replay = createRoute({
  method: 'post',
  path: '/admin/dead-letters/{runId}/replay',
  operationId: 'replayDeadLetter',
  tags: ['Admin: workflows'],
  summary: 'Put a dead run back to work from the step where it died',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: RunIdParam },
  responses: { 202: { description: 'Queued again', content: { 'application/json': { schema: z.object({ runId: z.string(), status: z.enum(['waiting', 'compensating']) }) } } }, ...errorResponses(401, 403, 404, 409) },
});

const abort = createRoute({
  method: 'post',
  path: '/admin/dead-letters/{runId}/abort',
  operationId: 'abortDeadLetter',
  tags: ['Admin: workflows'],
  summary: 'Give up a run that died forward: its finished steps are undone in reverse order and the line fails (the mall is told to refund)',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: {
    params: RunIdParam,
    body: { required: true, content: { 'application/json': { schema: z.object({ reason: z.string().trim().min(1).max(200).openapi({ example: 'supplier confirmed it never received the order' }) }).strict() } } },
  },
  responses: { 202: { description: 'Compensating', content: { 'application/json': { schema: z.object({ runId: z.string(), status: z.literal('compensating') }) } } }, ...errorResponses(400, 401, 403, 404, 409, 415) },
});

/** A refused operator action as the contract's error. */
function refused(r: RefusedAction, action: string): AppError {
  if (r.refused === 'not_found') return notFound('workflow run');
  const why = r.status === 'dead' && r.goal ? 'it died compensating: replay it instead' : `it is ${r.status}, not dead`;
  return new AppError('conflict', `cannot ${action} the run: ${why}`);
}


/** GET /admin/dead-letters, POST /admin/dead-letters/{runId}/replay, POST /admin/dead-letters/{runId}/abort */
export function registerDeadLetterRoutes(app: HubApp): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const em = c.get('em');
    const rows = await listDeadRuns(em, { tenant: q.mallId, before: decodeCursor(q.cursor), limit: q.limit + 1 });
    const lines = await lineRefs(em, rows.map((r) => r.subject_id));
    return c.json(toPage(rows, q.limit, (r) => {
      const line = lines.get(r.subject_id);
      return {
        runId: r.id, workflow: r.workflow, mallId: r.tenant, orderId: line?.orderId ?? null, lineId: line?.lineId ?? null, step: r.step,
        phase: r.goal ? ('compensation' as const) : ('forward' as const), attempts: r.attempt, lastError: r.last_error, diedAt: new Date(r.updated_at).toISOString(),
      };
    }), 200);
  });

  app.openapi(replay, async (c) => {
    const deps = c.get('deps');
    const { runId } = c.req.valid('param');
    const em = c.get('em');
    const out = await replayRun(em, deps.clock, runnerDeps({ ...deps }).schedule, runId);
    if ('refused' in out) throw refused(out, 'replay');
    const status = out.phase === 'forward' ? ('waiting' as const) : ('compensating' as const);
    const { actor, requestId } = auditContext(c);
    recordAudit(em, deps.clock, { actor, action: 'workflow.replay', resourceType: 'workflow_run', resourceId: runId, before: { status: 'dead' }, after: { status }, requestId });
    await em.flush();
    return c.json({ runId, status }, 202);
  });

  app.openapi(abort, async (c) => {
    const deps = c.get('deps');
    const { runId } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const em = c.get('em');
    const out = await abortRun(em, deps.clock, runnerDeps({ ...deps }).schedule, runId, reason);
    if ('refused' in out) throw refused(out, 'abort');
    const { actor, requestId } = auditContext(c);
    recordAudit(em, deps.clock, { actor, action: 'workflow.abort', resourceType: 'workflow_run', resourceId: runId, before: { status: 'dead' }, after: { status: 'compensating', reason }, requestId });
    await em.flush();
    return c.json({ runId, status: 'compensating' as const }, 202);
  });
}
