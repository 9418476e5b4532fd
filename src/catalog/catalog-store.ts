import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierKind, SupplierSku } from '../../connectors/connector.ts';
import { canonicalCategory } from '../domain/canonical-category.ts';
import { bigramsOfNormalized, matchKey, normalizeText, STOCK_CAP } from '../domain/catalog-keys.ts';
import { pinyinSearchKeys } from '../domain/catalog-search.ts';
import { listingHash } from '../domain/listing-hash.ts';
import { pageJson } from '../domain/page-json.ts';
import { executeBound } from '../persistence/bound-query.ts';
import type { ItemKeyCache, KnownItem } from './item-key-cache.ts';
import { repriceItems } from './mall-pricing.ts';

/** Where a page of listings comes from. */
export interface ListingSource {
  supplierId: string;
  supplierKind: SupplierKind;
  accountId: string;
  /** The full sync run that saw these listings (offers it did not see are removed at its end); null for incremental updates. */
  runId: number | null;
  /** false: the supplier had no offers when the run began, so every listing is new and none is compared (default true). */
  compare?: boolean;
  /**
   * The digests (listing_hash) of the supplier's live offers by SKU id, read once at a full run's
   * start (loadListingHashes): listings are compared with them in memory, not with the stored rows.
   * Kept up to date with what the run writes.
   */
  known?: ListingDigests;
  /**
   * The page writes for a catalog's first load (first-load.ts): its new items are created
   * unpublished (no best cost, unsellable, so no price and no change-feed row yet) and no item is
   * locked, recomputed or priced; the load's publishing does that once for every item.
   */
  unpublished?: boolean;
  /** Item ids by match key known to exist (item-key-cache.ts): their listings need no item row. */
  itemKeys?: ItemKeyCache;
}

/** Digests (listing_hash) of a supplier's live offers by SKU id: an object without a prototype, so any SKU id is an ordinary key. */
export type ListingDigests = Record<string, number>;

/** Whether a supplier has no offers at all (before its first full sync). */
export async function supplierHasNoOffers(em: EntityManager, supplierId: string): Promise<boolean> {
  const rows = await executeBound<{ none: boolean }>(em, 'select not exists (select 1 from catalog_offer where supplier_id = ?) as none', [supplierId]);
  return rows[0]?.none === true;
}

// Rows go to PostgreSQL as one JSON parameter read by jsonb_to_recordset: one statement per page,
// whatever its size (the ORM would expand JS arrays into parameter lists).
const ITEM_INPUT = `jsonb_to_recordset(?::jsonb) as t(match_key text, kind text, title text, brand text, model text, gtin text,
  category_id text, category_ids text[], category_path text[], images text[], attributes jsonb, market_price_fen int,
  search_grams text[], search_text text, search_pinyin text, search_initials text, best_cost_fen int, stock_units int, page_json text)`;
const OFFER_INPUT = `jsonb_to_recordset(?::jsonb) as t(item_id bigint, supplier_sku_id text, title text, cost_fen int, market_price_fen int, stock int,
  on_shelf boolean, supplier_category_id text, supplier_category_path text[], listing_hash bigint)`;

// What a listing is compared on with its stored offer: the offer's own fields, the item it belongs
// to (by match key) and whether that item still lacks the category this listing would give it.
// Everything else an item holds is written once, by its first source, so it cannot make a difference.
const SAME_INPUT = `jsonb_to_recordset(?::jsonb) as t(supplier_sku_id text, match_key text, title text, cost_fen int, market_price_fen int, stock int,
  on_shelf boolean, supplier_category_id text, supplier_category_path text[], category_id text)`;
