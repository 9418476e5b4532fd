import { createRoute } from '@hono/zod-openapi';
import { MallSchema } from '../../../persistence/entities/mall.ts';
import { mallView } from '../../../malls/mall-store.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { MALL_EXAMPLE, MallSchemaView, staffSecurity } from '../../schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/admin/malls',
  operationId: 'listMalls',
  tags: ['Admin: malls'],
  summary: 'List malls (agents and admins)',
  description: 'Every mall, oldest first, active and suspended alike.',
  security: staffSecurity,
  request: { query: PageQuery },
  responses: {
    200: jsonResponse('A page of malls', pageOf(MallSchemaView), {
      items: [
        MALL_EXAMPLE,
        { ...MALL_EXAMPLE, mallId: 'mall_0196b17e9a3c7d2e8f4a5b6c7d8e9f01', name: '星河航空里程商城', webhookUrl: 'https://miles.xinghe-air.example.cn/hub/events', pointsPerYuan: 50, catalogSelection: {} },
      ],
      nextCursor: null,
    }),
    ...errorResponses(400),
  },
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
