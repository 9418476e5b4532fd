import { createRoute, z } from '@hono/zod-openapi';
import { validationFailed } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { applyCatalogSettings, mallView } from '../../../malls/mall-store.ts';
import { requestReprice } from '../../../catalog/request-reprice.ts';
import { checkSelection } from '../../catalog-settings.ts';
import { checkWebhookUrl } from '../../../security/webhook-url.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { CatalogSelectionSchema, MALL_EXAMPLE, MallIdParam, MallSchemaView, MallStatusSchema, PricingOverrides, staffSecurity } from '../../schemas.ts';

const Body = z
  .object({
    name: z.string().trim().min(1).max(200),
    webhookUrl: z.string().url().max(2000),
    webhookEnabled: z.boolean().openapi({ description: 'Re-enable an endpoint disabled by a 410 answer' }),
    pointsPerYuan: z.number().int().min(1).max(1_000_000),
    status: MallStatusSchema,
    rateLimit: z.object({ perSec: z.number().int().min(1).max(100_000), burst: z.number().int().min(1).max(200_000) }).openapi({ description: 'Token bucket: `burst` requests, refilled at `perSec`' }),
    pricing: PricingOverrides.openapi({ description: 'Replaces the overrides; {} returns to the default rule' }),
    catalogSelection: CatalogSelectionSchema.openapi({ description: 'Replaces the selection; {} sells the whole catalog' }),
  })
  .partial()
  .strict()
  .openapi('UpdateMallRequest');

const route = createRoute({
  method: 'patch',
  path: '/admin/malls/{mallId}',
  operationId: 'updateMall',
  tags: ['Admin: malls'],
  summary: "Change a mall's settings",
  description:
    'Changes the fields given and keeps the others; `pricing` and `catalogSelection` replace the stored ones. Suspending a mall refuses its keys within `HUB_AUTH_CACHE_MS`. A change of points rate, pricing or selection reprices the catalog (`pricingStatus.state` is `repricing` until done). Audited.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: MallIdParam, body: jsonBody(Body, { pointsPerYuan: 120, rateLimit: { perSec: 300, burst: 600 } }) },
  responses: {
    200: jsonResponse('The mall with its new settings', MallSchemaView, {
      ...MALL_EXAMPLE,
      pointsPerYuan: 120,
      rateLimit: { perSec: 300, burst: 600 },
      pricingStatus: { version: 4, pricedVersion: 3, state: 'repricing' },
      updatedAt: '2026-12-01T01:30:00.000Z',
    }),
    ...errorResponses(400, 403, 404),
  },
});

/** PATCH /admin/malls/{mallId} */
export function registerUpdateMall(app: HubApp): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const deps = c.get('deps');
    if (body.webhookUrl) {
      const verdict = await checkWebhookUrl(body.webhookUrl, { allowPrivate: deps.config.sandbox });
      if (!verdict.ok) throw validationFailed([{ path: 'body.webhookUrl', message: verdict.reason, code: 'webhook_url_refused' }]);
    }
    const { actor, requestId } = auditContext(c);
    let repriced = false;
    const mall = await c.get('em').transactional(async (em) => {
      const m = await deps.malls.get(em, c.req.valid('param').mallId);
      const before = mallView(m);
      if (body.name !== undefined) m.name = body.name;
      if (body.webhookUrl !== undefined) m.webhookUrl = body.webhookUrl;
      repriced = applyCatalogSettings(m, { pointsPerYuan: body.pointsPerYuan, pricing: body.pricing, catalogSelection: checkSelection(body.catalogSelection) });
      if (body.status !== undefined) m.status = body.status;
      if (body.rateLimit) {
        m.rateLimitPerSec = body.rateLimit.perSec;
        m.rateLimitBurst = body.rateLimit.burst;
      }
      if (body.webhookEnabled !== undefined) {
        m.webhookEnabled = body.webhookEnabled;
        if (body.webhookEnabled) m.webhookDisabledReason = null;
      }
      m.updatedAt = deps.clock.now();
      recordAudit(em, deps.clock, { actor, action: 'mall.update', resourceType: 'mall', resourceId: m.id, mallId: m.id, before, after: mallView(m), requestId });
      return m;
    });
    deps.credentials.invalidate();
    if (repriced) await requestReprice(deps, mall.id);
    return c.json(mallView(mall), 200);
  });
}
