import { createRoute, z } from '@hono/zod-openapi';
import { checkAvailability } from '../../../catalog/availability.ts';
import { ruleOf } from '../../../domain/pricing.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { mallSecurity } from '../../schemas.ts';

const Body = z
  .object({
    items: z.array(z.object({ skuId: z.string().min(1).max(64), quantity: z.number().int().min(1).max(999) })).min(1).max(50),
    region: z.object({ province: z.string().min(1).max(50), city: z.string().min(1).max(50), district: z.string().min(1).max(50) }),
  })
  .openapi('AvailabilityRequest');

const Result = z
  .object({
    skuId: z.string(),
    available: z.boolean(),
    points: z.number().int(),
    cashFen: z.number().int(),
    source: z.string().optional().openapi({ description: 'Supplier that can fulfil it now' }),
    reason: z.enum(['unknown_sku', 'no_source_available']).optional(),
  })
  .openapi('Availability');

const route = createRoute({
  method: 'post',
  path: '/v1/catalog/availability',
  operationId: 'checkAvailability',
  tags: ['Catalog'],
  summary: 'Live price and stock for a region, from the suppliers (short cache, falls back across sources)',
  security: mallSecurity,
  request: { body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: { 200: { description: 'Per item', content: { 'application/json': { schema: z.object({ items: z.array(Result) }) } } }, ...errorResponses(400, 401, 415, 429) },
});

/** POST /v1/catalog/availability */
export function registerAvailability(app: HubApp): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const deps = c.get('deps');
    const mall = await deps.malls.get(c.get('em'), callerMallId(c));
    const items = await checkAvailability({ em: c.get('em'), connectors: deps.connectors, cache: deps.offerCache }, { id: mall.id, rule: ruleOf(mall) }, body.items, body.region);
    return c.json({ items }, 200);
  });
}
