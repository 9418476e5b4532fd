import { createRoute } from '@hono/zod-openapi';
import { mallView } from '../../../malls/mall-store.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { mallSecurity, MallSchemaView } from '../../schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/mall',
  operationId: 'getOwnMall',
  tags: ['Mall'],
  summary: "The calling mall's own settings (points rate, rate limit, webhook endpoint)",
  security: mallSecurity,
  responses: { 200: { description: 'The mall', content: { 'application/json': { schema: MallSchemaView } } }, ...errorResponses(401, 429) },
});

/** GET /v1/mall */
export function registerGetOwnMall(app: HubApp): void {
  app.openapi(route, async (c) => {
    return c.json(mallView(await c.get('deps').malls.get(c.get('em'), callerMallId(c))), 200);
  });
}
