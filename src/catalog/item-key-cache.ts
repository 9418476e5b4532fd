/**
 * Item ids by match key, as the sync has written or read them, shared by the syncs of a process
 * (several suppliers list the same products: 1 000 000 offers are 625 000 items). A page looks its
 * listings' keys up here first and builds and sends item rows only for keys it does not know: a
 * first sync built a row (pinyin, search grams, page JSON) for every listing and sent it, and
 * PostgreSQL parsed each and dropped it on the key's conflict, for 375 000 listings of items
 * another supplier had created.
 *
 * An entry stays true: items are never deleted and an item's match key never changes. Entries are
 * added only after the transaction that wrote or read them committed (an item inserted by a page
 * that then rolled back never existed). Whether the item has a category is kept too: a category is
 * only ever filled in, so a categorized entry stays true, and an uncategorized one is looked up
 * again when a listing could fill it.
 */
export interface KnownItem {
  id: string;
  categorized: boolean;
}

export type ItemKeyCache = Map<string, KnownItem>;

/** Entries kept at most (about 100 bytes each); past it the cache starts again empty. */
const CAP = 2_000_000;

const caches = new WeakMap<object, ItemKeyCache>();

/** The cache of one database, keyed by an object standing for it (the ORM's driver). */
export function itemKeyCache(database: object): ItemKeyCache {
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = new Map()));
  return cache;
}

/** Adds what a committed page wrote or read. */
export function remember(cache: ItemKeyCache, learned: ReadonlyMap<string, KnownItem>): void {
  if (cache.size + learned.size > CAP) cache.clear();
  for (const [key, item] of learned) cache.set(key, item);
}
