import { createRoute, z } from '@hono/zod-openapi';
import { replayRun } from '../../../../workflows/engine/runner.ts';
import { AppError, notFound } from '../../../domain/errors.ts';
import { recordAudit } from '../../../persistence/audit-log.ts';
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
    step: z.string(),
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
  responses: { 202: { description: 'Queued again', content: { 'application/json': { schema: z.object({ runId: z.string(), status: z.literal('waiting') }) } } }, ...errorResponses(401, 403, 404, 409) },
});

interface Row { id: string; workflow: string; mall_id: string | null; order_id: string | null; line_id: string | null; step: string; attempt: number; last_error: string | null; updated_at: Date }

/** GET /admin/dead-letters, POST /admin/dead-letters/{runId}/replay */
export function registerDeadLetterRoutes(app: HubApp): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const after = decodeCursor(q.cursor);
    const rows = await c.get('em').getConnection().execute<Row[]>(
      `select r.id, r.workflow, l.mall_id, l.order_id, l.line_id, r.step, r.attempt, r.last_error, r.updated_at
       from workflow_run r left join order_line l on l.id = r.subject_id
       where r.status = 'dead' and (?::text is null or l.mall_id = ?) and (?::text is null or r.id < ?)
       order by r.id desc limit ?`,
      [q.mallId ?? null, q.mallId ?? null, after ?? null, after ?? null, q.limit + 1],
    );
    return c.json(toPage(rows, q.limit, (r) => ({
      runId: r.id, workflow: r.workflow, mallId: r.mall_id, orderId: r.order_id, lineId: r.line_id, step: r.step, attempts: r.attempt, lastError: r.last_error,
      diedAt: new Date(r.updated_at).toISOString(),
    })), 200);
  });

  app.openapi(replay, async (c) => {
    const deps = c.get('deps');
    const { runId } = c.req.valid('param');
    const em = c.get('em');
    const [run] = await em.getConnection().execute<{ status: string; wakes: number }[]>('select status, wakes from workflow_run where id = ?', [runId]);
    if (!run) throw notFound('workflow run');
    if (!(await replayRun(em, deps.clock, runId))) throw new AppError('conflict', `run is ${run.status}, not dead`);
    const { actor, requestId } = auditContext(c);
    recordAudit(em, deps.clock, { actor, action: 'workflow.replay', resourceType: 'workflow_run', resourceId: runId, before: { status: 'dead' }, after: { status: 'waiting' }, requestId });
    await em.flush();
    await runnerDeps({ ...deps }).schedule(runId, run.wakes + 1, 0);
    return c.json({ runId, status: 'waiting' as const }, 202);
  });
}
