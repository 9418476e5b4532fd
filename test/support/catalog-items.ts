import type { Region, SupplierConnector } from '../../connectors/connector.ts';
import type { TestHub } from './hub.ts';

/** An item a mall sells, with its price and the supplier SKU of each of its sources. */
export interface OfferedItem {
  skuId: string;
  points: number;
  cashFen: number;
  offers: Record<string, string>;
}

/**
 * An item of `kind` offered by exactly these sources, priced for the mall (a virtual one is a
 * recharge, which takes a recharge account, never voucher codes, which take none); for goods, one every
 * source can sell to `recipient` right now (the sandboxes restrict some SKUs by area and stock).
 */
export async function itemFrom(hub: TestHub, mallId: string, kind: string, sources: string[], recipient: Region): Promise<OfferedItem> {
  const rows = await hub.deps.orm.em.fork().getConnection().execute<{ sku_id: string; points: number; cash_fen: number; offers: Record<string, string> }[]>(
    `select ci.sku_id, mi.points, mi.cash_fen, jsonb_object_agg(o.supplier_id, o.supplier_sku_id) offers
     from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? join catalog_offer o on o.item_id = ci.id
     where ci.kind = ? and ci.match_key not like 'v:voucher|%' and mi.sellable and o.on_shelf and o.removed_at is null
     -- Exactly these sources among every live offer (a low-stock one is still a source the hub routes to), each well stocked.
     group by ci.id, mi.points, mi.cash_fen having array_agg(o.supplier_id order by o.supplier_id) = ?::text[] and bool_and(coalesce(o.stock, 100) > 20)
     order by ci.id limit 20`,
    [mallId, kind, `{${[...sources].sort().join(',')}}`],
  );
  for (const r of rows) {
    if (kind === 'physical') {
      const live = await Promise.all(Object.entries(r.offers).map(async ([s, sku]) => (await (hub.deps.connectors.get(s) as SupplierConnector).getOffers([sku], recipient))[0]));
      if (!live.every((o) => o?.sellable && o.available && (o.stock === null || o.stock > 5))) continue;
    }
    return { skuId: r.sku_id, points: r.points, cashFen: r.cash_fen, offers: r.offers };
  }
  throw new Error(`no ${kind} item offered by exactly ${sources.join(', ')} and sellable for the test address`);
}
