import type { AdminClient } from './admin-client.ts';
import type { CatalogItemExplained } from './api-types.ts';

/**
 * The catalog titles of some SKUs (GET /admin/catalog/items/{skuId}, one call each, at once): the
 * names suppliers gave their goods, shown as text. A SKU the catalog no longer explains keeps its id.
 */
export async function itemTitles(api: AdminClient, skuIds: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(skuIds)];
  const found = await Promise.all(unique.map((id) => api.get<CatalogItemExplained>(`/admin/catalog/items/${encodeURIComponent(id)}`)));
  const titles = new Map<string, string>();
  found.forEach((r, i) => {
    if (r.ok && r.data.title) titles.set(unique[i] as string, r.data.title);
  });
  return titles;
}
