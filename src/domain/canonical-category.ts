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
  let found = byLeaf.get(match.leafId);
  if (!found) {
    const chain = lineageOf(match.leafId);
    found = Object.freeze({ id: match.leafId, ids: Object.freeze(chain.map((n) => n.id)) as string[], path: Object.freeze(chain.map((n) => n.name)) as string[] });
    byLeaf.set(match.leafId, found);
  }
  return found;
}

// One frozen answer per leaf (a few hundred): a sync asks for every listing it reads.
const byLeaf = new Map<string, CanonicalCategory>();