// Each listing looks its offer up by key: a lateral subquery with a limit is not flattened into a
// join, so it stays an index probe per listing whatever the statistics of a table a first sync is
// filling say (as a join, stale statistics planned it as a scan of the supplier's offers per
// listing: 5 s a page at 11 000 offers).
const SAME = `select o.item_id, o.supplier_sku_id
  from ${SAME_INPUT}
  cross join lateral (
    select o.item_id, o.supplier_sku_id from catalog_offer o join catalog_item ci on ci.id = o.item_id
    where o.supplier_id = ? and o.supplier_sku_id = t.supplier_sku_id and o.removed_at is null and ci.match_key = t.match_key
      and (o.title, o.cost_fen, o.market_price_fen, o.stock, o.on_shelf, o.supplier_category_id, o.supplier_category_path)
          is not distinct from (t.title, t.cost_fen, t.market_price_fen, t.stock, t.on_shelf, t.supplier_category_id, t.supplier_category_path)
      and (ci.category_id is not null or t.category_id is null)
    limit 1
  ) o`;

/** Seconds the catalog writes of this process spent, by step (the sync bench prints where a page's time goes). */
export const catalogWriteSeconds = { compare: 0, prepare: 0, upsert: 0, refresh: 0, reprice: 0 };
const since = (t0: number) => (performance.now() - t0) / 1000;

/** A listing with what the hub derives from it before comparing: its item's match key, canonical category and digest. */
interface Keyed {
  s: SupplierSku;
  key: string;
  category: ReturnType<typeof canonicalCategory>;
  hash: number;
}

/** The SKU ids of a page whose listings their offers already hold, and (compared in SQL) those offers' items. */
interface Unchanged {
  skus: Set<string>;
  itemIds: string[];
}

/**
 * The digests of a supplier's live offers, by SKU id, for a full run to compare its listings with
 * in memory: one read of the supplier's offers instead of an index probe of an offer and its item
 * per listing. They come as one JSON object (about 40 bytes a SKU, 10 MB for 250 000), which costs
 * far less memory on the way than a row object per offer. An offer written before digests were
 * stored has none and is written once more.
 */
export async function loadListingHashes(em: EntityManager, supplierId: string): Promise<ListingDigests> {
  const t0 = performance.now();
  const [row] = await executeBound<{ hashes: ListingDigests | null }>(em,
    `select json_object_agg(supplier_sku_id, listing_hash) as hashes from catalog_offer
     where supplier_id = ? and removed_at is null and listing_hash is not null`,
    [supplierId]);
  // The parsed object itself, not a Map copied from it: the copy cost 0.16 s of the worker's one
  // thread per 250 000 SKUs, at the start of a run when every supplier's first pages arrive.
  // Without a prototype, an id such as "constructor" or "__proto__" is an ordinary key.
  const known = Object.setPrototypeOf(row?.hashes ?? {}, null) as ListingDigests;
  catalogWriteSeconds.compare += since(t0);
  return known;
}

/**
 * Which listings of a page are exactly what their stored offers already hold (SAME), read only;
 * under a full run the page's SKU ids are recorded as seen by it in the same statement (one row
 * per page in catalog_sync_seen, whatever changed), so a nightly run that finds nothing changed
 * writes no catalog row at all: no offer, item, change row or price.
 */
async function unchangedListings(em: EntityManager, source: ListingSource, keyed: readonly Keyed[], lagging: boolean): Promise<Unchanged> {
  type Row = { supplier_sku_id: string; item_id: string };
  const ids = keyed.map((k) => k.s.supplierSkuId);
  const known = source.known;
  // In memory: a listing is unchanged when its digest is the one its offer was last written with.
  // A lagging mall needs the unchanged listings' items priced, which only the SQL compare reads.
  if (source.compare === false || (known && !lagging)) {
    // The ids as one JSON text: the driver's text[] literal escapes element by element in JavaScript.
    if (source.runId !== null) {
      await executeBound(em, 'insert into catalog_sync_seen (run_id, supplier_sku_ids) select ?::bigint, array(select jsonb_array_elements_text(?::jsonb))', [source.runId, JSON.stringify(ids)]);
    }
    const skus = new Set(known ? keyed.filter((k) => known[k.s.supplierSkuId] === k.hash).map((k) => k.s.supplierSkuId) : []);
    return { skus, itemIds: [] };
  }
  const input = JSON.stringify(keyed.map(({ s, key, category }) => ({
    supplier_sku_id: s.supplierSkuId, match_key: key, title: s.title, cost_fen: s.costFen, market_price_fen: s.marketPriceFen, stock: s.stock,
    on_shelf: s.onShelf, supplier_category_id: s.supplierCategoryId, supplier_category_path: s.categoryPath, category_id: category?.id ?? null,
  })));
  const rows = source.runId === null
    ? await executeBound<Row>(em, SAME, [input, source.supplierId])
    : await executeBound<Row>(em,
      `with seen as (insert into catalog_sync_seen (run_id, supplier_sku_ids) values (?::bigint, ?::text[]))
       ${SAME}`,
      [source.runId, ids, input, source.supplierId]);
  return { skus: new Set(rows.map((r) => r.supplier_sku_id)), itemIds: rows.map((r) => String(r.item_id)) };
}

