import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSupplierError, type SupplierError } from '../../../connectors/errors.ts';
import type { ConformanceRun } from '../conformance/target.ts';
import { conformanceTarget, conformanceTargetYike } from './conformance-target.ts';

// The lead's conformance suite, in brief, against both top-up targets: what it checks must pass here first.

async function rejection(p: Promise<unknown>): Promise<SupplierError> {
  return p.then(
    () => expect.unreachable('expected the call to fail'),
    (err: unknown) => {
      expect(isSupplierError(err)).toBe(true);
      return err as SupplierError;
    },
  );
}

describe.each([conformanceTarget, conformanceTargetYike])('$name conformance target', (target) => {
  let run: ConformanceRun;
  let n = 0;
  const ref = () => `CONF-${target.name}-${++n}`;
  beforeAll(async () => {
    run = await target.start({ seed: 7, skus: 300 });
  });
  afterAll(() => run?.stop());

  it('pages the whole product list once', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = await run.connector.listCatalog({ cursor, limit: 100 });
      for (const sku of page.items) seen.add(sku.supplierSkuId);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.size).toBe(run.expectedCatalogSize);
  });

  it('retries failNext and then reads', async () => {
    run.sandbox.faults.set({ failNext: 2 });
    const before = run.sandbox.requestCount();
    expect((await run.connector.listCatalog({ limit: 10 })).items).toHaveLength(10);
    expect(run.sandbox.requestCount() - before).toBe(3);
  });

  it('rejects the wrong secret with one request, and a tampered callback', async () => {
    run.sandbox.faults.reset();
    const before = run.sandbox.requestCount();
    const err = await rejection(run.connectorWithWrongSecret.listCatalog({ limit: 10 }));
    expect([err.code, err.retryable, run.sandbox.requestCount() - before]).toEqual(['bad_signature', false, 1]);
    const hook = run.signedWebhook();
    const inbound = run.connector.inbound;
    if (!hook || inbound.mode !== 'webhook') throw new Error('top-up must push callbacks');
    const now = new Date();
    expect(inbound.verify(hook, now).eventId).toBe('CONF-1:success');
    const tampered = { ...hook, rawBody: hook.rawBody.replace(/\d/, (d) => String((Number(d) + 1) % 10)) };
    expect(() => inbound.verify(tampered, now)).toThrow(expect.objectContaining({ code: 'bad_signature' }));
  });

  it('reports a lost answer as unknown, then findOrder finds the one order', async () => {
    run.sandbox.faults.set({ unknownOutcomeNext: 1 });
    const reference = ref();
    const err = await rejection(run.connector.submitOrder(run.orderRequest(reference)));
    expect([err.code, err.outcomeUnknown]).toEqual(['timeout', true]);
    run.sandbox.faults.reset();
    expect((await run.connector.findOrder(reference))?.reference).toBe(reference);
    expect(run.sandbox.ordersFor(reference)).toBe(1);
  });

  it('answers the existing order for a repeated reference', async () => {
    const reference = ref();
    const first = await run.connector.submitOrder(run.orderRequest(reference));
    const second = await run.connector.submitOrder(run.orderRequest(reference));
    expect(second.supplierOrderId).toBe(first.supplierOrderId);
    expect(run.sandbox.ordersFor(reference)).toBe(1);
    expect(await run.connector.findOrder(`${reference}-never-sent`)).toBeNull();
  });

  it('maps a stockout of the ordered product', async () => {
    run.sandbox.faults.set({ stockoutSkus: [run.orderedSku] });
    const err = await rejection(run.connector.submitOrder(run.orderRequest(ref())));
    expect([err.code, err.retryable]).toEqual(['stockout', false]);
    run.sandbox.faults.reset();
  });
});
