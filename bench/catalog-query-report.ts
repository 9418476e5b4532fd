import { cpus } from 'node:os';
import type { CatalogCounts } from './bench-db.ts';
import { type LoadFigures, type PathTiming, readable } from './catalog-load.ts';
import type { BenchResult } from './bench-result.ts';

/** Hub and peer driven with the same mix at one concurrency. */
export interface LoadRun {
  c: number;
  hub: LoadFigures;
  peer: LoadFigures;
}

/** Everything the catalog-query bench measured. */
export interface QueryMeasurements {
  runs: LoadRun[];
  alone: PathTiming[];
  hubRss: number;
  peer: { version: string; items: number; exportSeconds: number; loadSeconds: number; dbMiB: number; rss: number; hopRss: number };
  priced: { items: number; seconds: number };
  search: { items: number; postings: number; seconds: number };
  counts: CatalogCounts;
  loadAtStart: number;
  setup: { seconds: number; warmupSeconds: number; poolMax: string; aloneCalls: number };
}

/** The issue's targets on this 2-core machine. */
const TARGET = { aloneMedianMs: 5, reqPerSecAt50: 1_000, p99MsAt50: 50, rssMiB: 1024 };

const en = (n: number) => n.toLocaleString('en');
const line = (f: LoadFigures) =>
  `${en(f.reqPerSec)} req/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${en(f.requests)} requests, ${f.non2xx} non-2xx, ${f.errors} errors (${f.timeouts} timeouts)`;
const mark = (ok: boolean, miss: string) => (ok ? 'pass' : `MISS ${miss}`);

/** The bench's figures (the hub's), baseline (the Groonga peer's) and verdict against the issue's targets. */
export function catalogQueryResult(m: QueryMeasurements): BenchResult {
  const figures: Record<string, number | string> = {};
  const baseline: Record<string, number | string> = {};
  Object.assign(figures, {
    catalog: `${en(m.counts.items)} items, ${en(m.counts.offers)} offers; ${en(m.priced.items)} priced for the mall in ${m.priced.seconds} s`,
    searchIndex: `${en(m.search.items)} items, ${en(m.search.postings)} postings, built in ${m.search.seconds} s (rebuildMallSearch)`,
    alone: `each path ${m.setup.aloneCalls} sequential calls after 5 warm-up ones, one connection; median / p99 in ms, round trip included`,
    mix: `${m.alone.length} URLs in turn on each connection (connection i starts at URL i), ${m.setup.seconds} s after ${m.setup.warmupSeconds} s warm-up; hub pool ${m.setup.poolMax}`,
    machine: `${cpus().length} CPUs shared by PostgreSQL, the hub, Groonga, the peer's hop and autocannon; load average ${m.loadAtStart.toFixed(1)} at start`,
  });
  baseline.peer = `Groonga ${m.peer.version} (TokenBigram over the normalised search text; points, kind and category indexed), its HTTP server through a thin Node hop, query cache off`;
  baseline.loaded = `${en(m.peer.items)} sellable items of the mall: read out of PostgreSQL in ${m.peer.exportSeconds} s, loaded and indexed in ${m.peer.loadSeconds} s, ${m.peer.dbMiB} MiB`;

  const slow: string[] = [];
  for (const t of m.alone) {
    const ok = t.hub.median <= TARGET.aloneMedianMs;
    if (!ok) slow.push(`${readable(t.path)} ${t.hub.median} ms`);
    figures[`alone ${readable(t.path)}`] = `${t.items} items; median ${t.hub.median} ms, p99 ${t.hub.p99} ms (median ≤ ${TARGET.aloneMedianMs} ms: ${mark(ok, `by ${(t.hub.median - TARGET.aloneMedianMs).toFixed(2)} ms`)})`;
    baseline[`alone ${readable(t.path)}`] = `median ${t.peer.median} ms, p99 ${t.peer.p99} ms`;
  }
  for (const { c, hub, peer } of m.runs) {
    figures[`mix @${c}`] = line(hub);
    baseline[`mix @${c}`] = line(peer);
    if (peer.reqPerSec > 0) figures[`hub/peer throughput @${c}`] = Number((hub.reqPerSec / peer.reqPerSec).toFixed(2));
  }
  figures.hubApiPeakRssMiB = m.hubRss;
  baseline.groongaPeakRssMiB = m.peer.rss;
  baseline.hopPeakRssMiB = m.peer.hopRss;

  const verdicts: string[] = [];
  verdicts.push(
    slow.length
      ? `Each query alone, median ≤ ${TARGET.aloneMedianMs} ms: MISS on ${slow.length} of ${m.alone.length} (${slow.join('; ')}).`
      : `Each query alone, median ≤ ${TARGET.aloneMedianMs} ms: pass (all ${m.alone.length}; the slowest ${Math.max(...m.alone.map((t) => t.hub.median))} ms).`,
  );
  const at50 = m.runs.find((r) => r.c === 50);
  if (at50) {
    const { hub } = at50;
    verdicts.push(`Mix @50, ≥ ${en(TARGET.reqPerSecAt50)} req/s: ${en(hub.reqPerSec)} req/s, ${mark(hub.reqPerSec >= TARGET.reqPerSecAt50, `by ${en(TARGET.reqPerSecAt50 - hub.reqPerSec)} req/s`)}.`);
    verdicts.push(`Mix @50, p99 ≤ ${TARGET.p99MsAt50} ms: ${hub.p99Ms} ms, ${mark(hub.p99Ms <= TARGET.p99MsAt50, `by ${hub.p99Ms - TARGET.p99MsAt50} ms`)}.`);
  } else {
    verdicts.push('Mix @50: not run (BENCH_QUERY_CONNECTIONS has no 50); the throughput and p99 targets are not judged.');
  }
  for (const { c, hub, peer } of m.runs) {
    const ratio = peer.reqPerSec > 0 ? `${(hub.reqPerSec / peer.reqPerSec).toFixed(1)}×` : 'n/a';
    verdicts.push(`Mix @${c}, hub throughput ≥ the peer's: hub ${en(hub.reqPerSec)} req/s vs Groonga ${en(peer.reqPerSec)} req/s (${ratio}), ${mark(hub.reqPerSec >= peer.reqPerSec, `by ${en(peer.reqPerSec - hub.reqPerSec)} req/s`)}.`);
  }
  verdicts.push(
    m.hubRss < 0
      ? 'Hub API peak RSS: unknown, the process was gone by the end of the run.'
      : `Hub API peak RSS ${m.hubRss} MiB (target ≤ ${TARGET.rssMiB} MiB: ${mark(m.hubRss <= TARGET.rssMiB, `by ${m.hubRss - TARGET.rssMiB} MiB`)}).`,
  );
  return { name: 'catalog-query', figures, baseline, verdict: verdicts.join('\n') };
}
