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
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { MALL_ID_EXAMPLE, pathParam, queryParam, staffSecurity, Timestamp } from '../../schemas.ts';

const DeadLetter = z
  .object({
    runId: z.string(),
    workflow: z.string().openapi({ description: 'The workflow (`fulfil-line` for goods, `issue-line` for virtual goods)' }),
    mallId: z.string().nullable(),
    orderId: z.string().nullable().openapi({ description: 'The hub order of the line the run is for' }),
    lineId: z.string().nullable().openapi({ description: "The mall's line id" }),
    step: z.string().openapi({ description: 'The step it died at (forward), or whose compensation was given up' }),
    phase: z.enum(['forward', 'compensation']).openapi({ description: '`forward`: a step ran out of retries where the supplier may hold something the hub cannot see (replay it, or abort it); `compensation`: undoing the run failed for good (replay tries the undo again)' }),
    attempts: z.number().int().openapi({ description: 'Attempts of that step' }),
    lastError: z.string().nullable(),
    diedAt: Timestamp,
  })
  .openapi('DeadLetter');
type DeadLetter = z.infer<typeof DeadLetter>;

const DEAD: DeadLetter = {
  runId: 'wfr_0196f0c1a3c47e5f8a9b0c1d2e3f4a5b',
  workflow: 'fulfil-line',
  mallId: MALL_ID_EXAMPLE,
  orderId: 'ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d',
  lineId: '1',
  step: 'submit-order',
  phase: 'forward',
  attempts: 8,
  lastError: 'jd timeout: no answer within 10000 ms',
  diedAt: '2026-12-01T04:17:09.233Z',
};

const RunIdParam = z.object({ runId: pathParam('runId', z.string().min(1).max(64), 'The workflow run id (`wfr_…`), as listed', DEAD.runId) });
const RunStatus = z.enum(['waiting', 'compensating']).openapi({ description: '`waiting`: queued to run its step again; `compensating`: undoing its finished steps' });

const list = createRoute({
  method: 'get',
  path: '/admin/dead-letters',
  operationId: 'listDeadLetters',
  tags: ['Admin: workflows'],
  summary: 'Workflow runs given up after their last attempt or a permanent error, newest first',
  description: 'A run dies forward when a step ran out of retries where the supplier may hold something the hub cannot see (replay or abort it), or compensating when undoing it failed for good (replay tries the undo again). Its line waits as it is meanwhile.',
  security: staffSecurity,
  request: { query: PageQuery.extend({ mallId: queryParam('mallId', z.string().max(64).optional(), 'Only the runs of this mall', MALL_ID_EXAMPLE) }) },
  responses: {
    200: jsonResponse('Dead runs', pageOf(DeadLetter), {
      items: [DEAD, { ...DEAD, runId: 'wfr_0196f0be7d126a3b8c9d0e1f2a3b4c5d', lineId: '3', step: 'submit-order', phase: 'compensation', attempts: 8, lastError: 'taobao unavailable: 系统繁忙', diedAt: '2026-11-30T22:41:55.017Z' }],
      nextCursor: null,
    }),
    ...errorResponses(400),
  },
});

const replay = createRoute({
  method: 'post',
  path: '/admin/dead-letters/{runId}/replay',
  operationId: 'replayDeadLetter',
  tags: ['Admin: workflows'],
  summary: 'Put a dead run back to work from the step where it died',
  description: 'A run that died forward runs its step again (with fresh attempts); one that died compensating tries the failed undo again. 409 when the run is not dead. Audited.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: RunIdParam },
  responses: {
    202: jsonResponse('Queued again', z.object({ runId: z.string(), status: RunStatus }), { runId: DEAD.runId, status: 'waiting' }),
    ...errorResponses(403, 404, 409),
  },
});

const abort = createRoute({
  method: 'post',
  path: '/admin/dead-letters/{runId}/abort',
  operationId: 'abortDeadLetter',
  tags: ['Admin: workflows'],
  summary: 'Give up a run that died forward: its finished steps are undone in reverse order and the line fails (the mall is told to refund)',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  description: 'Only for a run that died forward (one that died compensating is replayed instead: 409). Its finished steps are undone latest first (the order cancelled at its supplier), then the line fails and the mall gets `line.failed` and `refund.required`. Audited with the reason.',
  request: {
    params: RunIdParam,
    body: jsonBody(
      z.object({ reason: z.string().trim().min(1).max(200).openapi({ description: 'Why (kept with the run and in the audit log)', example: '京东确认未收到该订单' }) }).strict(),
      { reason: '京东确认未收到该订单' },
    ),
  },
  responses: {
    202: jsonResponse('Compensating', z.object({ runId: z.string(), status: z.literal('compensating') }), { runId: DEAD.runId, status: 'compensating' }),
    ...errorResponses(400, 403, 404, 409),
  },
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
