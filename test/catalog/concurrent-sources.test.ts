import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierSku } from '../../connectors/connector.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { refreshItems, upsertListings } from '../../src/catalog/catalog-store.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

/**
 * Two suppliers' pages writing offers of the same item at once (the four first syncs of a catalog
 * do it all the time). Each page recomputes the item's best cost and stock from its offers; one that
 * could not see the other's offer, still uncommitted, used to write its figures over the other's
 * (found in a 1 000 000-SKU sync: an item's stock missing one supplier's units).
 */

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.close());

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const listing = (gtin: string, sku: string, costFen: number, stock: number): SupplierSku => ({
  supplierSkuId: sku, title: '海尔冰箱 BCD-470 并发', brand: '海尔', model: 'BCD-470', gtin, kind: 'physical', categoryPath: ['家用电器', '冰箱'],
  supplierCategoryId: '737', images: [], attributes: {}, marketPriceFen: null, costFen, onShelf: true, stock, virtual: null, updatedAt: null,
});
const source = (supplierId: string) => ({ supplierId, supplierKind: 'brand' as const, accountId: supplierId, runId: null });

describe('offers of one item written by two suppliers at once', () => {
  it('leave the item with the best cost and the stock of all its offers, whichever commits last', async () => {
    const gtin = '6901234567892';
    await upsertListings(hub.deps.orm.em.fork(), source('brand-one'), [listing(gtin, 'one-1', 300_00, 5)]);
    const [{ id }] = (await sql<{ id: string }[]>("select id::text as id from catalog_item where match_key = 'gtin:0' || ?", [gtin])) as [{ id: string }];
    const addOffer = (tx: EntityManager, supplierId: string, costFen: number, stock: number) =>
      tx.getConnection().execute(
        `insert into catalog_offer (item_id, supplier_id, supplier_account_id, supplier_sku_id, title, cost_fen, stock, on_shelf, updated_at)
         values (?, ?, ?, ?, 'x', ?, ?, true, now())`,
        [id, supplierId, supplierId, `${supplierId}-1`, costFen, stock], 'run', tx.getTransactionContext());
    // Each page has written its offer (the item existed: neither page inserted it) when the first
    // recomputes the item and holds its transaction open; the second then recomputes it too, from
    // a snapshot without the first's offer, and the first commits.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let ready: () => void = () => undefined;
    const bothWrote = new Promise<void>((r) => (ready = r));
    let secondWrote: () => void = () => undefined;
    const secondOffer = new Promise<void>((r) => (secondWrote = r));
    const first = hub.deps.orm.em.fork().transactional(async (tx) => {
      await addOffer(tx, 'brand-two', 200_00, 7);
      await secondOffer;
      await refreshItems(tx, [id]);
      ready();
      await held;
    });
    const second = hub.deps.orm.em.fork().transactional(async (tx) => {
      await addOffer(tx, 'brand-three', 250_00, 11);
      secondWrote();
      await bothWrote;
      await refreshItems(tx, [id]);
    });
    await bothWrote;
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([first, second]);

    const [item] = await sql<{ best_cost_fen: number; stock_units: number; sellable: boolean }[]>('select best_cost_fen, stock_units, sellable from catalog_item where id = ?', [id]);
    expect(item).toEqual({ best_cost_fen: 200_00, stock_units: 5 + 7 + 11, sellable: true });
  });
});
