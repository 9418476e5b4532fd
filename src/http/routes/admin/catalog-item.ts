import { createRoute, z } from '@hono/zod-openapi';
import { type CatalogSelection, selectionVerdict } from '../../../domain/catalog-selection.ts';
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

interface Row {
  id: string; sku_id: string; title: string; match_key: string; sellable: boolean; best_cost_fen: number | null; kind: string; brand: string | null;
  category_id: string | null; category_ids: string[]; category_path: string[];
  supplier_id: string | null; supplier_sku_id: string; cost_fen: number; stock: number | null; on_shelf: boolean; removed_at: Date | null;
}

/** GET /admin/catalog/items/{skuId}: why an item is (not) sellable, source by source. */
export function registerExplainCatalogItem(app: HubApp): void {
  app.openapi(route, async (c) => {
    const rows = await c.get('em').getConnection().execute<Row[]>(
      `select ci.id, ci.sku_id, ci.title, ci.match_key, ci.sellable, ci.best_cost_fen, ci.kind, ci.brand, ci.category_id, ci.category_ids, ci.category_path, o.supplier_id, o.supplier_sku_id, o.cost_fen, o.stock, o.on_shelf, o.removed_at
       from catalog_item ci left join catalog_offer o on o.item_id = ci.id where ci.sku_id = ? order by o.cost_fen`,
      [c.req.valid('param').skuId],
    );
    const item = rows[0];
    if (!item) throw notFound('catalog item');
    const offers = rows.filter((r) => r.supplier_id !== null).map((r) => {
      const reason = r.removed_at ? 'removed_by_supplier' : !r.on_shelf ? 'off_shelf' : r.stock !== null && r.stock <= 0 ? 'out_of_stock' : undefined;
      return {
        supplierId: r.supplier_id as string, supplierSkuId: r.supplier_sku_id, costFen: r.cost_fen, stock: r.stock, onShelf: r.on_shelf,
        removedAt: r.removed_at ? new Date(r.removed_at).toISOString() : null, sellable: reason === undefined, ...(reason ? { reason: reason as 'off_shelf' } : {}),
      };
    });
    const priced = await c.get('em').getConnection().execute<{ mall_id: string; points: number; cash_fen: number; sellable: boolean; catalog_selection: CatalogSelection }[]>(
      'select mi.mall_id, mi.points, mi.cash_fen, mi.sellable, m.catalog_selection from mall_item mi join mall m on m.id = mi.mall_id where mi.item_id = ? order by mi.mall_id',
      [item.id],
    );
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
