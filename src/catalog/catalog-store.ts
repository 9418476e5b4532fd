import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierKind, SupplierSku } from '../../connectors/connector.ts';
import { canonicalCategory } from '../domain/canonical-category.ts';
import { bigramsOfNormalized, matchKey, normalizeText } from '../domain/catalog-keys.ts';
import { pinyinSearchKeys } from '../domain/catalog-search.ts';
import { executeBound } from '../persistence/bound-query.ts';
import { repriceItems } from './mall-pricing.ts';

/** Where a page of listings comes from. */
export interface ListingSource {
  supplierId: string;
  supplierKind: SupplierKind;
  accountId: string;
  /** The full sync run that saw these listings (offers it did not see are removed at its end); null for incremental updates. */
  runId: number | null;
}

// Rows go to PostgreSQL as one JSON parameter read by jsonb_to_recordset: one statement per page,
// whatever its size (the ORM would expand JS arrays into parameter lists).
const INPUT = `jsonb_to_recordset(?::jsonb) as t(match_key text, kind text, title text, brand text, model text, gtin text,
  category_path text[], images text[], attributes jsonb, market_price_fen int, search_grams text[], search_text text, search_pinyin text, search_initials text,
  category_id text, category_ids text[], supplier_category_path text[],
  supplier_sku_id text, cost_fen int, stock int, on_shelf boolean, supplier_category_id text)`;

/**
 * Upserts one page of a supplier's listings: the canonical item for each match key (created on
 * first sight; the first source's title and images stay), then the offer of this source, in one
 * statement; then refreshes best cost, sellability and stock of the items touched.
 */
export async function upsertListings(em: EntityManager, source: ListingSource, skus: readonly SupplierSku[]): Promise<{ items: number; offers: number }> {
  if (skus.length === 0) return { items: 0, offers: 0 };
  // Pinyin once per distinct title and brand of the page: several suppliers list the same product.
  const pinyinOf = new Map<string, { pinyin: string; initials: string }>();
  const rows = skus.map((s) => {
    const searchText = normalizeText(`${s.title} ${s.brand ?? ''} ${s.model ?? ''}`);
    const category = canonicalCategory(source.supplierKind, s);
    const pinyinKey = `${s.title}\u0000${s.brand ?? ''}`;
    let keys = pinyinOf.get(pinyinKey);
    if (!keys) pinyinOf.set(pinyinKey, (keys = pinyinSearchKeys(s.title, s.brand)));
    return {
    match_key: matchKey({ supplierId: source.supplierId, supplierSkuId: s.supplierSkuId, gtin: s.gtin, brand: s.brand, model: s.model, virtual: s.virtual }),
    kind: s.kind,
    title: s.title,
    brand: s.brand,
    model: s.model,
    gtin: s.gtin,
    category_path: category?.path ?? s.categoryPath,
    category_id: category?.id ?? null,
    category_ids: category?.ids ?? [],
    supplier_category_path: s.categoryPath,
    images: s.images,
    attributes: s.attributes,
    market_price_fen: s.marketPriceFen,
    search_grams: bigramsOfNormalized(searchText),
    search_text: searchText,
    search_pinyin: keys.pinyin,
    search_initials: keys.initials,
    supplier_sku_id: s.supplierSkuId,
    cost_fen: s.costFen,
    stock: s.stock,
    on_shelf: s.onShelf,
    supplier_category_id: s.supplierCategoryId,
    };
  });
  const touched = await executeBound<{ item_id: string }>(em,
    `with input as (select * from ${INPUT}),
     items as (
       insert into catalog_item (match_key, kind, title, brand, model, gtin, category_id, category_ids, category_path, images, attributes,
                                 market_price_fen, search_grams, search_text, search_pinyin, search_initials)
       select distinct on (match_key) match_key, kind, title, brand, model, gtin, category_id, category_ids, category_path, images, attributes,
              market_price_fen, search_grams, search_text, search_pinyin, search_initials
       from input order by match_key, category_id nulls last
       -- The first source's title and images stay; a category comes from the first source that maps to one.
       on conflict (match_key) do update set updated_at = now(),
         category_id = coalesce(catalog_item.category_id, excluded.category_id),
         category_ids = case when catalog_item.category_id is null then excluded.category_ids else catalog_item.category_ids end,
         category_path = case when catalog_item.category_id is null and excluded.category_id is not null then excluded.category_path else catalog_item.category_path end
       returning id, match_key
     )
     insert into catalog_offer as o (item_id, supplier_id, supplier_account_id, supplier_sku_id, title, cost_fen, market_price_fen, stock, on_shelf,
                                     supplier_category_id, supplier_category_path, last_sync_run_id, removed_at, updated_at)
     select items.id, ?, ?, i.supplier_sku_id, i.title, i.cost_fen, i.market_price_fen, i.stock, i.on_shelf, i.supplier_category_id, i.supplier_category_path, ?::bigint, null, now()
     from input i join items using (match_key)
     on conflict (supplier_id, supplier_sku_id) do update set
       item_id = excluded.item_id, title = excluded.title, cost_fen = excluded.cost_fen, market_price_fen = excluded.market_price_fen,
       stock = excluded.stock, on_shelf = excluded.on_shelf, supplier_category_id = excluded.supplier_category_id,
       supplier_category_path = excluded.supplier_category_path, last_sync_run_id = coalesce(excluded.last_sync_run_id, o.last_sync_run_id),
       removed_at = null, updated_at = now()
     returning item_id`,
    [JSON.stringify(rows), source.supplierId, source.accountId, source.runId],
  );
  const itemIds = [...new Set(touched.map((r) => String(r.item_id)))];
  await refreshItems(em, itemIds);
  return { items: itemIds.length, offers: touched.length };
}

