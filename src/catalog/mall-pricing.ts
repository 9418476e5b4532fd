import type { EntityManager } from '@mikro-orm/postgresql';
import { cappedStock } from '../domain/catalog-keys.ts';
import type { CatalogSelection } from '../domain/catalog-selection.ts';
import { inSelection } from '../domain/catalog-selection.ts';
import { type PricingRule, priceItem, ruleOf } from '../domain/pricing.ts';
import { executeBound } from '../persistence/bound-query.ts';

/** What pricing reads of a mall. */
interface MallRow {
  id: string;
  points_per_yuan: number;
  pricing: Partial<PricingRule>;
  catalog_selection: CatalogSelection;
  pricing_version: number;
}

interface ItemRow {
  id: string;
  sku_id: string;
  kind: string;
  brand: string | null;
  category_id: string | null;
  category_ids: string[];
  best_cost_fen: number | null;
  sellable: boolean;
  stock_units: number | null;
}

const ITEM_COLUMNS = 'id, sku_id, kind, brand, category_id, category_ids, best_cost_fen, sellable, stock_units';

/** One mall's stored price rows for a batch of items: points, cash, whether it is selected and sold. */
function priceRows(mall: MallRow, items: readonly ItemRow[]) {
  const rule = ruleOf({ pointsPerYuan: mall.points_per_yuan, pricing: mall.pricing });
  return items.map((i) => {
    const price = i.best_cost_fen === null ? { points: 0, cashFen: 0 } : priceItem(i.best_cost_fen, rule);
    const selected = inSelection({ skuId: i.sku_id, kind: i.kind, brand: i.brand, categoryIds: i.category_ids, points: price.points }, mall.catalog_selection);
    return {
      item_id: i.id, points: price.points, cash_fen: price.cashFen, kind: i.kind, category_id: i.category_id, selected,
      sellable: selected && i.sellable && i.best_cost_fen !== null, stock_units: cappedStock(i.stock_units),
    };
  });
}

async function writeRows(em: EntityManager, mallId: string, rows: ReturnType<typeof priceRows>): Promise<void> {
  if (rows.length === 0) return;
  await executeBound(
    em,
    `insert into mall_item (mall_id, item_id, points, cash_fen, kind, category_id, selected, sellable, stock_units, updated_at)
     select ?, item_id, points, cash_fen, kind, category_id, selected, sellable, stock_units, now()
     from jsonb_to_recordset(?::jsonb) as t(item_id bigint, points int, cash_fen int, kind text, category_id text, selected boolean, sellable boolean, stock_units int)
     on conflict (mall_id, item_id) do update set points = excluded.points, cash_fen = excluded.cash_fen, kind = excluded.kind,
       category_id = excluded.category_id, selected = excluded.selected, sellable = excluded.sellable, stock_units = excluded.stock_units, updated_at = now()
     where (mall_item.points, mall_item.cash_fen, mall_item.category_id, mall_item.selected, mall_item.sellable, mall_item.stock_units)
       is distinct from (excluded.points, excluded.cash_fen, excluded.category_id, excluded.selected, excluded.sellable, excluded.stock_units)`,
    [mallId, JSON.stringify(rows)],
  );
}

/**
 * Reprices the given items for every active mall, inside the caller's transaction (a sync page):
 * the catalog and every mall's prices change together. Mall rows are read FOR SHARE, so a
 * concurrent change of a mall's rule waits for this page, and the full reprice it triggers sees it.
 */
export async function repriceItems(em: EntityManager, itemIds: readonly string[]): Promise<number> {
  if (itemIds.length === 0) return 0;
  const conn = em.getConnection();
  const ctx = em.getTransactionContext();
  const malls = await conn.execute<MallRow[]>(
    "select id, points_per_yuan, pricing, catalog_selection, pricing_version from mall where status = 'active' order by id for share",
    [],
    'all',
    ctx,
  );
  if (malls.length === 0) return 0;
  const items = await conn.execute<ItemRow[]>(
    `select ${ITEM_COLUMNS} from catalog_item where id in (select (jsonb_array_elements_text(?::jsonb))::bigint) order by id`,
    [JSON.stringify(itemIds)],
    'all',
    ctx,
  );
  for (const mall of malls) await writeRows(em, mall.id, priceRows(mall, items));
  return items.length * malls.length;
}

/**
 * Reprices the whole catalog for one mall, a batch of items at a time (keyset order, so memory stays
 * flat at a million items), then records the pricing version it applied. Run by a worker when a mall
 * is created or its points rate, rule or selection changes. Pricing runs in TypeScript so the one
 * integer implementation in domain/pricing.ts is the only rule.
 */
export async function repriceMall(em: EntityManager, mallId: string, batch = 5_000): Promise<{ items: number; version: number } | null> {
  const conn = em.getConnection();
  const readMall = async () => (await conn.execute<MallRow[]>('select id, points_per_yuan, pricing, catalog_selection, pricing_version from mall where id = ?', [mallId]))[0];
  const first = await readMall();
  if (!first) return null;
  let after = '0';
  let items = 0;
  for (;;) {
    const rows = await conn.execute<ItemRow[]>(`select ${ITEM_COLUMNS} from catalog_item where id > ? order by id limit ?`, [after, batch]);
    if (rows.length === 0) break;
    after = String(rows.at(-1)?.id);
    // Settings are re-read per batch: two overlapping reprices of one mall both write the latest rule.
    const mall = (await readMall()) ?? first;
    await writeRows(em, mall.id, priceRows(mall, rows));
    items += rows.length;
  }
  // Only the version read at the start is surely applied to every batch.
  await conn.execute('update mall set priced_version = greatest(priced_version, ?) where id = ?', [first.pricing_version, mallId]);
  return { items, version: first.pricing_version };
}

/** Malls whose stored prices lag their settings (the reconciler re-enqueues these). */
export async function mallsToReprice(em: EntityManager): Promise<string[]> {
  const rows = await em.getConnection().execute<{ id: string }[]>('select id from mall where priced_version < pricing_version order by id');
  return rows.map((r) => r.id);
}

/** What each mall that prices an item charges for it, with the mall's selection (to say why it does not sell it). */
export interface MallPriceOfItem {
  mall_id: string;
  points: number;
  cash_fen: number;
  sellable: boolean;
  catalog_selection: CatalogSelection;
}

/** Every mall's price of one item, by mall id (the admin console's explanation of an item). */
export async function mallPricesOfItem(em: EntityManager, itemId: string): Promise<MallPriceOfItem[]> {
  return em.getConnection().execute<MallPriceOfItem[]>(
    'select mi.mall_id, mi.points, mi.cash_fen, mi.sellable, m.catalog_selection from mall_item mi join mall m on m.id = mi.mall_id where mi.item_id = ? order by mi.mall_id',
    [itemId],
  );
}