/**
 * A mall whose stored prices lag its settings (created, or its rule changed, and its full reprice
 * not done yet) gets the unchanged items of a page priced too, as every item was before unchanged
 * listings were skipped: after a page, every active mall has a price for each item it holds. With
 * every mall up to date, unchanged items cost no pricing at all.
 */
async function anyMallLags(em: EntityManager): Promise<boolean> {
  const rows = await executeBound<{ lags: boolean }>(em, "select exists (select 1 from mall where status = 'active' and priced_version < pricing_version) as lags", []);
  return rows[0]?.lags === true;
}

/**
 * Upserts one page of a supplier's listings. Listings their stored offers already hold are only
 * marked seen (unchangedListings). For the others: the canonical item of each match key (created
 * on first sight with its best cost and stock; the first source's title and images stay), then the
 * offers of this source; then best cost, sellability, stock and change feed of the existing items
 * touched, and the mall prices of what changed. `written` counts the offers written (new or changed).
 */
export async function upsertListings(em: EntityManager, source: ListingSource, skus: readonly SupplierSku[]): Promise<UpsertResult> {
  const learned = new Map<string, KnownItem>();
  if (skus.length === 0) return { items: 0, offers: 0, written: 0, learned };
  let t0 = performance.now();
  const keyed: Keyed[] = skus.map((s) => {
    const key = matchKey({ supplierId: source.supplierId, supplierSkuId: s.supplierSkuId, gtin: s.gtin, brand: s.brand, model: s.model, virtual: s.virtual });
    const category = canonicalCategory(source.supplierKind, s);
    return { s, key, category, hash: listingHash(s, key, category?.id ?? null) };
  });
  const unpublished = source.unpublished === true;
  // An unpublished page prices nothing, so it has no use for the malls' pricing state.
  const lagging = unpublished ? false : await anyMallLags(em);
  const same = await unchangedListings(em, source, keyed, lagging);
  catalogWriteSeconds.compare += since(t0);
  const changed = same.skus.size === 0 ? keyed : keyed.filter((k) => !same.skus.has(k.s.supplierSkuId));
  if (changed.length === 0) {
    if (lagging) await timedReprice(em, [...new Set(same.itemIds)]);
    return { items: 0, offers: skus.length, written: 0, learned };
  }
  t0 = performance.now();
  // Listings of items the cache knows need no item row, unless they could fill in the category
  // of an item that has none (its row carries the category): those are looked up again.
  const cached = new Map<string, ItemFound>();
  const toBuild = source.itemKeys?.size ? changed.filter((k) => {
    const hit = source.itemKeys?.get(k.key);
    if (!hit || (!hit.categorized && k.category)) return true;
    cached.set(k.key, { id: hit.id, match_key: k.key, bare: !hit.categorized });
    return false;
  }) : changed;
  const itemRows = newItemRows(toBuild, unpublished);
  catalogWriteSeconds.prepare += since(t0);
  t0 = performance.now();
  const idOf = new Map<string, string>();
  const existing: ItemFound[] = [];
  const noteExisting = (found: readonly ItemFound[]) => {
    for (const f of found) {
      if (idOf.has(f.match_key)) continue;
      idOf.set(f.match_key, String(f.id));
      existing.push(f);
      learned.set(f.match_key, { id: String(f.id), categorized: !f.bare });
    }
  };
  noteExisting([...cached.values()]);
  // Compared listings that changed (a re-sync's) nearly all belong to items that exist: those are
  // looked up first, so the insert below carries only new items, and usually does not run. (Sent
  // to the insert, each existing item's row, page JSON included, was parsed and then dropped by
  // its conflict: 4 ms of PostgreSQL per page of a re-sync.) A first sync's are mostly new.
  if (source.compare !== false) noteExisting(await findItems(em, itemRows.map((r) => r.match_key)));
  const toCreate = idOf.size === 0 ? itemRows : itemRows.filter((r) => !idOf.has(r.match_key));
  const created = new Set<string>();
  if (toCreate.length > 0) {
    const categorized = new Set(toCreate.filter((r) => r.category_id !== null).map((r) => r.match_key));
    for (const i of await insertItems(em, toCreate)) {
      created.add(String(i.id));
      idOf.set(i.match_key, String(i.id));
      learned.set(i.match_key, { id: String(i.id), categorized: categorized.has(i.match_key) });
    }
    // Keys another supplier's page committed meanwhile: read in a statement of their own, whose
    // snapshot sees what the insert waited for.
    const raced = toCreate.filter((r) => !idOf.has(r.match_key));
    if (raced.length > 0) noteExisting(await findItems(em, raced.map((r) => r.match_key)));
  }
  let recategorised: string[] = [];
  if (existing.length > 0) {
    // Locked now, in id order, before the category fill below takes any of them, and held to the
    // end of the page: the recompute below (refreshOnly) needs them locked, and two pages never
    // take them in opposite orders. The offers below point at these items or at new ones. A
    // category comes from the first source that maps to one.
    const bare = new Set(existing.filter((f) => f.bare).map((f) => f.match_key));
    const filling = itemRows.filter((r) => r.category_id !== null && bare.has(r.match_key));
    // An unpublished page recomputes none of them: only those whose category it fills are locked.
    await lockItems(em, unpublished ? filling.map((r) => String(idOf.get(r.match_key))) : existing.map((f) => String(f.id)));
    if (filling.length > 0) {
      const filled = await executeBound<{ id: string }>(em,
        // The item's page JSON shows its category path too: written again from the row.
        `with filled as (
           update catalog_item ci set category_id = t.category_id, category_ids = t.category_ids, category_path = t.category_path, updated_at = now()
           from jsonb_to_recordset(?::jsonb) as t(id bigint, category_id text, category_ids text[], category_path text[])
           where ci.id = t.id and ci.category_id is null
           returning ci.*
         ),
         page as (
           update catalog_item_page p set json = catalog_item_page_json(f.sku_id, f.title, f.brand, f.kind, f.category_path, f.images, f.market_price_fen, f.attributes)
           from filled f where p.item_id = f.id
         )
         select id from filled`,
        [JSON.stringify(filling.map((r) => ({ id: idOf.get(r.match_key), category_id: r.category_id, category_ids: r.category_ids, category_path: r.category_path })))],
      );
      recategorised = filled.map((f) => String(f.id));
      for (const r of filling) learned.set(r.match_key, { id: String(idOf.get(r.match_key)), categorized: true });
    }
  }
  const offers = changed.map(({ s, key, hash }) => ({
    item_id: idOf.get(key), supplier_sku_id: s.supplierSkuId, title: s.title, cost_fen: s.costFen, market_price_fen: s.marketPriceFen, stock: s.stock,
    on_shelf: s.onShelf, supplier_category_id: s.supplierCategoryId, supplier_category_path: s.categoryPath, listing_hash: hash,
  }));
  const touched = await executeBound<{ item_id: string }>(em,
    `insert into catalog_offer as o (item_id, supplier_id, supplier_account_id, supplier_sku_id, title, cost_fen, market_price_fen, stock, on_shelf,
                                     supplier_category_id, supplier_category_path, last_sync_run_id, listing_hash, removed_at, updated_at)
     select t.item_id, ?, ?, t.supplier_sku_id, t.title, t.cost_fen, t.market_price_fen, t.stock, t.on_shelf, t.supplier_category_id, t.supplier_category_path, ?::bigint,
            t.listing_hash, null, now()
     from ${OFFER_INPUT}
     on conflict (supplier_id, supplier_sku_id) do update set
       item_id = excluded.item_id, title = excluded.title, cost_fen = excluded.cost_fen, market_price_fen = excluded.market_price_fen,
       stock = excluded.stock, on_shelf = excluded.on_shelf, supplier_category_id = excluded.supplier_category_id,
       supplier_category_path = excluded.supplier_category_path, last_sync_run_id = coalesce(excluded.last_sync_run_id, o.last_sync_run_id),
       listing_hash = excluded.listing_hash, removed_at = null, updated_at = now()
     returning item_id`,
    [source.supplierId, source.accountId, source.runId, JSON.stringify(offers)],
  );
  catalogWriteSeconds.upsert += since(t0);
  // A page whose transaction then fails ends the run's attempt; the next attempt reads the digests again.
  const known = source.known;
  if (known) for (const k of changed) known[k.s.supplierSkuId] = k.hash;
  const itemIds = [...new Set(touched.map((r) => String(r.item_id)))];
  if (unpublished) return { items: itemIds.length, offers: skus.length, written: touched.length, learned };
  // Existing items recompute best cost, sellability and stock from all their offers; prices follow
  // what that changed, the new items, and the items whose category was filled in.
  t0 = performance.now();
  const moved = await refreshOnly(em, itemIds.filter((id) => !created.has(id)));
  catalogWriteSeconds.refresh += since(t0);
  const reprice = lagging ? [...itemIds, ...recategorised, ...same.itemIds] : [...created, ...moved, ...recategorised];
  await timedReprice(em, [...new Set(reprice)]);
  return { items: itemIds.length, offers: skus.length, written: touched.length, learned };
}

