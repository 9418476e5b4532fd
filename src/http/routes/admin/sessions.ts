import { createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from 'hono';
import { AppError, forbidden, unauthorized } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { type ApiCredential, ApiCredentialSchema } from '../../../persistence/entities/api-credential.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import type { HubEnv } from '../../context.ts';
import { documentedError, errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { staffSecurity, StaffRoleSchema, Timestamp } from '../../schemas.ts';

/*
 * Staff sessions: what the support console (/console) signs in with. A session is a short-lived
 * bearer credential of a staff token's role (HUB_CONSOLE_SESSION_MS, 8 h by default, never past
 * the token's own expiry), revocable at sign-out, and accepted wherever the token is. The console
 * keeps the session, never the staff token, in its cookie: a stolen cookie is worth hours, not the
 * token's lifetime, and signing out really ends it.
 */

export const StaffSession = z
  .object({
    sessionId: z.string().openapi({ description: 'The session id (`cred_…`)' }),
    tokenId: z.string().openapi({ description: 'The staff token it was made from (`bootstrap`: HUB_ADMIN_TOKEN); audit entries and assignments name this one' }),
    role: StaffRoleSchema,
    name: z.string().openapi({ description: 'The token’s name: who is signed in' }),
    expiresAt: Timestamp.openapi({ description: 'When it stops working' }),
    revokedAt: Timestamp.nullable().openapi({ description: 'When it was ended (null: still live)' }),
  })
  .openapi('StaffSession');
type StaffSession = z.infer<typeof StaffSession>;

const SESSION: StaffSession = {
  sessionId: 'cred_0196f0d4a8b27c3d9e0f1a2b3c4d5e6f',
  tokenId: 'cred_0196f0b2c4d57e8f9a0b1c2d3e4f5a6b',
  role: 'agent',
  name: '客服：王芳',
  expiresAt: '2026-12-01T09:30:00.000Z',
  revokedAt: null,
};

const view = (s: ApiCredential): StaffSession => ({
  sessionId: s.id,
  tokenId: s.createdBy as string,
  role: s.role as StaffSession['role'],
  name: s.name,
  expiresAt: (s.expiresAt as Date).toISOString(),
  revokedAt: s.revokedAt?.toISOString() ?? null,
});

const staff = { security: staffSecurity, middleware: [requireRole('agent', 'admin')], tags: ['Admin: sessions'] };

const notASession = documentedError(409, {
  description: 'The bearer is a staff token, not a session',
  examples: { token: { summary: 'A staff token', value: { error: { code: 'conflict', message: 'the bearer is a staff token, not a session: revoke a token with DELETE /admin/tokens/{tokenId}' } } } },
});

const create = createRoute({
  ...staff,
  method: 'post',
  path: '/admin/sessions',
  operationId: 'createStaffSession',
  summary: 'Start a session with a staff token (the console’s sign-in)',
  description:
    'Send the staff token (agent or admin) as the bearer; no body. Answers a session of the same role: a new bearer secret (`rh_sess_…`, shown once) that works until `expiresAt` (`HUB_CONSOLE_SESSION_MS`, 8 h by default, never past the token’s own expiry) or until it is ended with DELETE /admin/sessions/current, and that stops working when its token is revoked. A session cannot start another (403). Audited.',
  responses: {
    201: jsonResponse('Started: the session’s secret is shown this once', StaffSession.extend({ token: z.string().openapi({ description: 'The session’s bearer secret, shown once' }) }), {
      ...SESSION,
      token: 'rh_sess_Vb3kQ9xL2mN7pR4tW8yZ1cF6hJ0sD5gA-eU_iO3nM2q',
    }),
    403: documentedError(403, {
      description: 'The bearer is a session already',
      examples: { session: { summary: 'A session', value: { error: { code: 'forbidden', message: 'a session cannot start another session: sign in with a staff token' } } } },
    }),
  },
});

const current = createRoute({
  ...staff,
  method: 'get',
  path: '/admin/sessions/current',
  operationId: 'getCurrentStaffSession',
  summary: 'The session the request is made with: who is signed in, until when',
  description: 'What the console asks on every page: the role and name to show, and whether the session still works (401 once it has expired or been ended).',
  responses: { 200: jsonResponse('The session', StaffSession, SESSION), ...errorResponses(403), 409: notASession },
});

const end = createRoute({
  ...staff,
  method: 'delete',
  path: '/admin/sessions/current',
  operationId: 'endCurrentStaffSession',
  summary: 'End the session the request is made with (sign-out)',
  description: 'The session stops working at once on this process and within `HUB_AUTH_CACHE_MS` on the others; its staff token is untouched. Audited.',
  responses: { 200: jsonResponse('The session, ended', StaffSession, { ...SESSION, revokedAt: '2026-12-01T03:12:00.000Z' }), ...errorResponses(403), 409: notASession },
});

/** The credential the request was made with, which must be a session (409 for a staff token). */
async function sessionOf(c: Context<HubEnv>, em: EntityManager): Promise<ApiCredential> {
  const p = c.get('principal');
  if (p?.kind !== 'staff') throw unauthorized();
  const row = await em.findOne(ApiCredentialSchema, { id: p.sessionId ?? p.credentialId });
  if (!p.sessionId || row?.kind !== 'staff_session') throw new AppError('conflict', 'the bearer is a staff token, not a session: revoke a token with DELETE /admin/tokens/{tokenId}');
  return row;
}

/** POST /admin/sessions, GET and DELETE /admin/sessions/current */
export function registerSessionRoutes(app: HubApp): void {
  app.openapi(create, async (c) => {
    const deps = c.get('deps');
    const p = c.get('principal');
    if (p?.kind !== 'staff') throw unauthorized();
    if (p.sessionId) throw forbidden('a session cannot start another session: sign in with a staff token');
    const { actor, requestId } = auditContext(c);
    const issued = await c.get('em').transactional(async (em) => {
      const s = await deps.credentials.issueStaffSession(em, p, deps.config.consoleSessionMs);
      recordAudit(em, deps.clock, { actor, action: 'session.create', resourceType: 'staff_session', resourceId: s.credential.id, after: view(s.credential), requestId });
      return s;
    });
    return c.json({ ...view(issued.credential), token: issued.secret }, 201);
  });

  app.openapi(current, async (c) => {
    return c.json(view(await sessionOf(c, c.get('em'))), 200);
  });

  app.openapi(end, async (c) => {
    const deps = c.get('deps');
    const { actor, requestId } = auditContext(c);
    const ended = await c.get('em').transactional(async (em) => {
      const s = await deps.credentials.revokeStaffSession(em, (await sessionOf(c, em)).id);
      if (!s) throw unauthorized();
      recordAudit(em, deps.clock, { actor, action: 'session.end', resourceType: 'staff_session', resourceId: s.id, after: view(s), requestId });
      return s;
    });
    deps.credentials.invalidate();
    return c.json(view(ended), 200);
  });
}
