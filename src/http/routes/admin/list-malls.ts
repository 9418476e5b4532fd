import { createRoute } from '@hono/zod-openapi';
import { MallSchema } from '../../../persistence/entities/mall.ts';
import { mallView } from '../../../malls/mall-store.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { MallSchemaView, staffSecurity } from '../../schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/admin/malls',
  operationId: 'listMalls',
  tags: ['Admin: malls'],
  summary: 'List malls (agents and admins)',
  security: staffSecurity,
  request: { query: PageQuery },
  responses: { 200: { description: 'A page of malls', content: { 'application/json': { schema: pageOf(MallSchemaView) } } }, ...errorResponses(400, 401) },
});

/** GET /admin/malls */
export function registerListMalls(app: HubApp): void {
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = decodeCursor(cursor);
    const rows = await c.get('em').find(MallSchema, after ? { id: { $gt: after } } : {}, { orderBy: { id: 'asc' }, limit: limit + 1 });
    return c.json(toPage(rows, limit, mallView), 200);
  });
}
