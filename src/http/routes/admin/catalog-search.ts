import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../../../audit/audit-log.ts';
import { requestSearchRebuild, searchIndexStatus } from '../../../catalog/search-index-store.ts';
import { notFound } from '../../../domain/errors.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { pathParam, staffSecurity } from '../../schemas.ts';

const MallIndex = z
  .object({
    mallId: z.string(),
    state: z.enum(['building', 'ready']).openapi({ description: '`ready`: searches read the index; `building`: it is being built or rebuilt and searches use the slower SQL path' }),
    pending: z.number().int().openapi({ description: 'Changes of this mall not yet in the index' }),
    items: z.number().int().openapi({ description: 'Items in the index' }),
  })
  .openapi('MallSearchIndex');

const status = createRoute({
  method: 'get',
  path: '/admin/catalog/search',
  operationId: 'getCatalogSearchIndex',
  tags: ['Admin: catalog'],
  summary: "The search index's freshness: changes waiting, the oldest one's age, and each active mall's state",
  description:
    'Every change of a price, stock status, selection or listing is queued in the writer\'s transaction and indexed by the workers within `HUB_SEARCH_INDEX_EVERY_MS`; `lagSeconds` is how stale a search can be right now. The same figures are on /metrics (`hub_search_index_*`).',
  security: staffSecurity,
  responses: {
    200: jsonResponse(
      'The index',
      z.object({
        pending: z.number().int().openapi({ description: 'Changes not yet in the index, all malls' }),
        lagSeconds: z.number().openapi({ description: 'Age of the oldest of them (0 when none)' }),
        malls: z.array(MallIndex),
      }),
      { pending: 12, lagSeconds: 0.41, malls: [{ mallId: 'mall_7Yc2kPq9', state: 'ready', pending: 12, items: 600_294 }] },
    ),
  },
});

const rebuild = createRoute({
  method: 'post',
  path: '/admin/catalog/search/{mallId}/rebuild',
  operationId: 'rebuildCatalogSearchIndex',
  tags: ['Admin: catalog'],
  summary: "Rebuild a mall's search index from its prices",
  description:
    "The index is derived from PostgreSQL and can be rebuilt at any time: the mall's searches use the SQL path until the workers have rebuilt it (about a minute per 600 000 items), then the index again. Workers also find a lost index by themselves (every `HUB_SEARCH_CHECK_EVERY_MS`). Audited.",
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: z.object({ mallId: pathParam('mallId', z.string().min(1).max(64), 'The mall', 'mall_7Yc2kPq9') }) },
  responses: {
    202: jsonResponse('Queued: follow it with GET /admin/catalog/search', z.object({ mallId: z.string(), state: z.literal('building') }), { mallId: 'mall_7Yc2kPq9', state: 'building' }),
    ...errorResponses(400, 403, 404),
  },
});

/** GET /admin/catalog/search, POST /admin/catalog/search/{mallId}/rebuild */
export function registerCatalogSearchRoutes(app: HubApp): void {
  app.openapi(status, async (c) => c.json(await searchIndexStatus(c.get('em')), 200));

  app.openapi(rebuild, async (c) => {
    const deps = c.get('deps');
    const { mallId } = c.req.valid('param');
    const em = c.get('em');
    if (!(await requestSearchRebuild(em, mallId))) throw notFound('mall');
    const { actor, requestId } = auditContext(c);
    recordAudit(em, deps.clock, { actor, action: 'catalog.search.rebuild', resourceType: 'mall', resourceId: mallId, requestId });
    await em.flush();
    return c.json({ mallId, state: 'building' as const }, 202);
  });
}
