import { cpus } from 'node:os';
import type { CatalogCounts } from './bench-db.ts';
import { type LoadFigures, type PathTiming, readable } from './catalog-load.ts';
import type { BenchResult } from './bench-result.ts';

/** Hub and bare server driven with the same mix at one concurrency. */
export interface LoadRun {
  c: number;
  hub: LoadFigures;
  bare: LoadFigures;
}

/** Everything the catalog-query bench measured. */
export interface QueryMeasurements {
  full: LoadRun[];
  /** The mix without the slow URLs, when there were any. */
  fast: LoadRun[] | null;
  slow: string[];
  alone: PathTiming[];
  hubRss: number;
  bareRss: number;
  priced: { items: number; seconds: number };
  counts: CatalogCounts;
  loadAtStart: number;
  setup: { seconds: number; warmupSeconds: number; poolMax: string; slowMs: number };
}

const TARGET = { throughputShare: 0.7, p99Factor: 1.5, rssMiB: 1024 };

const en = (n: number) => n.toLocaleString('en');
const line = (f: LoadFigures) =>
  `${en(f.reqPerSec)} req/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${en(f.requests)} requests, ${f.non2xx} non-2xx, ${f.errors} errors (${f.timeouts} timeouts)`;

// The two targets at one concurrency, with by how much a miss misses.
function judge({ c, hub, bare }: LoadRun, label: string): string {
  if (bare.reqPerSec === 0 || bare.p99Ms === 0) return `${label} @${c}: no comparison, the bare server completed no requests (hub ${en(hub.reqPerSec)} req/s).`;
  const share = hub.reqPerSec / bare.reqPerSec;
  const p99x = hub.p99Ms / bare.p99Ms;
  const tp = share >= TARGET.throughputShare ? 'pass' : `MISS by ${((TARGET.throughputShare - share) * 100).toFixed(1)} points (needs ${en(Math.ceil(TARGET.throughputShare * bare.reqPerSec))} req/s)`;
  const lat = p99x <= TARGET.p99Factor ? 'pass' : `MISS by ${Math.round(hub.p99Ms - TARGET.p99Factor * bare.p99Ms)} ms (needs ≤ ${Math.floor(TARGET.p99Factor * bare.p99Ms)} ms)`;
  return (
    `${label} @${c}: hub ${en(hub.reqPerSec)} req/s = ${Math.round(share * 100)} % of bare's ${en(bare.reqPerSec)} (target ≥ ${TARGET.throughputShare * 100} %: ${tp}); ` +
    `hub p99 ${hub.p99Ms} ms = ${p99x.toFixed(2)}× bare's ${bare.p99Ms} ms (target ≤ ${TARGET.p99Factor}×: ${lat}).`
  );
}

function ratios(figures: Record<string, number | string>, runs: LoadRun[], suffix: string): void {
  for (const { c, hub, bare } of runs) {
    figures[`hub @${c}${suffix}`] = line(hub);
    if (bare.reqPerSec > 0) figures[`hub/bare throughput @${c}${suffix}`] = Number((hub.reqPerSec / bare.reqPerSec).toFixed(2));
    if (bare.p99Ms > 0) figures[`hub/bare p99 @${c}${suffix}`] = Number((hub.p99Ms / bare.p99Ms).toFixed(2));
  }
}

/** The bench's figures, baseline and verdict: targets judged on the full mix, and on the fast URLs when some were slow. */
export function catalogQueryResult(m: QueryMeasurements): BenchResult {
  const fastSuffix = ' fast URLs';
  const figures: Record<string, number | string> = {};
  const baseline: Record<string, number | string> = {};
  ratios(figures, m.full, '');
  if (m.fast) ratios(figures, m.fast, fastSuffix);
  for (const { c, bare } of m.full) baseline[`bare @${c}`] = line(bare);
  for (const { c, bare } of m.fast ?? []) baseline[`bare @${c}${fastSuffix}`] = line(bare);
  figures.hubApiPeakRssMiB = m.hubRss;
  baseline.bareServerPeakRssMiB = m.bareRss;

  const verdicts = m.full.map((r) => judge(r, `Full mix (${m.alone.length} URLs)`));
  if (m.fast) {
    verdicts.push(...m.fast.map((r) => judge(r, `Without ${m.slow.map(readable).join(', ')} (slower than ${m.setup.slowMs} ms alone on either server)`)));
  }
  const rss = m.hubRss <= TARGET.rssMiB ? 'pass' : `MISS by ${m.hubRss - TARGET.rssMiB} MiB`;
  verdicts.push(`Hub API peak RSS ${m.hubRss} MiB (target ≤ ${TARGET.rssMiB} MiB: ${rss}).`);

  Object.assign(figures, {
    catalog: `${en(m.counts.items)} items, ${en(m.counts.offers)} offers; ${en(m.priced.items)} priced for the mall in ${m.priced.seconds} s`,
    mix: `${m.alone.length} URLs in turn on each connection (connection i starts at URL i), ${m.setup.seconds} s after ${m.setup.warmupSeconds} s warm-up, pool ${m.setup.poolMax} on both`,
    machine: `${cpus().length} CPUs shared by PostgreSQL, both servers and autocannon; load average ${m.loadAtStart.toFixed(1)} at start`,
  });
  for (const t of m.alone) figures[`alone ${readable(t.path)}`] = `${t.items} items; median ${t.msA} ms hub, ${t.msB} ms bare`;
  return { name: 'catalog-query', figures, baseline, verdict: verdicts.join('\n') };
}
