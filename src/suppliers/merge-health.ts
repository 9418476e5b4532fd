import type { ConnectorHealth } from '../../connectors/connector.ts';
import type { CircuitState } from '../domain/supplier-shapes.ts';

// How bad a circuit state is: the merged view shows the worst any process has.
const SEVERITY: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * One supplier's health as several hub processes see it, merged: calls, failures and calls in
 * flight added up (the error rate recomputed from the sums), the worst circuit, the latest failure,
 * and each latency percentile the highest of the processes' (their samples are not shared, so an
 * exact percentile of the union cannot be had; the highest is the one to act on).
 */
export function mergeHealth(own: ConnectorHealth, others: readonly ConnectorHealth[]): ConnectorHealth {
  const all = [own, ...others];
  const calls = all.reduce((n, h) => n + h.calls, 0);
  const failures = all.reduce((n, h) => n + h.failures, 0);
  const withCalls = all.filter((h) => h.calls > 0);
  const highest = (pick: (h: ConnectorHealth) => number | null) => {
    const values = withCalls.map(pick).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };
  const latest = all.filter((h) => h.lastErrorAt !== null).sort((a, b) => (b.lastErrorAt as string).localeCompare(a.lastErrorAt as string))[0];
  return {
    circuit: all.reduce<CircuitState>((worst, h) => (SEVERITY[h.circuit] > SEVERITY[worst] ? h.circuit : worst), 'closed'),
    inFlight: all.reduce((n, h) => n + h.inFlight, 0),
    calls,
    failures,
    errorRate: calls === 0 ? 0 : Math.round((failures / calls) * 10_000) / 10_000,
    p50Ms: highest((h) => h.p50Ms),
    p95Ms: highest((h) => h.p95Ms),
    windowMs: own.windowMs,
    lastErrorAt: latest?.lastErrorAt ?? null,
    lastError: latest?.lastError ?? null,
  };
}
