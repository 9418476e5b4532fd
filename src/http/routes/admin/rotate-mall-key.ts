import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../../../audit/audit-log.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { MALL_ID_EXAMPLE, MallIdParam, staffSecurity, Timestamp } from '../../schemas.ts';

const Body = z
  .object({
    graceSeconds: z.number().int().min(0).max(7 * 86_400).default(0).openapi({ description: 'How long the previous keys keep working (default 0: revoked now)' }),
  })
  .openapi('RotateMallKeyRequest');

export const RotateMallKeyResponse = z
  .object({
    mallId: z.string(),
    apiKey: z.string().openapi({ description: 'The new key (`rh_live_…`), shown once' }),
    previousKeysExpireAt: Timestamp.openapi({ description: 'When the earlier keys stop working (now, without a grace period)' }),
  })
  .openapi('RotateMallKeyResponse');

const route = createRoute({
  method: 'post',
  path: '/admin/malls/{mallId}/api-key/rotate',
  operationId: 'rotateMallApiKey',
  tags: ['Admin: malls'],
  summary: "Issue a new API key for a mall; its previous keys expire after the grace period",
  description: 'The new key is shown only in this answer. The earlier keys keep working for `graceSeconds` (0 to 7 days, default 0: they stop now), so the mall can switch without downtime. Audited.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: MallIdParam, body: jsonBody(Body, { graceSeconds: 86_400 }, { required: false }) },
  responses: {
    200: jsonResponse('The new key', RotateMallKeyResponse, { mallId: MALL_ID_EXAMPLE, apiKey: 'rh_live_Qm2xV8c_9pLkT4rZ1nWbY6dH3sJfE0aUoG7iC5vNyXw', previousKeysExpireAt: '2026-12-02T01:30:00.000Z' }),
    ...errorResponses(400, 403, 404),
  },
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
