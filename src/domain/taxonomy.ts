import { type CategoryNode, TAXONOMY } from './taxonomy-data.ts';

export type { CategoryNode } from './taxonomy-data.ts';
export { TAXONOMY } from './taxonomy-data.ts';

const byId = new Map(TAXONOMY.map((n) => [n.id, n]));

/** A node of the canonical taxonomy by id. */
export function categoryById(id: string): CategoryNode | undefined {
  return byId.get(id);
}

/** A node and its ancestors, top level first. */
export function lineageOf(id: string): CategoryNode[] {
  const chain: CategoryNode[] = [];
  // At most three levels: a data error (a node its own ancestor) cannot loop.
  for (let node = byId.get(id); node && chain.length < 3; node = node.parentId ? byId.get(node.parentId) : undefined) chain.unshift(node);
  return chain;
}

/** The canonical taxonomy as a tree, for GET /v1/catalog/categories. */
export interface CategoryTree {
  id: string;
  name: string;
  en: string;
  children: CategoryTree[];
}

export function categoryTree(): CategoryTree[] {
  const build = (parentId: string | null): CategoryTree[] =>
    TAXONOMY.filter((n) => n.parentId === parentId).map((n) => ({ id: n.id, name: n.name, en: n.en, children: build(n.id) }));
  return build(null);
}

const byName = new Map<string, CategoryNode[]>();
for (const n of TAXONOMY) byName.set(n.name, [...(byName.get(n.name) ?? []), n]);

/** The canonical nodes a `category` filter names: an id, or a Chinese name at any level (empty when unknown). */
export function categoriesNamed(idOrName: string): CategoryNode[] {
  const node = byId.get(idOrName);
  return node ? [node] : (byName.get(idOrName) ?? []);
}

/** The leaf ids under a node (itself when it is a leaf). */
export function leavesUnder(id: string): string[] {
  const node = byId.get(id);
  if (!node) return [];
  if (node.level === 3) return [node.id];
  return TAXONOMY.filter((n) => n.parentId === id).flatMap((n) => leavesUnder(n.id));
}