/** What a page wrote, and the items it wrote or read by match key (for the cache, once committed). */
export interface UpsertResult {
  items: number;
  offers: number;
  written: number;
  learned: ReadonlyMap<string, KnownItem>;
}

/** An existing item of a match key, and whether it still lacks a category. */
interface ItemFound { id: string; match_key: string; bare: boolean }

/** The existing items of these match keys (no lock: the caller locks them). */
function findItems(em: EntityManager, keys: readonly string[]): Promise<ItemFound[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return executeBound<ItemFound>(em,
    // One index probe per key (a lateral with a limit, as SAME: never planned as a scan).
    `select ci.id, k.match_key, ci.category_id is null as bare from unnest(?::text[]) as k(match_key)
     cross join lateral (select id, category_id from catalog_item where match_key = k.match_key limit 1) ci`,
    [keys]);
}

/**
 * Creates the items of these rows whose match key is new, with their first source's fields, best
 * cost, sellability and stock (so a new item is written once: a second row version would cost its
 * search indexes again), their page JSON and, when sellable, their listing in the change feed.
 * Answers the items it created; a key that exists (or that another page inserts meanwhile) is left.
 */
function insertItems(em: EntityManager, rows: ReturnType<typeof newItemRows>): Promise<{ id: string; match_key: string }[]> {
  return executeBound<{ id: string; match_key: string }>(em,
    `with input as (select * from ${ITEM_INPUT}),
     ins as (
       insert into catalog_item (match_key, kind, title, brand, model, gtin, category_id, category_ids, category_path, images, attributes,
                                 market_price_fen, search_grams, search_text, search_pinyin, search_initials, best_cost_fen, sellable, stock_units)
       select match_key, kind, title, brand, model, gtin, category_id, category_ids, category_path, images, attributes,
              market_price_fen, search_grams, search_text, search_pinyin, search_initials, best_cost_fen, best_cost_fen is not null, stock_units
       from input
       -- In match-key order: two pages inserting the same new items wait for each other in one
       -- order, never each for the other.
       order by match_key
       -- The first source's title and images stay.
       on conflict (match_key) do nothing
       returning id, sku_id, match_key, sellable
     ),
     -- A new item that can be sold is listed: the change the feed has for it (as a refresh of an unsellable item would).
     listed as (insert into catalog_change (item_id, sku_id, change) select id, sku_id, 'listing' from ins where sellable order by id),
     -- The item's part of a catalog page, after the sku id PostgreSQL gave it (migration 0027).
     page as (insert into catalog_item_page (item_id, json)
              select ins.id, concat('"skuId":', to_json(ins.sku_id)::text, ',', input.page_json) from ins join input on input.match_key = ins.match_key order by ins.id)
     select id, match_key from ins`,
    [JSON.stringify(rows)],
  );
}

