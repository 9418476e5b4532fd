import type { ItemKind, SupplierKind } from './supplier-shapes.ts';
import { type CategoryNode, TAXONOMY } from './taxonomy-data.ts';

/** What the matcher reads of a supplier listing. */
export interface CategoryInput {
  supplierKind: SupplierKind;
  kind: ItemKind;
  /** The supplier's own names, top level first. */
  categoryPath: readonly string[];
  supplierCategoryId: string | null;
}

export interface CategoryMatch {
  leafId: string;
  /** exact: the leaf's own name; alias: another name of it; context: a shared name told apart by the parent levels. */
  confidence: 'exact' | 'alias' | 'context';
}

/** Names compared the way people mean them: full-width folded, case-free, no spaces or separators. */
export function normalizeCategoryName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replaceAll('&', 'and').replace(/[\s/、,，·\-_>|()（）]+/g, '');
}

// Top-up providers group products by type; the type is their category id.
const VIRTUAL_LEAVES: Readonly<Record<string, string>> = { phone_topup: 'phone-topup', data: 'data-topup', video_membership: 'video-membership', voucher: 'voucher' };

type Named = { node: CategoryNode; how: 'exact' | 'alias' };

function index(level: 1 | 2 | 3): Map<string, Named[]> {
  const out = new Map<string, Named[]>();
  const put = (name: string, named: Named) => {
    const key = normalizeCategoryName(name);
    const list = out.get(key) ?? [];
    if (!list.some((n) => n.node.id === named.node.id)) list.push(named);
    out.set(key, list);
  };
  for (const node of TAXONOMY.filter((n) => n.level === level)) {
    put(node.name, { node, how: 'exact' });
    put(node.en, { node, how: 'exact' });
    for (const alias of node.aliases) put(alias, { node, how: 'alias' });
  }
  return out;
}

// Built once: the matcher runs for every SKU of a million-SKU sync.
const leaves = index(3);
const groups = index(2);
const tops = index(1);
const memo = new Map<string, CategoryMatch | null>();

/** The ids of the level-2 and level-1 nodes a supplier's parent names could mean. */
function contextIds(path: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const name of path) {
    const key = normalizeCategoryName(name);
    for (const n of [...(groups.get(key) ?? []), ...(tops.get(key) ?? [])]) ids.add(n.node.id);
  }
  return ids;
}

function match(input: CategoryInput): CategoryMatch | null {
  if (input.supplierKind === 'topup' || input.kind === 'virtual') {
    const leafId = input.supplierCategoryId ? VIRTUAL_LEAVES[input.supplierCategoryId] : undefined;
    if (leafId) return { leafId, confidence: 'exact' };
  }
  const leafName = input.categoryPath.at(-1);
  if (!leafName) return null;
  const candidates = leaves.get(normalizeCategoryName(leafName)) ?? [];
  if (candidates.length === 1) {
    const [only] = candidates as [Named];
    return { leafId: only.node.id, confidence: only.how };
  }
  if (candidates.length === 0) return null;
  // A name shared by leaves of different branches: the parent levels decide.
  const context = contextIds(input.categoryPath.slice(0, -1));
  const fitting = candidates.filter((c) => context.has(c.node.parentId ?? '') || context.has(parentOf(c.node)?.parentId ?? ''));
  return fitting.length === 1 ? { leafId: (fitting[0] as Named).node.id, confidence: 'context' } : null;
}

const nodes = new Map(TAXONOMY.map((n) => [n.id, n]));
const parentOf = (n: CategoryNode) => (n.parentId ? nodes.get(n.parentId) : undefined);

/**
 * Maps a supplier's category onto a leaf of the canonical taxonomy by name (the leaf's names and
 * aliases, its parents telling apart leaves that share a name), top-ups by product type. Null
 * means unmapped: the item keeps the supplier's names until an alias is added.
 */
export function matchCategory(input: CategoryInput): CategoryMatch | null {
  const key = `${input.supplierKind}|${input.kind}|${input.supplierCategoryId ?? ''}|${input.categoryPath.join('\u0001')}`;
  let found = memo.get(key);
  if (found === undefined) {
    found = match(input);
    if (memo.size < 100_000) memo.set(key, found);
  }
  return found;
}
