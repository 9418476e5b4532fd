import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../../../audit/audit-log.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { MallIdParam, staffSecurity } from '../../schemas.ts';

export const RotateWebhookSecretResponse = z
  .object({
    mallId: z.string(),
    webhookSecret: z.string().openapi({ description: 'Shown once' }),
    previousSecretExpiresAt: z.string().openapi({ description: 'Until then deliveries carry signatures with both secrets' }),
  })
  .openapi('RotateWebhookSecretResponse');

const route = createRoute({
  method: 'post',
  path: '/admin/malls/{mallId}/webhook-secret/rotate',
  operationId: 'rotateMallWebhookSecret',
  tags: ['Admin: malls'],
  summary: "Rotate a mall's webhook signing secret (the old one keeps signing for 24 h)",
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: MallIdParam },
  responses: { 200: { description: 'New secret', content: { 'application/json': { schema: RotateWebhookSecretResponse } } }, ...errorResponses(401, 403, 404) },
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