// Stock as members see it, in SQL (matches domain/catalog-keys.ts stockStatus).
const STOCK_STATUS = (units: string) => `case when ${units} is null then 'in_stock' when ${units} <= 0 then 'out_of_stock' when ${units} <= 10 then 'low' else 'in_stock' end`;

/**
 * Recomputes an item's best cost, sellability and stock from its live offers, and appends to the
 * change feed every price, listing (sellable) and stock-status change this makes, in the same
 * statement: the feed holds exactly the changes that happened.
 */
export async function refreshItems(em: EntityManager, itemIds: readonly string[]): Promise<void> {
  if (itemIds.length === 0) return;
  await executeBound(
    em,
    `with a as (
       select item_id,
              min(cost_fen) filter (where on_shelf and removed_at is null and coalesce(stock, 1) > 0) as best,
              sum(stock) filter (where on_shelf and removed_at is null) as units
       from catalog_offer where item_id in (select (jsonb_array_elements_text(?::jsonb))::bigint) group by item_id
     ),
     old as (select ci.id, ci.sku_id, ci.best_cost_fen, ci.sellable, ci.stock_units from catalog_item ci join a on a.item_id = ci.id),
     upd as (
       update catalog_item ci set best_cost_fen = a.best, sellable = a.best is not null, stock_units = a.units, updated_at = now()
       from a where ci.id = a.item_id
         -- Only what changed: an unchanged item costs no new row version.
         and (ci.best_cost_fen, ci.sellable, ci.stock_units) is distinct from (a.best, a.best is not null, a.units)
       returning ci.id
     )
     insert into catalog_change (item_id, sku_id, change)
     select o.id, o.sku_id, c.change
     from old o join a on a.item_id = o.id join upd u on u.id = o.id
     cross join lateral (values
       ('listing', o.sellable is distinct from (a.best is not null)),
       ('price', o.sellable and a.best is not null and o.best_cost_fen is distinct from a.best),
       -- A stock change of an item that was or becomes unsellable is already its listing change.
       ('stock', o.sellable and a.best is not null and ${STOCK_STATUS('o.stock_units')} is distinct from ${STOCK_STATUS('a.units')})
     ) as c(change, happened)
     where c.happened
     order by o.id`,
    [JSON.stringify(itemIds)],
  );
  await repriceItems(em, itemIds);
}

/** After a full sync: offers of the supplier that the run did not see stop being sold. */
export async function removeUnseenOffers(em: EntityManager, supplierId: string, runId: number): Promise<number> {
  const rows = await em.getConnection().execute<{ item_id: string }[]>(
    `update catalog_offer set removed_at = now(), updated_at = now()
     where supplier_id = ? and removed_at is null and last_sync_run_id is distinct from ?
     returning item_id`,
    [supplierId, runId],
    'all',
    em.getTransactionContext(),
  );
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
