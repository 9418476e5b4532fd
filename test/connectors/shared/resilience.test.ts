import { describe, expect, it } from 'vitest';
import { SupplierError } from '../../../connectors/errors.ts';
import { SupplierCaller } from '../../../connectors/shared/resilience.ts';

const fast = { minRetryDelayMs: 1, maxRetryDelayMs: 2, retries: 3 };
const fail = (code: ConstructorParameters<typeof SupplierError>[1], extra = {}) => new SupplierError('acme', code, code, extra);

describe('SupplierCaller', () => {
  it('retries a retryable failure and returns the later success', async () => {
    const caller = new SupplierCaller('acme', fast);
    let n = 0;
    const out = await caller.call(async () => {
      if (++n < 3) throw fail('unavailable');
      return 'ok';
    });
    expect(out).toBe('ok');
    expect(n).toBe(3);
  });

  it('does not retry what cannot succeed later', async () => {
    for (const code of ['stockout', 'bad_signature', 'auth_failed', 'bad_request', 'not_cancellable'] as const) {
      const caller = new SupplierCaller('acme', fast);
      let n = 0;
      await expect(caller.call(async () => { n++; throw fail(code); })).rejects.toMatchObject({ code });
      expect(n, code).toBe(1);
    }
  });

  it('does not retry a write whose outcome is unknown, but retries a read that timed out', async () => {
    const caller = new SupplierCaller('acme', fast);
    let writes = 0;
    await expect(caller.call(async () => { writes++; throw fail('timeout', { outcomeUnknown: true }); }, { write: true })).rejects.toMatchObject({ outcomeUnknown: true });
    expect(writes).toBe(1);
    let reads = 0;
    await caller.call(async () => {
      if (++reads < 2) throw fail('timeout');
      return 1;
    });
    expect(reads).toBe(2);
  });

  it('waits Retry-After before retrying a rate-limited call', async () => {
    const caller = new SupplierCaller('acme', fast);
    let n = 0;
    const started = performance.now();
    await caller.call(async () => {
      if (++n === 1) throw fail('rate_limited', { retryAfterMs: 120 });
      return 1;
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('opens the circuit after consecutive failures and reports it', async () => {
    const caller = new SupplierCaller('acme', { ...fast, retries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 60_000 });
    for (let i = 0; i < 3; i++) await expect(caller.call(async () => { throw fail('unavailable'); })).rejects.toMatchObject({ code: 'unavailable' });
    expect(caller.health().circuit).toBe('open');
    let called = false;
    await expect(caller.call(async () => { called = true; return 1; })).rejects.toMatchObject({ code: 'circuit_open', retryable: true });
    expect(called).toBe(false);
  });

  it('does not open the circuit for business refusals', async () => {
    const caller = new SupplierCaller('acme', { ...fast, breakerThreshold: 2 });
    for (let i = 0; i < 5; i++) await expect(caller.call(async () => { throw fail('stockout'); })).rejects.toMatchObject({ code: 'stockout' });
    expect(caller.health().circuit).toBe('closed');
  });

  it('caps concurrent calls per supplier', async () => {
    const caller = new SupplierCaller('acme', { ...fast, concurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 8 }, () => caller.call(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
    })));
    expect(peak).toBe(2);
  });
});
