/**
 * A mall's catalog selection: which items of the hub's catalog it sells. Every list narrows the
 * catalog when given (an empty object sells everything); excluded SKUs always win.
 */
export interface CatalogSelection {
  kinds?: ('physical' | 'virtual' | 'service')[];
  /** Canonical category ids at any level (fridge, large-appliance, appliances). */
  categories?: string[];
  brands?: string[];
  pointsMin?: number;
  pointsMax?: number;
  excludedSkuIds?: string[];
}

/** What the selection looks at of one priced item. */
export interface SelectableItem {
  skuId: string;
  kind: string;
  brand: string | null;
  categoryIds: readonly string[];
  points: number;
}

/** Why an item is outside the selection, for the admin's "why is it not sellable"; null when inside. */
export function selectionVerdict(item: SelectableItem, s: CatalogSelection): string | null {
  if (s.excludedSkuIds?.includes(item.skuId)) return 'excluded by the mall';
  if (s.kinds?.length && !s.kinds.includes(item.kind as 'physical')) return `kind ${item.kind} not selected`;
  if (s.categories?.length && !s.categories.some((c) => item.categoryIds.includes(c))) return 'category not selected';
  if (s.brands?.length && (item.brand === null || !s.brands.includes(item.brand))) return 'brand not selected';
  if (s.pointsMin !== undefined && item.points < s.pointsMin) return `below the selection's ${s.pointsMin} points`;
  if (s.pointsMax !== undefined && item.points > s.pointsMax) return `above the selection's ${s.pointsMax} points`;
  return null;
}

/** Whether a priced item is in the mall's selection. */
export function inSelection(item: SelectableItem, s: CatalogSelection): boolean {
  return selectionVerdict(item, s) === null;
}
