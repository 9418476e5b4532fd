import { Hono } from 'hono';
import { provinceCodeOf } from '../../shared/region.ts';
import type * as Wire from '../../brand/wire.ts';
import type { SandboxClock } from '../common/clock.ts';
import type { BrandCatalog } from './catalog.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { feedStream } from './feed.ts';
import { brandError } from './guard.ts';
import type { BrandState } from './state.ts';

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 100;
const MAX_INVENTORY_IDS = 100;
// An incremental page scans at most this many SKUs, so a sparse change set answers quickly with
// a short (even empty) page and a cursor, instead of walking the whole catalog in one request.
const SCAN_BUDGET = 20_000;

/** `GET /v1/products`, `GET /v1/feeds/products.jsonl.gz` and `GET /v1/inventory` (ours). */
export function catalogRoutes(opts: { catalog: BrandCatalog; state: BrandState; clock: SandboxClock }): Hono {
  const { catalog, state, clock } = opts;
  const app = new Hono();

  app.get('/products', (c) => {
    const limit = Math.min(MAX_LIMIT, Math.max(1, Number(c.req.query('limit') ?? DEFAULT_LIMIT) || DEFAULT_LIMIT));
    const cursorText = c.req.query('cursor');
    let cursor;
    if (cursorText) {
      cursor = decodeCursor(cursorText);
      if (!cursor) return brandError(c, 400, 'invalid_cursor', 'The cursor is not one this API gave out');
    } else {
      const sinceText = c.req.query('updatedSince');
      const since = sinceText ? new Date(sinceText) : undefined;
      if (since && Number.isNaN(since.getTime())) return brandError(c, 400, 'invalid_request', 'updatedSince must be an ISO 8601 time');
      cursor = { index: 0, revision: catalog.revisionAt(clock.now()), fromRevision: since ? catalog.fromRevisionFor(since) : -1 };
    }
    const data: Wire.Product[] = [];
    let index = cursor.index;
    const scanEnd = Math.min(catalog.size, index + SCAN_BUDGET);
    for (; index < scanEnd && data.length < limit; index++) {
      if (catalog.changed(index, cursor.fromRevision, cursor.revision)) data.push(catalog.product(catalog.sku(index, cursor.revision), state.stockOf));
    }
    const nextCursor = index < catalog.size ? encodeCursor({ ...cursor, index }) : null;
    return c.json({ data, nextCursor } satisfies Wire.ProductPage);
  });

  app.get('/feeds/products.jsonl.gz', (c) => {
    const revision = catalog.revisionAt(clock.now());
    return c.body(feedStream(catalog, revision, state.stockOf), 200, {
      'content-type': 'application/gzip',
      'content-disposition': 'attachment; filename="products.jsonl.gz"',
    });
  });

  app.get('/inventory', (c) => {
    const ids = (c.req.query('productIds') ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > MAX_INVENTORY_IDS) return brandError(c, 400, 'invalid_request', `productIds must list 1 to ${MAX_INVENTORY_IDS} ids`);
    const province = provinceCodeOf(c.req.query('province') ?? '');
    if (!province) return brandError(c, 422, 'address_unserviceable', 'province is missing or not one we deliver to');
    const revision = catalog.revisionAt(clock.now());
    const data: Wire.InventoryRow[] = [];
    for (const id of ids) {
      const sku = catalog.skuById(id, revision);
      if (!sku) continue;
      data.push({
        productId: id,
        status: sku.onShelf ? 'active' : 'inactive',
        price: { amount: sku.costFen, currency: 'CNY' },
        province,
        quantity: state.stockOf(sku, province),
        deliverable: true,
      });
    }
    return c.json({ data });
  });

  return app;
}