async function timedReprice(em: EntityManager, itemIds: readonly string[]): Promise<void> {
  const t0 = performance.now();
  await repriceItems(em, itemIds);
  catalogWriteSeconds.reprice += since(t0);
}

/**
 * One row per match key of the changed listings: what a new item is created with (the first
 * listing that maps to a category, else the first), its search keys, and its best cost and stock
 * over the page's listings of that key (as refreshItems computes them from live offers).
 */
function newItemRows(changed: readonly Keyed[], unpublished = false) {
  const byKey = new Map<string, { first: Keyed; best: number | null; units: number | null }>();
  for (const k of changed) {
    let g = byKey.get(k.key);
    if (!g) byKey.set(k.key, (g = { first: k, best: null, units: null }));
    else if (!g.first.category && k.category) g.first = k;
    const { s } = k;
    if (s.onShelf && (s.stock ?? 1) > 0) g.best = Math.min(g.best ?? Infinity, s.costFen);
    if (s.onShelf && s.stock !== null) g.units = (g.units ?? 0) + s.stock;
  }
  // Pinyin once per distinct title and brand of the page: several suppliers list the same product.
  const pinyinOf = new Map<string, { pinyin: string; initials: string }>();
  return [...byKey].map(([key, { first: { s, category }, best, units }]) => {
    const searchText = normalizeText(`${s.title} ${s.brand ?? ''} ${s.model ?? ''}`);
    const pinyinKey = `${s.title}\u0000${s.brand ?? ''}`;
    let keys = pinyinOf.get(pinyinKey);
    if (!keys) pinyinOf.set(pinyinKey, (keys = pinyinSearchKeys(s.title, s.brand)));
    const categoryPath = category?.path ?? s.categoryPath;
    return {
      match_key: key, kind: s.kind, title: s.title, brand: s.brand, model: s.model, gtin: s.gtin,
      category_id: category?.id ?? null, category_ids: category?.ids ?? [], category_path: categoryPath,
      images: s.images, attributes: s.attributes, market_price_fen: s.marketPriceFen,
      search_grams: bigramsOfNormalized(searchText), search_text: searchText, search_pinyin: keys.pinyin, search_initials: keys.initials,
      // Unpublished: what makes an item sellable and priced is left to the load's publishing.
      best_cost_fen: unpublished ? null : best, stock_units: unpublished ? null : units,
      page_json: pageJson({ title: s.title, brand: s.brand, kind: s.kind, categoryPath, images: s.images, marketPriceFen: s.marketPriceFen, attributes: s.attributes }),
    };
  });
}

