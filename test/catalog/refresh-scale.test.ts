import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshItems } from '../../src/catalog/catalog-store.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

/**
 * A first sync's page refreshes up to 2 000 items another supplier created. The refresh statement
 * once joined its CTEs to each other, which PostgreSQL (no statistics on a CTE) did by nested
 * loops: quadratic, 1 s for 2 000 items at 1 000 000 SKUs. It must stay linear.
 */

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.close());

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const N = 8_000;

describe('refreshing the items of a large page', () => {
  it('takes time in proportion to the items and writes each one change', async () => {
    await sql(
      `insert into catalog_item (match_key, kind, title, best_cost_fen, sellable, stock_units)
       select 'scale:' || g, 'physical', '规模测试 ' || g, 10000, true, 50 from generate_series(1, ?) g`, [N]);
    const items = await sql<{ id: string }[]>("select id::text as id from catalog_item where match_key like 'scale:%' order by id");
    expect(items.length).toBe(N);
    // Each item gets a second, cheaper offer with 5 more units (as a second supplier's page would).
    await sql(
      `insert into catalog_offer (item_id, supplier_id, supplier_account_id, supplier_sku_id, title, cost_fen, stock, on_shelf)
       select id, s.supplier, s.supplier, s.supplier || '-' || id, 'x', s.cost, s.stock, true
       from catalog_item, (values ('scale-a', 10000, 50), ('scale-b', 9000, 5)) as s(supplier, cost, stock)
       where match_key like 'scale:%'`);
    const [{ n: feedBefore } = { n: '0' }] = await sql<{ n: string }[]>('select count(*)::text n from catalog_change');
    const started = performance.now();
    await hub.deps.orm.em.fork().transactional(async (tx) => {
      // Nested loops, as PostgreSQL planned the joins with a large catalog's statistics (this small
      // database's plan hashed them, which hid the quadratic join).
      await tx.getConnection().execute('set local enable_hashjoin = off; set local enable_mergejoin = off', [], 'run', tx.getTransactionContext());
      await refreshItems(tx, items.map((i) => i.id));
    });
    const seconds = (performance.now() - started) / 1000;
    const after = await sql<{ best: number; units: number; n: string }[]>(
      "select min(best_cost_fen) best, max(stock_units) units, count(*)::text n from catalog_item where match_key like 'scale:%' and best_cost_fen = 9000 and stock_units = 55");
    expect(after[0]).toEqual({ best: 9_000, units: 55, n: String(N) });
    const feed = await sql<{ change: string; n: string }[]>('select change, count(*)::text n from catalog_change where id > (select coalesce(max(id), 0) from catalog_change) - ? group by change', [N]);
    expect(Number((await sql<{ n: string }[]>('select count(*)::text n from catalog_change'))[0]?.n) - Number(feedBefore)).toBe(N);
    expect(feed).toEqual([{ change: 'price', n: String(N) }]); // the stock stays "in stock": no stock change
    // Linear: about 0.25 s here; the statement that joined its CTEs took 4.6 s for as many items.
    expect(seconds).toBeLessThan(2);
  });
});
