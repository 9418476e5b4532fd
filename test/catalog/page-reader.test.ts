import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogPage, CatalogQuery, SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { POOL_SIZE } from '../../connectors/sandbox/jd/catalog-methods.ts';
import { CatalogPageReader } from '../../src/catalog/page-reader.ts';
import { loadConfig } from '../../src/config.ts';
import { createConnectors } from '../../src/suppliers.ts';

// JD's pools hold POOL_SIZE SKUs each: a catalog of two and a half pools has pages that end a
// pool, where the reader's guess (the same pool's next page) is wrong.
const SKUS = Math.round(POOL_SIZE * 2.5);
let server: { url: string; close: () => Promise<void> };
let connectors: Map<string, SupplierConnector>;

beforeAll(async () => {
  const clock = new SandboxClock();
  const drift = { share: 0 };
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 5, skus: SKUS, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle, drift }, loadConfig({}).suppliers), clock, drift));
  connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
});
afterAll(async () => {
  await server?.close();
});

const get = (id: string) => connectors.get(id) as SupplierConnector;

/** The connector, with every catalog call counted: how many were in flight at most, and which cursors were asked for. */
function watched(inner: SupplierConnector, overrides: Partial<SupplierConnector> = {}) {
  const seen = { inFlight: 0, maxInFlight: 0, asked: [] as (string | null)[] };
  const connector = Object.assign(Object.create(inner) as SupplierConnector, {
    id: inner.id,
    listCatalog: async (q: CatalogQuery) => {
      seen.asked.push(q.cursor ?? null);
      seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
      try {
        return await (overrides.listCatalog ?? inner.listCatalog.bind(inner))(q);
      } finally {
        seen.inFlight--;
      }
    },
    cursorsAfter: 'cursorsAfter' in overrides ? overrides.cursorsAfter : inner.cursorsAfter?.bind(inner),
  });
  return { connector, seen };
}

/** Every page one after another, following nextCursor: the chain the reader must hand out. */
async function chain(c: SupplierConnector, limit: number): Promise<CatalogPage[]> {
  const pages: CatalogPage[] = [];
  let cursor: string | null = null;
  do {
    const page = await c.listCatalog({ cursor, limit });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return pages;
}

async function readAll(reader: CatalogPageReader): Promise<CatalogPage[]> {
  const pages: CatalogPage[] = [];
  for (let page = await reader.next(); page; page = await reader.next()) pages.push(page);
  return pages;
}

const skuIds = (pages: CatalogPage[]) => pages.flatMap((p) => p.items.map((s) => s.supplierSkuId));

describe('catalog page reader', () => {
  it("asks for Taobao's numbered pages several at once and hands them out in order", async () => {
    const expected = await chain(get('taobao'), 100);
    const { connector, seen } = watched(get('taobao'));
    const pages = await readAll(new CatalogPageReader(connector, null, { limit: 100 }, 4));
    expect(skuIds(pages)).toEqual(skuIds(expected));
    expect(new Set(skuIds(pages)).size).toBe(SKUS);
    expect(pages.map((p) => p.nextCursor)).toEqual(expected.map((p) => p.nextCursor));
    expect(seen.maxInFlight).toBe(4);
    // At most the read-ahead beyond the last page was asked for and dropped.
    expect(seen.asked.length).toBeGreaterThanOrEqual(expected.length);
    expect(seen.asked.length).toBeLessThanOrEqual(expected.length + 3);
  });

  it('asks one page at a time with a read-ahead of 1, and for a connector that cannot name later pages', async () => {
    const expected = skuIds(await chain(get('taobao'), 100));
    const one = watched(get('taobao'));
    expect(skuIds(await readAll(new CatalogPageReader(one.connector, null, { limit: 100 }, 1)))).toEqual(expected);
    expect(one.seen.maxInFlight).toBe(1);
    const brand = watched(get('brand-acme'));
    expect(skuIds(await readAll(new CatalogPageReader(brand.connector, null, { limit: 100 }, 4)))).toEqual(skuIds(await chain(get('brand-acme'), 100)));
    expect(brand.seen.maxInFlight).toBe(1);
  });

  it("follows JD's real next cursor where a pool ends and the guess was the same pool's next page", async () => {
    // Pages of 300: a pool of 2 000 ends with a short page, so the chain has more pages than 300s fit in the catalog.
    const expected = await chain(get('jd'), 300);
    expect(expected.length).toBeGreaterThan(Math.ceil(SKUS / 300));
    const { connector, seen } = watched(get('jd'));
    const pages = await readAll(new CatalogPageReader(connector, null, { limit: 300 }, 4));
    expect(skuIds(pages)).toEqual(skuIds(expected));
    expect(new Set(skuIds(pages)).size).toBe(SKUS);
    expect(seen.maxInFlight).toBeGreaterThan(1);
  });

  it('hands out the chain even when every guess is wrong', async () => {
    const expected = skuIds(await chain(get('taobao'), 100));
    // Guesses two pages too far: each is dropped when the page before names its real successor.
    const taobao = get('taobao');
    const { connector } = watched(taobao, { cursorsAfter: (q, n) => (taobao.cursorsAfter?.(q, n + 2) ?? []).slice(2) });
    expect(skuIds(await readAll(new CatalogPageReader(connector, null, { limit: 100 }, 4)))).toEqual(expected);
  });

  it('resumes from a cursor, and a page that fails rejects in its turn, after the pages before it', async () => {
    const expected = await chain(get('taobao'), 100);
    const from = expected[1]?.nextCursor ?? null; // page 3 on
    const taobao = get('taobao');
    const failing = expected[4]?.nextCursor; // page 6 fails
    const { connector } = watched(taobao, {
      listCatalog: (q) => (q.cursor === failing ? Promise.reject(new Error('supplier down')) : taobao.listCatalog(q)),
    });
    const reader = new CatalogPageReader(connector, from, { limit: 100 }, 4);
    const got: CatalogPage[] = [];
    await expect((async () => {
      for (let page = await reader.next(); page; page = await reader.next()) got.push(page);
    })()).rejects.toThrow('supplier down');
    expect(skuIds(got)).toEqual(skuIds(expected.slice(2, 5)));
    // Nothing is left to hand out after the failure: the caller resumes from its checkpoint.
    expect(await reader.next()).toBeNull();
  });
});