// Units as a mall's price row keeps them, in SQL (matches domain/catalog-keys.ts cappedStock).
const CAPPED = (units: string) => `case when ${units} is null then null else least(greatest(${units}, 0), ${STOCK_CAP}) end`;

// Stock as members see it, in SQL (matches domain/catalog-keys.ts stockStatus).
const STOCK_STATUS = (units: string) => `case when ${units} is null then 'in_stock' when ${units} <= 0 then 'out_of_stock' when ${units} <= 10 then 'low' else 'in_stock' end`;

/**
 * Recomputes an item's best cost, sellability and stock from its live offers, and appends to the
 * change feed every price, listing (sellable) and stock-status change this makes, in the same
 * statement: the feed holds exactly the changes that happened. Then reprices the items for every
 * active mall.
 */
export async function refreshItems(em: EntityManager, itemIds: readonly string[]): Promise<void> {
  if (itemIds.length === 0) return;
  await recomputeItems(em, itemIds);
  await timedReprice(em, itemIds);
}

/**
 * refreshItems without the pricing: locks the items and recomputes them from their offers, with
 * their change-feed rows (a first load's publishing prices them in a pass of its own).
 */
export async function recomputeItems(em: EntityManager, itemIds: readonly string[]): Promise<void> {
  if (itemIds.length === 0) return;
  const t0 = performance.now();
  await lockItems(em, itemIds);
  await refreshOnly(em, itemIds);
  catalogWriteSeconds.refresh += since(t0);
}

