// TEMPORARY stand-in until the category matcher lands (replaced in this same change).
export function matchCategory(_input: { supplierKind: string; kind: string; categoryPath: string[]; supplierCategoryId: string | null }): { leafId: string } | null {
  return null;
}
