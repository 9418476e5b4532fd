import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierOrder } from '../../../connectors/connector.ts';
import { isSupplierError, SupplierError } from '../../../connectors/errors.ts';
import { conformanceTarget as brandAcme, conformanceTargetLumen as brandLumen } from '../brand/conformance-target.ts';
import { conformanceTarget as jd } from '../jd/conformance-target.ts';
import { conformanceTarget as taobao } from '../taobao/conformance-target.ts';
import { conformanceTarget as topupFulu, conformanceTargetYike as topupYike } from '../topup/conformance-target.ts';
import type { ConformanceRun, ConformanceTarget } from './target.ts';

/**
 * One suite, every connector against its live sandbox: the behaviours the hub relies on must be
 * the same whichever supplier is behind the interface.
 */
const targets: ConformanceTarget[] = [jd, taobao, brandAcme, brandLumen, topupFulu, topupYike];

async function rejection(p: Promise<unknown>): Promise<SupplierError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SupplierError);
    return err as SupplierError;
  }
  throw new Error('expected the call to fail');
}

describe.each(targets)('$name connector against its sandbox', (target) => {
  let run: ConformanceRun;
  let n = 0;
  const ref = () => `CONF-${target.name}-${Date.now().toString(36)}-${++n}`;

  beforeAll(async () => {
    run = await target.start({ seed: 7, skus: 300 });
  });
  afterAll(() => run?.stop());

  it('pages the catalog to the end: every SKU once', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await run.connector.listCatalog({ cursor, limit: 100 });
      for (const sku of page.items) {
        expect(seen.has(sku.supplierSkuId), sku.supplierSkuId).toBe(false);
        seen.add(sku.supplierSkuId);
        expect(Number.isInteger(sku.costFen)).toBe(true);
      }
      cursor = page.nextCursor;
      expect(++pages).toBeLessThan(1_000);
    } while (cursor);
    expect(seen.size).toBe(run.expectedCatalogSize);
  });

  it('retries a 5xx and then succeeds', async () => {
    run.sandbox.faults.set({ failNext: 2 });
    const before = run.sandbox.requestCount();
    const page = await run.connector.listCatalog({ limit: 10 });
    expect(page.items.length).toBeGreaterThan(0);
    expect(run.sandbox.requestCount() - before).toBeGreaterThanOrEqual(3);
    expect(run.sandbox.faults.config.failNext).toBe(0);
  });

  it('rejects a bad signature without retrying', async () => {
    run.sandbox.faults.reset();
    const before = run.sandbox.requestCount();
    const err = await rejection(run.connectorWithWrongSecret.listCatalog({ limit: 10 }));
    // Bearer-key suppliers (brands) have no request signature: a wrong key is auth_failed, equally final.
    expect(['bad_signature', 'auth_failed']).toContain(err.code);
    expect(err.retryable).toBe(false);
    expect(run.sandbox.requestCount() - before).toBeLessThanOrEqual(2); // JD/Taobao may fetch a token first
    const hook = run.signedWebhook();
    if (hook && run.connector.inbound.mode === 'webhook') {
      const now = new Date();
      expect(run.connector.inbound.verify(hook, now).eventId).toBeTruthy();
      const tampered = { ...hook, rawBody: hook.rawBody.replace(/\d/, (d) => String((Number(d) + 1) % 10)) };
      const bad = (() => {
        try {
          run.connector.inbound.verify(tampered, now);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(isSupplierError(bad, 'bad_signature')).toBe(true);
    }
  });

  it('reports a write whose answer was lost as an unknown outcome, and finds the order by reference', async () => {
    run.sandbox.faults.set({ unknownOutcomeNext: 1 });
    const reference = ref();
    const err = await rejection(run.connector.submitOrder(run.orderRequest(reference)));
    expect(err.code).toBe('timeout');
    expect(err.outcomeUnknown).toBe(true);
    run.sandbox.faults.reset();
    const found = await run.connector.findOrder(reference);
    expect(found?.reference).toBe(reference);
    expect(run.sandbox.ordersFor(reference)).toBe(1);
  });

  it('answers the existing order for a repeated reference, never a second one', async () => {
    run.sandbox.faults.reset();
    const reference = ref();
    const first: SupplierOrder = await run.connector.submitOrder(run.orderRequest(reference));
    const second: SupplierOrder = await run.connector.submitOrder(run.orderRequest(reference));
    expect(second.supplierOrderId).toBe(first.supplierOrderId);
    expect(run.sandbox.ordersFor(reference)).toBe(1);
    expect(await run.connector.findOrder(`${reference}-never-sent`)).toBeNull();
  });

  it('maps a stockout to the one typed error', async () => {
    run.sandbox.faults.set({ stockoutSkus: [run.orderedSku] });
    const reference = ref();
    const err = await rejection(run.connector.submitOrder(run.orderRequest(reference)));
    expect(err.code).toBe('stockout');
    expect(err.retryable).toBe(false);
    run.sandbox.faults.reset();
  });
});