/** Locks items against other writers until the transaction ends, in id order (so two transactions never deadlock on them). */
async function lockItems(em: EntityManager, itemIds: readonly string[]): Promise<void> {
  if (itemIds.length === 0) return;
  await executeBound(em, 'select id from catalog_item where id in (select (jsonb_array_elements_text(?::jsonb))::bigint) order by id for no key update', [JSON.stringify(itemIds)]);
}

/**
 * refreshItems without the lock and the pricing: answers the items whose mall price rows this
 * changes (best cost, sellability, or stock as those rows cap it): only those need new prices.
 * The caller has locked the items (lockItems) in this transaction: another supplier's page
 * writing offers of the same items at once either held them (the lock waited for its commit, and
 * this statement, with a snapshot taken after, sees its offers) or waits for this page. Computed
 * from one statement's snapshot without the lock, the second of two such pages wrote figures
 * without the first's offers over the first's: an item's stock and best cost missing a supplier's
 * offer (12 items of 625 000 in a 1 000 000-SKU first sync).
 */
async function refreshOnly(em: EntityManager, itemIds: readonly string[]): Promise<string[]> {
  if (itemIds.length === 0) return [];
  const rows = await executeBound<{ id: string }>(
    em,
    // Per item through its offers' index (a lateral aggregate is never flattened into a join: as one,
    // stale statistics planned a scan of every offer per page, quadratic over a first sync).
    `with ids as (select distinct (jsonb_array_elements_text(?::jsonb))::bigint as item_id),
     a as (
       select ids.item_id, x.best, x.units from ids cross join lateral (
         select min(cost_fen) filter (where on_shelf and removed_at is null and coalesce(stock, 1) > 0) as best,
                sum(stock) filter (where on_shelf and removed_at is null) as units
         from catalog_offer o where o.item_id = ids.item_id having count(*) > 0
       ) x
     ),
     -- The old figures come back from the update itself, read through a second reference to the
     -- row (the statement's snapshot: before the update; the caller holds the rows locked). Read
     -- in CTEs joined to each other, they were joined by nested loops over the CTEs (no statistics
     -- there): quadratic, 1 s for a page refreshing 2 000 items.
     upd as (
       update catalog_item ci set best_cost_fen = a.best, sellable = a.best is not null, stock_units = a.units, updated_at = now()
       from a join catalog_item was on was.id = a.item_id
       where ci.id = a.item_id
         -- Only what changed: an unchanged item costs no new row version.
         and (ci.best_cost_fen, ci.sellable, ci.stock_units) is distinct from (a.best, a.best is not null, a.units)
       returning ci.id, ci.sku_id, was.best_cost_fen as was_best, was.sellable as was_sellable, was.stock_units as was_units, a.best, a.units
     ),
     feed as (
       insert into catalog_change (item_id, sku_id, change)
       select u.id, u.sku_id, c.change
       from upd u
       cross join lateral (values
         ('listing', u.was_sellable is distinct from (u.best is not null)),
         ('price', u.was_sellable and u.best is not null and u.was_best is distinct from u.best),
         -- A stock change of an item that was or becomes unsellable is already its listing change.
         ('stock', u.was_sellable and u.best is not null and ${STOCK_STATUS('u.was_units')} is distinct from ${STOCK_STATUS('u.units')})
       ) as c(change, happened)
       where c.happened
       order by u.id
     )
     -- What a mall's price row holds changed: best cost, sellability, or stock as capped there
     -- (mall-pricing.ts, cappedStock). Stock moving above 10 units changes no mall's row.
     select id from upd
     where (was_best, was_sellable, ${CAPPED('was_units')}) is distinct from (best, best is not null, ${CAPPED('units')})`,
    [JSON.stringify(itemIds)],
  );
  return rows.map((r) => String(r.id));
}

