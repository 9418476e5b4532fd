import type { SupplierKind, SupplierSku } from './supplier-shapes.ts';
import { matchCategory } from './category-matcher.ts';
import { lineageOf } from './taxonomy.ts';

/** An item's place in the canonical taxonomy: the leaf id, the ids of every level, the names. */
export interface CanonicalCategory {
  id: string;
  ids: string[];
  path: string[];
}

/** Where a supplier's listing sits in the hub's taxonomy, or null when its category is not mapped yet. */
export function canonicalCategory(supplierKind: SupplierKind, sku: Pick<SupplierSku, 'kind' | 'categoryPath' | 'supplierCategoryId'>): CanonicalCategory | null {
  const match = matchCategory({ supplierKind, kind: sku.kind, categoryPath: sku.categoryPath, supplierCategoryId: sku.supplierCategoryId });
  if (!match) return null;
  const chain = lineageOf(match.leafId);
  return { id: match.leafId, ids: chain.map((n) => n.id), path: chain.map((n) => n.name) };
}
