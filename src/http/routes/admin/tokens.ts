import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { type ApiCredential, ApiCredentialSchema } from '../../../persistence/entities/api-credential.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { staffSecurity } from '../../schemas.ts';

export const StaffToken = z
  .object({
    tokenId: z.string(),
    role: z.enum(['agent', 'admin']),
    name: z.string(),
    displayPrefix: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('StaffToken');

const view = (t: ApiCredential): z.infer<typeof StaffToken> => ({
  tokenId: t.id,
  role: t.role as 'agent' | 'admin',
  name: t.name,
  displayPrefix: t.displayPrefix,
  createdBy: t.createdBy ?? null,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

const CreateBody = z
  .object({
    role: z.enum(['agent', 'admin']),
    name: z.string().trim().min(1).max(200).openapi({ example: 'support: 王芳' }),
    expiresAt: z.string().datetime().optional(),
  })
  .openapi('CreateStaffTokenRequest');

const TokenIdParam = z.object({ tokenId: z.string().min(1).max(64).openapi({ param: { name: 'tokenId', in: 'path' } }) });
const adminOnly = { security: staffSecurity, middleware: [requireRole('admin')], tags: ['Admin: tokens'] };

const create = createRoute({
  ...adminOnly,
  method: 'post',
  path: '/admin/tokens',
  operationId: 'createStaffToken',
  summary: 'Create an agent or admin token (shown once)',
  request: { body: { required: true, content: { 'application/json': { schema: CreateBody } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: StaffToken.extend({ token: z.string().openapi({ description: 'Shown once' }) }) } } },
    ...errorResponses(400, 401, 403, 415),
  },
});

const list = createRoute({
  ...adminOnly,
  method: 'get',
  path: '/admin/tokens',
  operationId: 'listStaffTokens',
  summary: 'List staff tokens (never their secrets)',
  request: { query: PageQuery },
  responses: { 200: { description: 'A page of tokens', content: { 'application/json': { schema: pageOf(StaffToken) } } }, ...errorResponses(400, 401, 403) },
});

const revoke = createRoute({
  ...adminOnly,
  method: 'delete',
  path: '/admin/tokens/{tokenId}',
  operationId: 'revokeStaffToken',
  summary: 'Revoke a staff token',
  request: { params: TokenIdParam },
  responses: { 200: { description: 'Revoked', content: { 'application/json': { schema: StaffToken } } }, ...errorResponses(401, 403, 404) },
});

/** POST/GET /admin/tokens, DELETE /admin/tokens/{tokenId} */
export function registerTokenRoutes(app: HubApp): void {
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const deps = c.get('deps');
    const { actor, requestId } = auditContext(c);
    const r = await c.get('em').transactional(async (em) => {
      const issued = deps.credentials.issueStaffToken(em, body.role, body.name, actor.actorId, body.expiresAt ? new Date(body.expiresAt) : undefined);
      recordAudit(em, deps.clock, { actor, action: 'token.create', resourceType: 'staff_token', resourceId: issued.credential.id, after: view(issued.credential), requestId });
      return issued;
    });
    return c.json({ ...view(r.credential), token: r.secret }, 201);
  });

  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = decodeCursor(cursor);
    const rows = await c.get('em').find(ApiCredentialSchema, { kind: 'staff_token', ...(after ? { id: { $gt: after } } : {}) }, { orderBy: { id: 'asc' }, limit: limit + 1 });
    return c.json(toPage(rows, limit, view), 200);
  });

  app.openapi(revoke, async (c) => {
    const deps = c.get('deps');
    const { tokenId } = c.req.valid('param');
    const { actor, requestId } = auditContext(c);
    const token = await c.get('em').transactional(async (em) => {
      const t = await em.findOne(ApiCredentialSchema, { id: tokenId, kind: 'staff_token' });
      if (!t) throw notFound('token');
      const before = view(t);
      t.revokedAt ??= deps.clock.now();
      recordAudit(em, deps.clock, { actor, action: 'token.revoke', resourceType: 'staff_token', resourceId: t.id, before, after: view(t), requestId });
      return t;
    });
    deps.credentials.invalidate();
    return c.json(view(token), 200);
  });
}