/**
 * After a full sync: offers of the supplier that the run did not see (no page of it, nor an
 * incremental page while it ran, recorded the SKU in catalog_sync_seen) stop being sold; then the
 * run's seen rows go.
 */
export async function removeUnseenOffers(em: EntityManager, supplierId: string, runId: number): Promise<number> {
  // A set difference (hashed or sorted: linear whatever the statistics say; an anti-join was planned
  // as a nested loop on a table the sync had just filled), then an index probe per unseen offer.
  const rows = await executeBound<{ item_id: string }>(em,
    `with unseen as (
       select supplier_sku_id from catalog_offer where supplier_id = ? and removed_at is null
       except
       select unnest(supplier_sku_ids) from catalog_sync_seen where run_id = ?::bigint
     )
     update catalog_offer o set removed_at = now(), updated_at = now()
     from unseen where o.supplier_id = ? and o.supplier_sku_id = unseen.supplier_sku_id and o.removed_at is null
     returning o.item_id`,
    [supplierId, runId, supplierId],
  );
  await executeBound(em, 'delete from catalog_sync_seen where run_id = ?::bigint', [runId]);
  await refreshItems(em, [...new Set(rows.map((r) => String(r.item_id)))]);
  return rows.length;
}

/** Offers a supplier says are gone (JD: removed from our product pool) stop being sold now. */
export async function removeOffers(em: EntityManager, supplierId: string, supplierSkuIds: readonly string[]): Promise<number> {
  if (supplierSkuIds.length === 0) return 0;
  const rows = await em.getConnection().execute<{ item_id: string }[]>(
    `update catalog_offer set removed_at = now(), updated_at = now()
     where supplier_id = ? and removed_at is null and supplier_sku_id in (select jsonb_array_elements_text(?::jsonb))
     returning item_id`,
    [supplierId, JSON.stringify(supplierSkuIds)],
    'all',
    em.getTransactionContext(),
  );
  await refreshItems(em, [...new Set(rows.map((r) => String(r.item_id)))]);
  return rows.length;
}

/** An item with one of its offers (every offer column null when it has none). */
export interface ItemOfferRow {
  id: string; sku_id: string; title: string; match_key: string; sellable: boolean; best_cost_fen: number | null; kind: string; brand: string | null;
  category_id: string | null; category_ids: string[]; category_path: string[];
  supplier_id: string | null; supplier_sku_id: string; cost_fen: number; stock: number | null; on_shelf: boolean; removed_at: Date | null;
}

/** An item and all its offers, removed ones included, cheapest first: one row per offer (none when the SKU is unknown). */
export async function itemWithOffers(em: EntityManager, skuId: string): Promise<ItemOfferRow[]> {
  return em.getConnection().execute<ItemOfferRow[]>(
    `select ci.id, ci.sku_id, ci.title, ci.match_key, ci.sellable, ci.best_cost_fen, ci.kind, ci.brand, ci.category_id, ci.category_ids, ci.category_path, o.supplier_id, o.supplier_sku_id, o.cost_fen, o.stock, o.on_shelf, o.removed_at
       from catalog_item ci left join catalog_offer o on o.item_id = ci.id where ci.sku_id = ? order by o.cost_fen`,
    [skuId],
  );
}
