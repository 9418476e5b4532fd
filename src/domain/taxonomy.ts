// TEMPORARY stand-in until the canonical taxonomy lands (replaced in this same change).
export interface CategoryNode { id: string; name: string; parentId: string | null }
export function categoryById(_id: string): CategoryNode | undefined {
  return undefined;
}
