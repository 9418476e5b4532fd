import type { EntityManager } from '@mikro-orm/postgresql';
import { defaultPricingRule, type PricingRule, priceItem } from '../domain/pricing.ts';
import type { Mall } from './entities/mall.ts';

/** A mall's pricing rule: the contract's default at its points rate, with its stored overrides. */
export function ruleOf(mall: Pick<Mall, 'pointsPerYuan' | 'pricing'>): PricingRule {
  const o = mall.pricing as Partial<PricingRule>;
  return { ...defaultPricingRule(mall.pointsPerYuan), ...o, pointsPerYuan: mall.pointsPerYuan };
}

interface ItemRow {
  id: string;
  kind: string;
  best_cost_fen: number | null;
  sellable: boolean;
  stock_units: number | null;
}

/**
 * Recomputes the stored points of every catalog item for the given malls, a batch of items at a
 * time (keyset order, so memory stays flat at a million items). Pricing runs in TypeScript so the
 * one integer implementation in domain/pricing.ts is the only rule.
 */
export async function repriceMalls(em: EntityManager, malls: readonly Pick<Mall, 'id' | 'pointsPerYuan' | 'pricing'>[], batch = 5_000): Promise<number> {
  const conn = em.getConnection();
  let after = '0';
  let written = 0;
  for (;;) {
    const items = await conn.execute<ItemRow[]>(
      'select id, kind, best_cost_fen, sellable, stock_units from catalog_item where id > ? order by id limit ?',
      [after, batch],
    );
    if (items.length === 0) return written;
    after = String(items.at(-1)?.id);
    for (const mall of malls) {
      const rule = ruleOf(mall);
      const rows = items.map((i) => {
        const price = i.best_cost_fen === null ? { points: 0, cashFen: 0 } : priceItem(i.best_cost_fen, rule);
        return { item_id: i.id, points: price.points, cash_fen: price.cashFen, kind: i.kind, sellable: i.sellable && i.best_cost_fen !== null, stock_units: i.stock_units };
      });
      await conn.execute(
        `insert into mall_item (mall_id, item_id, points, cash_fen, kind, sellable, stock_units, updated_at)
         select ?, item_id, points, cash_fen, kind, sellable, stock_units, now()
         from jsonb_to_recordset(?::jsonb) as t(item_id bigint, points int, cash_fen int, kind text, sellable boolean, stock_units int)
         on conflict (mall_id, item_id) do update set points = excluded.points, cash_fen = excluded.cash_fen, kind = excluded.kind,
           sellable = excluded.sellable, stock_units = excluded.stock_units, updated_at = now()`,
        [mall.id, JSON.stringify(rows)],
        'run',
      );
      written += rows.length;
    }
  }
}
