import { createRoute, z } from '@hono/zod-openapi';
import { itemWithOffers } from '../../../catalog/catalog-store.ts';
import { mallPricesOfItem } from '../../../catalog/mall-pricing.ts';
import { selectionVerdict } from '../../../domain/catalog-selection.ts';
import { notFound } from '../../../domain/errors.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { pathParam, staffSecurity, Timestamp } from '../../schemas.ts';

const Offer = z.object({
  supplierId: z.string(),
  supplierSkuId: z.string().openapi({ description: "The item's id at that supplier" }),
  costFen: z.number().int().openapi({ description: 'What the supplier charges the hub for one unit, in fen (last synced)' }),
  stock: z.number().int().nullable().openapi({ description: 'Units in stock as last synced (null: the supplier does not say)' }),
  onShelf: z.boolean(),
  removedAt: Timestamp.nullable().openapi({ description: 'When a full sync found the supplier no longer lists it' }),
  sellable: z.boolean(),
  reason: z.enum(['removed_by_supplier', 'off_shelf', 'out_of_stock']).optional().openapi({ description: 'Why this source cannot sell the item now; absent when it can' }),
});

const MallView = z.object({
  mallId: z.string(),
  points: z.number().int(),
  cashFen: z.number().int(),
  sellable: z.boolean(),
  reason: z.string().optional().openapi({ description: 'Why this mall does not sell it (outside its selection, and how; or not sellable from any source); absent when it does' }),
});

const route = createRoute({
  method: 'get',
  path: '/admin/catalog/items/{skuId}',
  operationId: 'explainCatalogItem',
  tags: ['Admin: catalog'],
  summary: 'An item with every source and why each can or cannot sell it',
  description: 'For support: the canonical item, each supplier offer matched to it (with why it cannot sell, if so), and each mall’s price and verdict.',
  security: staffSecurity,
  request: { params: z.object({ skuId: pathParam('skuId', z.string().min(1).max(64), 'The item’s id (`sku_…`)', 'sku_fc6000a2826e48e5a1eb7ea27e3904f4') }) },
  responses: {
    200: jsonResponse(
      'The item and its offers',
      z.object({
        skuId: z.string(),
        title: z.string(),
        matchKey: z.string().openapi({ description: 'What listings of different suppliers are matched on: `gtin:…`, `bm:brand|model`, `v:type|platform|face value` for virtual goods, or `sku:supplier:id` alone' }),
        categoryId: z.string().nullable(),
        categoryPath: z.array(z.string()),
        sellable: z.boolean(),
        bestCostFen: z.number().int().nullable().openapi({ description: 'The lowest cost among the sources that can sell it' }),
        reason: z.string().optional().openapi({ description: 'Why no source can sell it; absent when one can' }),
        offers: z.array(Offer),
        malls: z.array(MallView),
      }),
      {
        skuId: 'sku_fc6000a2826e48e5a1eb7ea27e3904f4',
        title: '海尔（Haier）双开门冰箱 BCD-162KNEW 混冷',
        matchKey: 'bm:海尔|bcd162knew',
        categoryId: 'fridge',
        categoryPath: ['家用电器', '大家电', '冰箱'],
        sellable: true,
        bestCostFen: 96_890,
        offers: [
          { supplierId: 'jd', supplierSkuId: '100958240184', costFen: 96_890, stock: 57, onShelf: true, removedAt: null, sellable: true },
          { supplierId: 'taobao', supplierSkuId: '600810997611', costFen: 98_400, stock: 0, onShelf: true, removedAt: null, sellable: false, reason: 'out_of_stock' },
        ],
        malls: [
          { mallId: 'mall_0196a3c2e1f07c3a8b1d2e3f4a5b6c7d', points: 117_730, cashFen: 0, sellable: true },
          { mallId: 'mall_0196b17e9a3c7d2e8f4a5b6c7d8e9f01', points: 58_870, cashFen: 0, sellable: false, reason: 'category not selected' },
        ],
      },
    ),
    ...errorResponses(404),
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
