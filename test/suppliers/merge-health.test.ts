import { describe, expect, it } from 'vitest';
import type { ConnectorHealth } from '../../connectors/connector.ts';
import { mergeHealth } from '../../src/suppliers/merge-health.ts';

const health = (over: Partial<ConnectorHealth>): ConnectorHealth => ({
  circuit: 'closed', inFlight: 0, calls: 0, failures: 0, errorRate: 0, p50Ms: null, p95Ms: null, windowMs: 300_000, lastErrorAt: null, lastError: null, ...over,
});

describe('mergeHealth: one supplier as several hub processes see it', () => {
  it('adds up calls, failures and calls in flight, and recomputes the error rate from the sums', () => {
    const m = mergeHealth(health({ calls: 10, failures: 1, inFlight: 2, p50Ms: 100, p95Ms: 300 }), [health({ calls: 20, failures: 2, inFlight: 1, p50Ms: 150, p95Ms: 200 })]);
    expect(m).toMatchObject({ calls: 30, failures: 3, inFlight: 3, errorRate: 0.1, p50Ms: 150, p95Ms: 300, windowMs: 300_000 });
    expect(mergeHealth(health({ calls: 3, failures: 1 }), []).errorRate).toBe(0.3333);
  });

  it('shows the worst circuit and the latest failure', () => {
    const m = mergeHealth(health({ circuit: 'half_open', lastErrorAt: '2026-12-01T01:00:00.000Z', lastError: 'timeout' }), [
      health({ circuit: 'open', lastErrorAt: '2026-12-01T02:00:00.000Z', lastError: 'unavailable (1008): 系统繁忙' }),
      health({ circuit: 'closed' }),
    ]);
    expect(m).toMatchObject({ circuit: 'open', lastErrorAt: '2026-12-01T02:00:00.000Z', lastError: 'unavailable (1008): 系统繁忙' });
    expect(mergeHealth(health({ circuit: 'closed' }), [health({ circuit: 'half_open' })]).circuit).toBe('half_open');
  });

  it('takes latencies only from processes that made calls; none at all is null and a rate of 0', () => {
    expect(mergeHealth(health({ calls: 0, p95Ms: null }), [health({ calls: 4, p50Ms: 80, p95Ms: 90 })])).toMatchObject({ p50Ms: 80, p95Ms: 90 });
    expect(mergeHealth(health({}), [health({})])).toMatchObject({ calls: 0, errorRate: 0, p50Ms: null, p95Ms: null, lastError: null });
  });
});
