import type { Context } from 'hono';
import { fenToYuan } from '../../shared/yuan.ts';
import { supplierSkuIdOf } from '../../../fixtures/catalog/index.ts';
import { JD_METHODS as M, JD_RESULT } from '../../jd/methods.ts';
import { childrenOf, parseArea } from './areas.ts';
import { fail, ok } from './envelope.ts';
import type { JdState } from './state.ts';

/** SKUs per product pool (JD's pools are catalogs of a few thousand SKUs). */
export const POOL_SIZE = 2_000;
const MAX_PAGE = 500;

type Params = Record<string, unknown>;
const list = (v: unknown): string[] => String(v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Catalog, price, stock and area-tree methods. Returns undefined for methods it does not own. */
export function catalogMethod(c: Context, method: string, p: Params, state: JdState, opts: { seed: number; size: number }): Response | undefined {
  switch (method) {
    case M.pools: {
      const pools = Math.ceil(opts.size / POOL_SIZE);
      return ok(c, method, Array.from({ length: pools }, (_, i) => ({ page_num: `P${i + 1}`, name: `积分商城商品池${i + 1}` })));
    }
    case M.poolSkus: {
      const pool = Number(String(p.pageNum ?? '').replace(/^P/, ''));
      const pageNo = Number(p.pageNo ?? 1);
      const pageSize = Math.min(MAX_PAGE, Number(p.pageSize ?? MAX_PAGE));
      if (!Number.isInteger(pool) || pool < 1 || !Number.isInteger(pageNo) || pageNo < 1) return fail(c, method, JD_RESULT.BAD_PARAM, 'pageNum/pageNo invalid');
      const first = (pool - 1) * POOL_SIZE;
      const inPool = Math.max(0, Math.min(POOL_SIZE, opts.size - first));
      const from = first + (pageNo - 1) * pageSize;
      const to = Math.min(first + inPool, from + pageSize);
      const skuIds = [];
      for (let i = from; i < to; i++) skuIds.push(Number(supplierSkuIdOf('jd', i, opts)));
      return ok(c, method, { skuIds, pageCount: Math.ceil(inPool / pageSize) });
    }
    case M.details: {
      const ids = list(p.sku);
      if (ids.length > 100) return fail(c, method, JD_RESULT.BAD_PARAM, 'at most 100 SKUs');
      const out = [];
      for (const id of ids) {
        const s = state.sku(id);
        if (!s) continue;
        out.push({
          sku: Number(id), name: s.title, brandName: s.brand, model: s.model, upc: s.gtin, category: s.categoryId, categoryNames: s.categoryPath.join(';'),
          imagePath: s.images[0] ?? '', images: s.images, weight: (s.weightGrams / 1000).toFixed(3), state: s.onShelf ? 1 : 0, productArea: '中国大陆',
          param: Object.entries(s.attributes).map(([name, value]) => ({ name, value })), saleUnit: '件', wareQD: s.kind === 'service' ? '电子券' : '',
        });
      }
      return ok(c, method, out);
    }
    case M.prices: {
      const ids = list(p.sku);
      if (ids.length > 100) return fail(c, method, JD_RESULT.BAD_PARAM, 'at most 100 SKUs');
      return ok(c, method, ids.flatMap((id) => {
        const s = state.sku(id);
        return s ? [{ skuId: Number(id), price: fenToYuan(s.costFen), jdPrice: fenToYuan(s.marketPriceFen) }] : [];
      }));
    }
    case M.stock: {
      const area = parseArea(String(p.area ?? ''));
      const items = Array.isArray(p.skuNums) ? (p.skuNums as { skuId: unknown; num: unknown }[]) : [];
      if (items.length > 100) return fail(c, method, JD_RESULT.BAD_PARAM, 'at most 100 SKUs');
      return ok(c, method, items.map(({ skuId, num }) => {
        const id = String(skuId);
        // 33 in stock, 34 none, 40 cannot be delivered to the area (JD's codes).
        if (!state.sku(id)) return { skuId: Number(id), areaId: p.area, stockStateId: 34, stockStateDesc: '无货', remainNum: 0 };
        if (!area || !state.deliverable(id, area.provinceCode)) return { skuId: Number(id), areaId: p.area, stockStateId: 40, stockStateDesc: '该地区不支持配送', remainNum: 0 };
        const units = state.stock(id, area.provinceCode);
        const stateId = units >= Number(num ?? 1) ? 33 : 34;
        return { skuId: Number(id), areaId: p.area, stockStateId: stateId, stockStateDesc: stateId === 33 ? '有货' : '无货', remainNum: units };
      }));
    }
    case M.provinces:
      return ok(c, method, childrenOf(0));
    case M.cities:
    case M.counties:
    case M.towns:
      return ok(c, method, childrenOf(Number(p.id)));
    default:
      return undefined;
  }
}
