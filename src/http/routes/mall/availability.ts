import { createRoute, z } from '@hono/zod-openapi';
import { checkAvailability } from '../../../catalog/availability.ts';
import { ruleOf } from '../../../domain/pricing.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { jsonBody, jsonResponse } from '../../openapi-conventions.ts';
import { mallSecurity } from '../../schemas.ts';

const Body = z
  .object({
    items: z.array(z.object({ skuId: z.string().min(1).max(64), quantity: z.number().int().min(1).max(999) })).min(1).max(50).openapi({ description: '1 to 50 items, each with the quantity wanted (1 to 999)' }),
    region: z
      .object({ province: z.string().min(1).max(50), city: z.string().min(1).max(50), district: z.string().min(1).max(50) })
      .openapi({ description: 'Where the goods would go: province, city and district by name' }),
  })
  .openapi('AvailabilityRequest');

const Result = z
  .object({
    skuId: z.string(),
    available: z.boolean(),
    points: z.number().int().optional().openapi({ description: 'Price of one unit in points: from the live cost when available, else the listed price; absent for an `unknown_sku`' }),
    cashFen: z.number().int().optional().openapi({ description: 'Cash part of the price of one unit, in fen; absent for an `unknown_sku`' }),
    source: z.string().optional().openapi({ description: 'Supplier that can fulfil it now (when available)' }),
    reason: z.enum(['unknown_sku', 'no_source_available']).optional().openapi({ description: 'Why not (when not available): not in this mall’s catalog, or no source has the quantity for the region' }),
  })
  .openapi('Availability');

const FRIDGE = 'sku_fc6000a2826e48e5a1eb7ea27e3904f4';
const PHONE = 'sku_eac4a673d9cc4aa58e4410c8fdf51141';

const route = createRoute({
  method: 'post',
  path: '/v1/catalog/availability',
  operationId: 'checkAvailability',
  tags: ['Catalog'],
  summary: 'Live price and stock for a region, from the suppliers (short cache, falls back across sources)',
  description:
    'For each item its sources are asked, cheapest synced cost first, for the region; the first that has the quantity decides, and the price is computed from its live cost (it can differ from the listed one). A source that fails to answer is skipped. An item this mall does not sell (unknown, or outside its selection) is answered `available: false` with `reason: unknown_sku` and no price; the other items are answered as usual. Answers are cached per supplier, SKU and region for 30 s. Order intake checks the listed price, not this one.',
  security: mallSecurity,
  request: { body: jsonBody(Body, { items: [{ skuId: FRIDGE, quantity: 1 }, { skuId: PHONE, quantity: 2 }], region: { province: '广东省', city: '深圳市', district: '南山区' } }) },
  responses: {
    200: jsonResponse('One answer per item, in the order asked', z.object({ items: z.array(Result) }), {
      items: [
        { skuId: FRIDGE, available: true, points: 117_730, cashFen: 0, source: 'jd' },
        { skuId: PHONE, available: false, points: 194_860, cashFen: 0, reason: 'no_source_available' },
        { skuId: 'sku_00000000000000000000000000000000', available: false, reason: 'unknown_sku' },
      ],
    }),
    ...errorResponses(400),
  },
});

/** POST /v1/catalog/availability */
export function registerAvailability(app: HubApp): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const deps = c.get('deps');
    const mall = await deps.malls.get(c.get('em'), callerMallId(c));
    const answers = await checkAvailability({ em: c.get('em'), connectors: deps.connectors, cache: deps.offerCache }, { id: mall.id, rule: ruleOf(mall) }, body.items, body.region);
    // An item the mall does not sell has no price to show (not a price of 0); the others of the
    // request are answered all the same, so one unknown SKU in a cart is not an error of the cart.
    const items = answers.map((a) => (a.reason === 'unknown_sku' ? { skuId: a.skuId, available: false, reason: a.reason } : a));
    return c.json({ items }, 200);
  });
}
