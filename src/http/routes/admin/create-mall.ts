import { createRoute, z } from '@hono/zod-openapi';
import { validationFailed } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { mallView } from '../../../malls/mall-store.ts';
import { checkWebhookUrl } from '../../../security/webhook-url.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { CatalogSelectionSchema, MALL_EXAMPLE, MallSchemaView, PricingOverrides, staffSecurity } from '../../schemas.ts';
import { checkSelection } from '../../catalog-settings.ts';
import { requestReprice } from '../../../catalog/request-reprice.ts';

const Body = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: '招行积分商城' }),
    webhookUrl: z.string().url().max(2000).openapi({ description: '`http` or `https`, no credentials; outside sandbox mode not a loopback, private, link-local or metadata address', example: 'https://jf.mall-example.cn/hub-events' }),
    pointsPerYuan: z.number().int().min(1).max(1_000_000).optional().openapi({ description: 'Points per yuan (default 100)' }),
    rateLimit: z.object({ perSec: z.number().int().min(1).max(100_000), burst: z.number().int().min(1).max(200_000) }).optional().openapi({ description: 'Token bucket (default 200/s, burst 400)' }),
    pricing: PricingOverrides.optional(),
    catalogSelection: CatalogSelectionSchema.optional(),
  })
  .openapi('CreateMallRequest');

export const CreateMallResponse = z
  .object({
    mallId: z.string(),
    apiKey: z.string().openapi({ description: 'The mall API key (`rh_live_…`), shown once: store it now' }),
    webhookSecret: z.string().openapi({ description: 'Standard Webhooks secret (`whsec_…`), shown once' }),
    mall: MallSchemaView,
  })
  .openapi('CreateMallResponse');
export type CreateMallResponse = z.infer<typeof CreateMallResponse>;

const route = createRoute({
  method: 'post',
  path: '/admin/malls',
  operationId: 'createMall',
  tags: ['Admin: malls'],
  summary: 'Create a mall (tenant); returns its API key and webhook secret once',
  description:
    'Creates the mall with its first API key and webhook signing secret, both shown only in this answer (the hub keeps an HMAC of the key and the secret encrypted). A worker then prices the catalog for it: until `pricingStatus.state` is `current` the mall sees no items. A refused `webhookUrl` is 400 with the field code `webhook_url_refused`.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: {
    body: jsonBody(Body, {
      name: '招行积分商城',
      webhookUrl: 'https://jf.mall-example.cn/hub-events',
      pointsPerYuan: 100,
      rateLimit: { perSec: 200, burst: 400 },
      catalogSelection: { kinds: ['physical', 'virtual'], categories: ['large-appliance', 'phones'] },
    }),
  },
  responses: {
    201: jsonResponse('Created: the key and secret are shown this once', CreateMallResponse, {
      mallId: MALL_EXAMPLE.mallId,
      apiKey: 'rh_live_76t3Ci-1aogjZKkKl3Aj6HRthIHJ_NFEVwQNBvcTJmY',
      webhookSecret: 'whsec_A39Zk0a9KNo5WxKvE6S4FCwXAw3MFmU0QL0QTS5fhU8=',
      mall: { ...MALL_EXAMPLE, pricingStatus: { version: 1, pricedVersion: 0, state: 'repricing' }, updatedAt: MALL_EXAMPLE.createdAt },
    }),
    ...errorResponses(400, 403),
  },
});

/** POST /admin/malls */
export function registerCreateMall(app: HubApp): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const deps = c.get('deps');
    const verdict = await checkWebhookUrl(body.webhookUrl, { allowPrivate: deps.config.sandbox });
    if (!verdict.ok) throw validationFailed([{ path: 'body.webhookUrl', message: verdict.reason, code: 'webhook_url_refused' }]);
    const { actor, requestId } = auditContext(c);
    const created = await c.get('em').transactional(async (em) => {
      const r = deps.malls.create(
        em,
        {
          name: body.name, webhookUrl: body.webhookUrl, pointsPerYuan: body.pointsPerYuan, rateLimitPerSec: body.rateLimit?.perSec, rateLimitBurst: body.rateLimit?.burst,
          pricing: body.pricing, catalogSelection: checkSelection(body.catalogSelection),
        },
        actor.actorId,
      );
      recordAudit(em, deps.clock, { actor, action: 'mall.create', resourceType: 'mall', resourceId: r.mall.id, mallId: r.mall.id, after: mallView(r.mall), requestId });
      return r;
    });
    // A new mall sees no catalog until it is priced: a worker does it now.
    await requestReprice(deps, created.mall.id);
    return c.json({ mallId: created.mall.id, apiKey: created.apiKey, webhookSecret: created.webhookSecret, mall: mallView(created.mall) }, 201);
  });
}
