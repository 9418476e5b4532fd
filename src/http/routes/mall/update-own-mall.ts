import { createRoute, z } from '@hono/zod-openapi';
import { requestReprice } from '../../../catalog/request-reprice.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { applyCatalogSettings, mallView } from '../../../malls/mall-store.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { callerMallId } from '../../caller.ts';
import { checkSelection } from '../../catalog-settings.ts';
import { errorResponses } from '../../errors.ts';
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { CatalogSelectionSchema, MALL_EXAMPLE, MallSchemaView, mallSecurity, PricingOverrides } from '../../schemas.ts';

const Body = z
  .object({
    pricing: PricingOverrides.openapi({ description: 'Replaces the overrides; {} returns to the default rule' }),
    catalogSelection: CatalogSelectionSchema.openapi({ description: 'Replaces the selection; {} sells the whole catalog' }),
  })
  .partial()
  .strict()
  .openapi('UpdateOwnMallRequest');

const route = createRoute({
  method: 'patch',
  path: '/v1/mall',
  operationId: 'updateOwnMall',
  tags: ['Mall'],
  summary: "Change the calling mall's pricing overrides and catalog selection",
  description:
    'Each of `pricing` and `catalogSelection` given replaces the stored one (`{}` returns to the default rule, or to the whole catalog); one left out is kept. An unknown field or category is 400. Prices follow within seconds: `pricingStatus.state` is `repricing` until a worker has applied the change to the whole catalog, then `current`.',
  security: mallSecurity,
  request: { body: jsonBody(Body, { pricing: { markupBp: 1200, step: 10 }, catalogSelection: { kinds: ['physical', 'virtual'], categories: ['large-appliance', 'phones'], pointsMax: 500_000 } }) },
  responses: {
    200: jsonResponse('The mall with its new settings', MallSchemaView, {
      ...MALL_EXAMPLE,
      pricing: { ...MALL_EXAMPLE.pricing, markupBp: 1200 },
      catalogSelection: { kinds: ['physical', 'virtual'], categories: ['large-appliance', 'phones'], pointsMax: 500_000 },
      pricingStatus: { version: 4, pricedVersion: 3, state: 'repricing' },
      updatedAt: '2026-12-01T01:30:00.000Z',
    }),
    ...errorResponses(400),
  },
});

/** PATCH /v1/mall */
export function registerUpdateOwnMall(app: HubApp): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const deps = c.get('deps');
    const mallId = callerMallId(c);
    const selection = checkSelection(body.catalogSelection);
    let repriced = false;
    const mall = await c.get('em').transactional(async (em) => {
      const m = await deps.malls.get(em, mallId);
      const before = mallView(m);
      repriced = applyCatalogSettings(m, { pricing: body.pricing, catalogSelection: selection });
      if (repriced) {
        m.updatedAt = deps.clock.now();
        const { actor, requestId } = auditContext(c);
        recordAudit(em, deps.clock, { actor, action: 'mall.catalog_settings', resourceType: 'mall', resourceId: mallId, mallId, before, after: mallView(m), requestId });
      }
      return m;
    });
    if (repriced) await requestReprice(deps, mallId);
    return c.json(mallView(mall), 200);
  });
}
