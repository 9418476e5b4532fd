import { createRoute } from '@hono/zod-openapi';
import { mallView } from '../../../malls/mall-store.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { MallIdParam, MallSchemaView, staffSecurity } from '../../schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/admin/malls/{mallId}',
  operationId: 'getMall',
  tags: ['Admin: malls'],
  summary: 'Get one mall (agents and admins)',
  security: staffSecurity,
  request: { params: MallIdParam },
  responses: { 200: { description: 'The mall', content: { 'application/json': { schema: MallSchemaView } } }, ...errorResponses(401, 404) },
});

/** GET /admin/malls/{mallId} */
export function registerGetMall(app: HubApp): void {
  app.openapi(route, async (c) => {
    const mall = await c.get('deps').malls.get(c.get('em'), c.req.valid('param').mallId);
    return c.json(mallView(mall), 200);
  });
}
