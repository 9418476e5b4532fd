import { createRoute } from '@hono/zod-openapi';
import { mallView } from '../../../malls/mall-store.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { MALL_EXAMPLE, MallIdParam, MallSchemaView, staffSecurity } from '../../schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/admin/malls/{mallId}',
  operationId: 'getMall',
  tags: ['Admin: malls'],
  summary: 'Get one mall (agents and admins)',
  description: 'The mall as it sees itself with GET /v1/mall: settings, pricing rule in force, repricing state. Never its keys or webhook secret.',
  security: staffSecurity,
  request: { params: MallIdParam },
  responses: { 200: jsonResponse('The mall', MallSchemaView, MALL_EXAMPLE), ...errorResponses(404) },
});

/** GET /admin/malls/{mallId} */
export function registerGetMall(app: HubApp): void {
  app.openapi(route, async (c) => {
    const mall = await c.get('deps').malls.get(c.get('em'), c.req.valid('param').mallId);
    return c.json(mallView(mall), 200);
  });
}
