import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { type ApiCredential, ApiCredentialSchema } from '../../../persistence/entities/api-credential.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { pathParam, staffSecurity, StaffRoleSchema, Timestamp } from '../../schemas.ts';

export const StaffToken = z
  .object({
    tokenId: z.string(),
    role: StaffRoleSchema,
    name: z.string().openapi({ description: 'Who or what it is for' }),
    displayPrefix: z.string().openapi({ description: 'The first characters of the token, to tell tokens apart (never enough to use)' }),
    createdBy: z.string().nullable().openapi({ description: 'The token id of the admin who created it (`bootstrap`: HUB_ADMIN_TOKEN)' }),
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable().openapi({ description: 'When it stops working (null: never)' }),
    revokedAt: Timestamp.nullable().openapi({ description: 'When it was revoked (null: not revoked)' }),
  })
  .openapi('StaffToken');
type StaffToken = z.infer<typeof StaffToken>;

const AGENT: StaffToken = {
  tokenId: 'cred_0196f0b2c4d57e8f9a0b1c2d3e4f5a6b',
  role: 'agent',
  name: '客服：王芳',
  displayPrefix: 'rh_staff_kT4r…',
  createdBy: 'bootstrap',
  createdAt: '2026-11-23T02:10:00.000Z',
  expiresAt: '2027-06-30T16:00:00.000Z',
  revokedAt: null,
};

const view = (t: ApiCredential): StaffToken => ({
  tokenId: t.id,
  role: t.role as StaffToken['role'],
  name: t.name,
  displayPrefix: t.displayPrefix,
  createdBy: t.createdBy ?? null,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

const CreateBody = z
  .object({
    role: StaffRoleSchema,
    name: z.string().trim().min(1).max(200).openapi({ description: 'Who or what it is for', example: '客服：王芳' }),
    expiresAt: z.iso.datetime().optional().openapi({ description: 'When it stops working (default: never)', example: '2027-06-30T16:00:00.000Z' }),
  })
  .openapi('CreateStaffTokenRequest');

const TokenIdParam = z.object({ tokenId: pathParam('tokenId', z.string().min(1).max(64), 'The token id (`cred_…`), as listed', AGENT.tokenId) });
const adminOnly = { security: staffSecurity, middleware: [requireRole('admin')], tags: ['Admin: tokens'] };

const create = createRoute({
  ...adminOnly,
  method: 'post',
  path: '/admin/tokens',
  operationId: 'createStaffToken',
  summary: 'Create an agent or admin token (shown once)',
  description: 'The token (`rh_staff_…`) is shown only in this answer; the hub keeps an HMAC of it. Audited.',
  request: { body: jsonBody(CreateBody, { role: 'agent', name: '客服：王芳', expiresAt: '2027-06-30T16:00:00.000Z' }) },
  responses: {
    201: jsonResponse('Created: the token is shown this once', StaffToken.extend({ token: z.string().openapi({ description: 'The bearer token, shown once' }) }), {
      ...AGENT,
      token: 'rh_staff_kT4rZ1nWbY6dH3sJfE0aUoG7iC5vNyXwQm2xV8c_9pL',
    }),
    ...errorResponses(400, 403),
  },
});

const list = createRoute({
  ...adminOnly,
  method: 'get',
  path: '/admin/tokens',
  operationId: 'listStaffTokens',
  summary: 'List staff tokens (never their secrets)',
  description: 'Every staff token, oldest first, revoked and expired ones included. HUB_ADMIN_TOKEN is not listed.',
  request: { query: PageQuery },
  responses: {
    200: jsonResponse('A page of tokens', pageOf(StaffToken), {
      items: [AGENT, { ...AGENT, tokenId: 'cred_0196f0b3d5e67f809a1b2c3d4e5f6a7b', role: 'admin', name: '运营：李强', displayPrefix: 'rh_staff_9pLk…', expiresAt: null, revokedAt: '2026-11-30T09:00:00.000Z' }],
      nextCursor: null,
    }),
    ...errorResponses(400, 403),
  },
});

const revoke = createRoute({
  ...adminOnly,
  method: 'delete',
  path: '/admin/tokens/{tokenId}',
  operationId: 'revokeStaffToken',
  summary: 'Revoke a staff token',
  description: 'The token stops working at once on this process and within `HUB_AUTH_CACHE_MS` on the others. Revoking a revoked token changes nothing. Audited.',
  request: { params: TokenIdParam },
  responses: { 200: jsonResponse('The token, revoked', StaffToken, { ...AGENT, revokedAt: '2026-12-01T01:30:00.000Z' }), ...errorResponses(403, 404) },
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
