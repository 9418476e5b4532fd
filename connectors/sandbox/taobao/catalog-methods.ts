import { PROVINCES } from '../../../fixtures/catalog/index.ts';
import { MAX_PAGE_SIZE, MAX_SKU_BATCH, METHODS, SUB_CODES } from '../../taobao/methods.ts';
import { parseUtc8Timestamp } from '../../shared/timestamp.ts';
import type { MethodEnv, MethodHandler } from './method-env.ts';
import { businessFault, invalidParameter } from './top-response.ts';

const PROVINCE_CODES: ReadonlySet<string> = new Set(PROVINCES.map((p) => p.code));

/** A positive integer parameter, or its default when absent. */
export function intParam(params: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const raw = params[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw invalidParameter(`${key} must be a positive integer`);
  return n;
}

/** taobao.fenxiao.products.get and taobao.fenxiao.product.skus.get. */
export function catalogMethods({ catalog }: MethodEnv): Record<string, MethodHandler> {
  return {
    [METHODS.productsGet]: {
      write: false,
      run(params) {
        const pageNo = intParam(params, 'page_no', 1);
        const pageSize = intParam(params, 'page_size', 20);
        if (pageSize > MAX_PAGE_SIZE) throw invalidParameter(`page_size must be at most ${MAX_PAGE_SIZE}`);
        let since: Date | undefined;
        if (params.start_modified) {
          since = parseUtc8Timestamp(params.start_modified);
          if (!since) throw invalidParameter('start_modified must be yyyy-MM-dd HH:mm:ss');
        }
        const page = catalog.page(pageNo, pageSize, since);
        // TOP leaves an empty list out altogether.
        return page.indices.length
          ? { total_results: page.total, products: { fenxiao_product: page.indices.map((i) => catalog.product(i)) } }
          : { total_results: page.total };
      },
    },
    [METHODS.skusGet]: {
      write: false,
      run(params) {
        const ids = (params.product_ids ?? params.product_id ?? '').split(',').filter(Boolean);
        if (ids.length === 0 || ids.length > MAX_SKU_BATCH) throw invalidParameter(`product_ids takes 1 to ${MAX_SKU_BATCH} ids`);
        const area = params.area_id ?? '';
        if (!PROVINCE_CODES.has(area)) throw businessFault(SUB_CODES.areaNotSupport, `不支持的配送区域 ${area}`);
        const skus = ids.flatMap((id) => {
          const index = catalog.indexOf(id);
          return index === undefined ? [] : [catalog.skuBody(index, area)];
        });
        return skus.length ? { total_results: skus.length, skus: { fenxiao_sku: skus } } : { total_results: 0 };
      },
    },
  };
}
