import { createRoute, z } from '@hono/zod-openapi';
import { itemWithOffers } from '../../../catalog/catalog-store.ts';
import { mallPricesOfItem } from '../../../catalog/mall-pricing.ts';
import { selectionVerdict } from '../../../domain/catalog-selection.ts';
import { notFound } from '../../../domain/errors.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { staffSecurity } from '../../schemas.ts';

const Offer = z.object({
  supplierId: z.string(),
  supplierSkuId: z.string(),
  costFen: z.number().int(),
  stock: z.number().int().nullable(),
  onShelf: z.boolean(),
  removedAt: z.string().nullable(),
  sellable: z.boolean(),
  /** Why this source cannot sell the item now; absent when it can. */
  reason: z.enum(['removed_by_supplier', 'off_shelf', 'out_of_stock']).optional(),
});

const MallView = z.object({
  mallId: z.string(),
  points: z.number().int(),
  cashFen: z.number().int(),
  sellable: z.boolean(),
  /** Why this mall does not sell it (outside its selection, or not sellable at all); absent when it does. */
  reason: z.string().optional(),
});

const route = createRoute({
  method: 'get',
  path: '/admin/catalog/items/{skuId}',
  operationId: 'explainCatalogItem',
  tags: ['Admin: catalog'],
  summary: 'An item with every source and why each can or cannot sell it',
  security: staffSecurity,
  request: { params: z.object({ skuId: z.string().min(1).max(64).openapi({ param: { name: 'skuId', in: 'path' } }) }) },
  responses: {
    200: {
      description: 'The item and its offers',
      content: {
        'application/json': {
          schema: z.object({
            skuId: z.string(), title: z.string(), matchKey: z.string(), categoryId: z.string().nullable(), categoryPath: z.array(z.string()), sellable: z.boolean(),
            bestCostFen: z.number().int().nullable(), reason: z.string().optional(), offers: z.array(Offer), malls: z.array(MallView),
          }),
        },
      },
    },
    ...errorResponses(401, 404),
  },
});

/** GET /admin/catalog/items/{skuId}: why an item is (not) sellable, source by source. */
export function registerExplainCatalogItem(app: HubApp): void {
  app.openapi(route, async (c) => {
    const rows = await itemWithOffers(c.get('em'), c.req.valid('param').skuId);
    const item = rows[0];
    if (!item) throw notFound('catalog item');
    const offers = rows.filter((r) => r.supplier_id !== null).map((r) => {
      const reason = r.removed_at ? 'removed_by_supplier' : !r.on_shelf ? 'off_shelf' : r.stock !== null && r.stock <= 0 ? 'out_of_stock' : undefined;
      return {
        supplierId: r.supplier_id as string, supplierSkuId: r.supplier_sku_id, costFen: r.cost_fen, stock: r.stock, onShelf: r.on_shelf,
        removedAt: r.removed_at ? new Date(r.removed_at).toISOString() : null, sellable: reason === undefined, ...(reason ? { reason: reason as 'off_shelf' } : {}),
      };
    });
    const priced = await mallPricesOfItem(c.get('em'), item.id);
    const malls = priced.map((m) => {
      const outside = selectionVerdict({ skuId: item.sku_id, kind: item.kind, brand: item.brand, categoryIds: item.category_ids, points: m.points }, m.catalog_selection);
      const reason = m.sellable ? undefined : (outside ?? 'not sellable from any source');
      return { mallId: m.mall_id, points: m.points, cashFen: m.cash_fen, sellable: m.sellable, ...(reason ? { reason } : {}) };
    });
    return c.json({
      skuId: item.sku_id, title: item.title, matchKey: item.match_key, categoryId: item.category_id, categoryPath: item.category_path, sellable: item.sellable,
      bestCostFen: item.best_cost_fen, offers, malls,
      ...(item.sellable ? {} : { reason: offers.length ? 'no source can sell it: see each offer' : 'no offers' }),
    }, 200);
  });
}
