import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../../../audit/audit-log.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { MALL_ID_EXAMPLE, MallIdParam, staffSecurity, Timestamp } from '../../schemas.ts';

export const RotateWebhookSecretResponse = z
  .object({
    mallId: z.string(),
    webhookSecret: z.string().openapi({ description: 'The new Standard Webhooks secret (`whsec_…`), shown once' }),
    previousSecretExpiresAt: Timestamp.openapi({ description: 'Until then deliveries carry signatures with both secrets' }),
  })
  .openapi('RotateWebhookSecretResponse');

const route = createRoute({
  method: 'post',
  path: '/admin/malls/{mallId}/webhook-secret/rotate',
  operationId: 'rotateMallWebhookSecret',
  tags: ['Admin: malls'],
  summary: "Rotate a mall's webhook signing secret (the old one keeps signing for 24 h)",
  description:
    'Until `previousSecretExpiresAt` (`HUB_WEBHOOK_SECRET_OVERLAP_MS`, 24 h) every delivery is signed with both secrets, the new one first, so the mall switches its endpoint within that window. A second rotation inside the window replaces the secret being rotated out. Audited.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: MallIdParam },
  responses: {
    200: jsonResponse('The new secret', RotateWebhookSecretResponse, { mallId: MALL_ID_EXAMPLE, webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0zMi1ieXRlcyEh', previousSecretExpiresAt: '2026-12-02T01:30:00.000Z' }),
    ...errorResponses(403, 404),
  },
});

/** POST /admin/malls/{mallId}/webhook-secret/rotate */
export function registerRotateWebhookSecret(app: HubApp): void {
  app.openapi(route, async (c) => {
    const deps = c.get('deps');
    const { mallId } = c.req.valid('param');
    const { actor, requestId } = auditContext(c);
    const r = await c.get('em').transactional(async (em) => {
      const out = await deps.malls.rotateWebhookSecret(em, mallId);
      recordAudit(em, deps.clock, { actor, action: 'mall.webhook_secret.rotate', resourceType: 'mall', resourceId: mallId, mallId, after: { previousSecretExpiresAt: out.previousSecretExpiresAt }, requestId });
      return out;
    });
    return c.json({ mallId, webhookSecret: r.webhookSecret, previousSecretExpiresAt: r.previousSecretExpiresAt.toISOString() }, 200);
  });
}
