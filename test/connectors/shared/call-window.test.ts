import { describe, expect, it } from 'vitest';
import { CallWindow } from '../../../connectors/shared/call-window.ts';
import { SupplierError } from '../../../connectors/errors.ts';
import { describeFailure, SupplierCaller } from '../../../connectors/shared/resilience.ts';

/** The rolling window behind a connector's health(): counts, failures and percentiles of the last minutes, O(1) to record. */

function windowAt(start = 1_000_000, opts: { windowMs?: number; buckets?: number; samplesPerSlice?: number } = {}) {
  let now = start;
  const w = new CallWindow({ windowMs: 60_000, buckets: 6, now: () => now, random: () => 0.5, ...opts });
  return { w, advance: (ms: number) => { now += ms; } };
}

describe('CallWindow', () => {
  it('reports nothing before the first call', () => {
    const { w } = windowAt();
    expect(w.stats()).toEqual({ calls: 0, failures: 0, errorRate: 0, p50Ms: null, p95Ms: null, windowMs: 60_000, lastErrorAt: null, lastError: null });
  });

  it('counts calls and failures, and gives nearest-rank percentiles of the latencies', () => {
    const { w } = windowAt();
    for (let ms = 1; ms <= 100; ms++) w.record(ms, ms % 10 === 0 ? `unavailable: HTTP 503 (${ms})` : undefined);
    const s = w.stats();
    expect(s).toMatchObject({ calls: 100, failures: 10, errorRate: 0.1, p50Ms: 50, p95Ms: 95, lastError: 'unavailable: HTTP 503 (100)' });
    expect(s.lastErrorAt).toBe(new Date(1_000_000).toISOString());
  });

  it('forgets calls older than the window slice by slice, but keeps the last error', () => {
    const { w, advance } = windowAt();
    w.record(500, 'timeout: no answer (ECONNABORTED)');
    advance(30_000);
    w.record(20);
    w.record(30);
    expect(w.stats()).toMatchObject({ calls: 3, failures: 1, p95Ms: 500 });
    advance(35_000); // the first call's slice is out of the window; the later ones are not
    expect(w.stats()).toMatchObject({ calls: 2, failures: 0, errorRate: 0, p50Ms: 20, p95Ms: 30, lastError: 'timeout: no answer (ECONNABORTED)' });
    advance(60_000);
    expect(w.stats()).toMatchObject({ calls: 0, p50Ms: null, p95Ms: null, lastError: 'timeout: no answer (ECONNABORTED)' });
    // A slice reused for a later time starts from nothing.
    w.record(7);
    expect(w.stats()).toMatchObject({ calls: 1, failures: 0, p50Ms: 7, p95Ms: 7 });
  });

  it('keeps a bounded sample per slice and weights it by the calls it stands for', () => {
    const { w, advance } = windowAt(1_000_000, { samplesPerSlice: 4 });
    // One slice with 1 000 slow calls (4 samples kept), then one slice with 4 fast ones.
    for (let i = 0; i < 1_000; i++) w.record(900);
    advance(10_000);
    for (let i = 0; i < 4; i++) w.record(10);
    const s = w.stats();
    expect(s.calls).toBe(1_004);
    // Unweighted, half of the 8 samples are fast and the median would be 10 ms.
    expect(s.p50Ms).toBe(900);
    expect(s.p95Ms).toBe(900);
  });

  it('rounds the error rate and the percentiles', () => {
    const { w } = windowAt();
    w.record(1.23456, 'x');
    w.record(2);
    w.record(3);
    expect(w.stats()).toMatchObject({ errorRate: 0.3333, p50Ms: 2, p95Ms: 3 });
    const one = windowAt().w;
    one.record(1.26);
    expect(one.stats().p50Ms).toBe(1.3);
  });
});

describe('SupplierCaller health()', () => {
  const fast = { minRetryDelayMs: 1, maxRetryDelayMs: 2 };

  it('records every attempt that reached the supplier; failures are what trips the breaker, not business refusals', async () => {
    const caller = new SupplierCaller('acme', { ...fast, retries: 2, breakerThreshold: 100 });
    let n = 0;
    await caller.call(async () => {
      if (++n < 3) throw new SupplierError('acme', 'unavailable', 'HTTP 503');
      return 1;
    });
    await expect(caller.call(async () => { throw new SupplierError('acme', 'stockout', 'out of stock'); })).rejects.toMatchObject({ code: 'stockout' });
    const h = caller.health();
    expect(h).toMatchObject({ circuit: 'closed', inFlight: 0, calls: 4, failures: 2, errorRate: 0.5, windowMs: 300_000, lastError: 'unavailable: HTTP 503' });
    expect(h.p50Ms).toBeGreaterThanOrEqual(0);
    expect(h.p95Ms).toBeGreaterThanOrEqual(h.p50Ms as number);
    expect(Date.now() - new Date(h.lastErrorAt as string).getTime()).toBeLessThan(5_000);
    // Spreads and serialises like a plain object (the admin API copies it).
    expect(JSON.parse(JSON.stringify(h))).toMatchObject({ calls: 4, failures: 2 });
    expect({ ...h }).toMatchObject({ calls: 4, failures: 2 });
  });

  it('does not count calls refused while the circuit is open', async () => {
    const caller = new SupplierCaller('acme', { ...fast, retries: 0, breakerThreshold: 2, breakerHalfOpenAfterMs: 60_000 });
    for (let i = 0; i < 2; i++) await expect(caller.call(async () => { throw new SupplierError('acme', 'timeout', 'no answer (ECONNABORTED)'); })).rejects.toMatchObject({ code: 'timeout' });
    await expect(caller.call(async () => 1)).rejects.toMatchObject({ code: 'circuit_open' });
    expect(caller.health()).toMatchObject({ circuit: 'open', calls: 2, failures: 2, errorRate: 1, lastError: 'timeout: no answer (ECONNABORTED)' });
  });

  it('places calls in the window by the connector’s clock', async () => {
    let now = new Date('2026-12-01T01:00:00Z');
    const caller = new SupplierCaller('acme', { ...fast, statsWindowMs: 60_000, statsBuckets: 6 }, () => now);
    await caller.call(async () => 1);
    expect(caller.health().calls).toBe(1);
    now = new Date(now.getTime() + 61_000);
    expect(caller.health()).toMatchObject({ calls: 0, windowMs: 60_000 });
  });

  it('describes a failure without the supplier prefix, URLs or long numbers', () => {
    expect(describeFailure(new SupplierError('jd', 'unavailable', '系统繁忙', { supplierCode: '1008' }))).toBe('unavailable (1008): 系统繁忙');
    expect(describeFailure(new SupplierError('topup-fulu', 'unavailable', 'request failed: GET https://u:p@api.example.cn/x?phone=13812345678 broke for 13812345678'))).toBe(
      'unavailable: request failed: GET <url> broke for ***********',
    );
    expect(describeFailure(new SupplierError('jd', 'invalid_response', 'x'.repeat(500))).length).toBe(200);
  });
});
