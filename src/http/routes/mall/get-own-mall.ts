import { createRoute } from '@hono/zod-openapi';
import { mallView } from '../../../malls/mall-store.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { MALL_EXAMPLE, mallSecurity, MallSchemaView } from '../../schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/mall',
  operationId: 'getOwnMall',
  tags: ['Mall'],
  summary: "The calling mall's own settings (points rate, rate limit, webhook endpoint)",
  description:
    'The mall the API key belongs to: its points rate, the pricing rule in force (defaults with its overrides), its catalog selection, rate limit and webhook endpoint. `webhookEnabled` turns `false` when the endpoint answered 410 Gone; `pricingStatus.state` is `repricing` while a worker applies a change to the catalog.',
  security: mallSecurity,
  responses: { 200: jsonResponse('The mall', MallSchemaView, MALL_EXAMPLE) },
});

/** GET /v1/mall */
export function registerGetOwnMall(app: HubApp): void {
  app.openapi(route, async (c) => {
    return c.json(mallView(await c.get('deps').malls.get(c.get('em'), callerMallId(c))), 200);
  });
}
