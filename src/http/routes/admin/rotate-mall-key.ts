import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../../../audit/audit-log.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { MallIdParam, staffSecurity } from '../../schemas.ts';

const Body = z
  .object({
    graceSeconds: z.number().int().min(0).max(7 * 86_400).default(0).openapi({ description: 'How long the previous keys keep working (default 0: revoked now)' }),
  })
  .openapi('RotateMallKeyRequest');

export const RotateMallKeyResponse = z
  .object({ mallId: z.string(), apiKey: z.string().openapi({ description: 'Shown once' }), previousKeysExpireAt: z.string() })
  .openapi('RotateMallKeyResponse');

const route = createRoute({
  method: 'post',
  path: '/admin/malls/{mallId}/api-key/rotate',
  operationId: 'rotateMallApiKey',
  tags: ['Admin: malls'],
  summary: "Issue a new API key for a mall; its previous keys expire after the grace period",
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: MallIdParam, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: { description: 'New key', content: { 'application/json': { schema: RotateMallKeyResponse } } }, ...errorResponses(400, 401, 403, 404) },
});

/** POST /admin/malls/{mallId}/api-key/rotate */
export function registerRotateMallKey(app: HubApp): void {
  app.openapi(route, async (c) => {
    const deps = c.get('deps');
    const { mallId } = c.req.valid('param');
    const { graceSeconds } = c.req.valid('json') ?? { graceSeconds: 0 };
    const { actor, requestId } = auditContext(c);
    const r = await c.get('em').transactional(async (em) => {
      const out = await deps.malls.rotateKey(em, mallId, (graceSeconds ?? 0) * 1000, actor.actorId);
      recordAudit(em, deps.clock, { actor, action: 'mall.api_key.rotate', resourceType: 'mall', resourceId: mallId, mallId, after: { previousKeysExpireAt: out.previousKeysExpireAt }, requestId });
      return out;
    });
    deps.credentials.invalidate();
    return c.json({ mallId, apiKey: r.apiKey, previousKeysExpireAt: r.previousKeysExpireAt.toISOString() }, 200);
  });
}
