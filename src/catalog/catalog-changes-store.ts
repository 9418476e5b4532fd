import type { EntityManager } from '@mikro-orm/postgresql';

// The change feed (catalog_change): appended by refreshItems (catalog-store.ts) in the statement
// that makes each change, read by malls through GET /v1/catalog/changes, pruned by maintenance.

/** A change as a mall reads it, with the item as it is now for that mall (null where the mall does not price it). */
export interface CatalogChangeRow {
  id: string;
  sku_id: string;
  change: 'price' | 'stock' | 'listing';
  at: Date;
  points: number | null;
  cash_fen: number | null;
  sellable: boolean | null;
  stock_units: number | null;
}

/** A page of the feed after change id `after` (a cursor), oldest first, with the mall's price and stock of each item. */
export async function catalogChangesAfter(em: EntityManager, mallId: string, after: string, limit: number): Promise<CatalogChangeRow[]> {
  return em.getConnection().execute<CatalogChangeRow[]>(
    `select ch.id, ch.sku_id, ch.change, ch.at, mi.points, mi.cash_fen, mi.sellable, mi.stock_units
       from catalog_change ch left join mall_item mi on mi.item_id = ch.item_id and mi.mall_id = ?
       where ch.id > ? order by ch.id limit ?`,
    [mallId, after, limit],
  );
}

/** The id of the feed's latest change ('0' when empty): compared before and after a sync to tell whether it grew. */
export async function lastCatalogChangeId(em: EntityManager): Promise<string> {
  return String((await em.getConnection().execute<{ id: string | null }[]>('select max(id)::text id from catalog_change'))[0]?.id ?? '0');
}

/**
 * The highest change id ever handed out ('0' before the first): the feed's identity sequence, so
 * pruning does not lower it. No cursor the hub made points past it.
 */
export async function catalogChangeHead(em: EntityManager): Promise<string> {
  const [row] = await em.getConnection().execute<{ id: string }[]>("select coalesce(pg_sequence_last_value(pg_get_serial_sequence('catalog_change', 'id')::regclass), 0)::text id");
  return row?.id ?? '0';
}

/** Drops changes older than `before` (the feed's retention); returns how many. */
export async function pruneCatalogChanges(em: EntityManager, before: Date): Promise<number> {
  const affected = await em.getConnection().execute('delete from catalog_change where at < ?', [before], 'run');
  return Number((affected as { affectedRows?: number }).affectedRows ?? 0);
}
