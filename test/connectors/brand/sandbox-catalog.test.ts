import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierSku } from '../../../connectors/connector.ts';
import { encodeCursor } from '../../../connectors/sandbox/brand/cursor.ts';
import { goodsSku, isChanged } from '../../../fixtures/catalog/index.ts';
import { BEIJING, type BrandRig, findSku, startBrandRig } from './harness.ts';

const SEED = 3;
const SKUS = 1_200;
const DAY = 24 * 3600_000;
let rig: BrandRig;
let startedBefore: Date;
let startedAfter: Date;
beforeAll(async () => {
  startedBefore = new Date(Date.now() - 1);
  rig = await startBrandRig({ id: 'brand-acme', seed: SEED, skus: SKUS });
  startedAfter = new Date();
});
afterAll(() => rig.stop());

async function pageAll(updatedSince?: Date, limit = 500): Promise<{ items: SupplierSku[]; pages: number }> {
  const items: SupplierSku[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await rig.connector.listCatalog({ cursor, limit, ...(updatedSince ? { updatedSince } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

describe('brand sandbox catalog', () => {
  it('pages the whole catalog in cursor pages of at most 500, every SKU once, matching fixtures/catalog', async () => {
    const { items, pages } = await pageAll(undefined, 10_000);
    expect(pages).toBe(3);
    expect(items).toHaveLength(SKUS);
    expect(new Set(items.map((s) => s.supplierSkuId)).size).toBe(SKUS);
    const fixture = goodsSku('brand-acme', 700, { seed: SEED, size: SKUS });
    expect(items[700]).toMatchObject({ supplierSkuId: fixture.supplierSkuId, gtin: fixture.gtin, costFen: fixture.costFen, marketPriceFen: fixture.marketPriceFen, onShelf: fixture.onShelf, kind: fixture.kind });
    expect(items.some((s) => s.kind === 'service')).toBe(true);
    expect(items.some((s) => !s.onShelf)).toBe(true);
  });

  it('lists only what a nightly revision changed for updatedSince, dated at that revision', async () => {
    expect((await pageAll(startedBefore)).items).toHaveLength(SKUS);
    expect((await pageAll(startedAfter)).items).toHaveLength(0);
    await rig.clock.advance(DAY);
    const changed = (await pageAll(startedAfter)).items;
    const expected = Array.from({ length: SKUS }, (_, i) => i).filter((i) => isChanged('brand-acme', i, 0, 1, { seed: SEED }));
    expect(expected.length).toBeGreaterThan(10);
    expect(changed.map((s) => s.supplierSkuId)).toEqual(expected.map((i) => goodsSku('brand-acme', i, { seed: SEED, size: SKUS }).supplierSkuId));
    const revisionTime = new Date(changed[0]?.updatedAt ?? 0);
    expect(changed.every((s) => s.updatedAt === revisionTime.toISOString())).toBe(true);
    expect(revisionTime.getTime() - startedAfter.getTime()).toBeLessThan(DAY);
    expect(changed[0]?.costFen).toBe(goodsSku('brand-acme', expected[0] ?? 0, { seed: SEED, size: SKUS, revision: 1 }).costFen);
    // Pulling again from just after that revision finds nothing new.
    expect((await pageAll(new Date(revisionTime.getTime() + 1))).items).toHaveLength(0);
  });

  it('streams the nightly gzip feed: the same SKUs as the pages, one per line', async () => {
    const fed: SupplierSku[] = [];
    for await (const sku of rig.connector.streamFeed()) fed.push(sku);
    const { items } = await pageAll();
    expect(fed).toEqual(items);
    const res = await fetch(`${rig.baseUrl}/v1/feeds/products.jsonl.gz`, { headers: { authorization: `Bearer ${rig.sandbox.credentials.apiKey}` } });
    expect(res.headers.get('content-type')).toBe('application/gzip');
    await res.body?.cancel();
  });

  it('refuses a cursor it did not give out', async () => {
    const res = await fetch(`${rig.baseUrl}/v1/products?cursor=bogus`, { headers: { authorization: `Bearer ${rig.sandbox.credentials.apiKey}` } });
    expect([res.status, ((await res.json()) as { error: { type: string } }).error.type]).toEqual([400, 'invalid_cursor']);
  });
});

describe('brand sandbox at benchmark size', () => {
  it('serves 250 000 SKUs by random access: the last page, live offers and an order, without building the catalog', async () => {
    const big = await startBrandRig({ id: 'brand-lumen', seed: 9, skus: 250_000 });
    try {
      const started = Date.now();
      const res = await fetch(`${big.baseUrl}/v1/products?limit=500&cursor=${encodeCursor({ index: 249_800, revision: 0, fromRevision: -1 })}`, {
        headers: { authorization: `Bearer ${big.sandbox.credentials.apiKey}` },
      });
      const page = (await res.json()) as { data: { id: string }[]; nextCursor: string | null };
      expect([page.data.length, page.data.at(-1)?.id, page.nextCursor]).toEqual([200, 'LUMEN-250000', null]);
      const offers = await big.connector.getOffers(['LUMEN-250000', 'LUMEN-123456'], { province: '浙江', city: '杭州市', district: '西湖区' });
      expect(offers.map((o) => o.supplierSkuId)).toEqual(['LUMEN-250000', 'LUMEN-123456']);
      const supplierSkuId = findSku('brand-lumen', { seed: 9, skus: 250_000, kind: 'physical' });
      const order = await big.connector.submitOrder({ reference: 'BIG-1', lines: [{ supplierSkuId, quantity: 1 }], recipient: BEIJING });
      expect([order.status, big.sandbox.ordersFor('BIG-1')]).toEqual(['accepted', 1]);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await big.stop();
    }
  });
});
