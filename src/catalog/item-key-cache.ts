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

/**
 * The cache of one database. Each entry is one number, the item's id, negative when the item has
 * no category: an object per entry made a sync worker 240 MB larger at 625 000 items.
 */
export class ItemKeyCache {
  readonly #ids = new Map<string, number>();
  readonly #cap: number;

  constructor(cap = CAP) {
    this.#cap = cap;
  }

  get size(): number {
    return this.#ids.size;
  }

  get(key: string): KnownItem | undefined {
    const n = this.#ids.get(key);
    return n === undefined ? undefined : { id: String(Math.abs(n)), categorized: n > 0 };
  }

  /** Adds what a committed page wrote or read. Past the cap, the cache starts again empty. */
  remember(learned: ReadonlyMap<string, KnownItem>): void {
    if (this.#ids.size + learned.size > this.#cap) this.#ids.clear();
    for (const [key, item] of learned) this.#ids.set(key, item.categorized ? Number(item.id) : -Number(item.id));
  }
}

/** Entries kept at most (some 100 bytes each). */
const CAP = 2_000_000;

const caches = new WeakMap<object, ItemKeyCache>();

/** The cache of one database, keyed by an object standing for it (the ORM's driver). */
export function itemKeyCache(database: object): ItemKeyCache {
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = new ItemKeyCache()));
  return cache;
}
