import autocannon from 'autocannon';

/** One server under load: where it is and the headers every request carries. */
export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

/** What one autocannon run measured. */
export interface LoadFigures {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const items = (query = '') => `/v1/catalog/items${query}`;
// Sorted by points, as before sorts existed and as the peer engine is asked (relevance is the default with a q).
const q = (text: string, more = '') => items(`?q=${encodeURIComponent(text)}${more}&sort=points_asc`);

/**
 * The request mix, one of each in turn on every connection (equal weights): the first page, the
 * filters a mall's shop front uses, substring search of two and three characters, search within
 * a points range and within a category, and a second page by cursor (appended by `withSecondPage`).
 * Every one returns a full page at 1 000 000 SKUs and at BENCH_SKUS_PER_SUPPLIER=25000.
 */
export const MIX: readonly string[] = [
  items(),
  items('?kind=virtual'),
  items(`?category=${encodeURIComponent('冰箱')}`),
  items('?pointsMin=5000&pointsMax=10000'),
  items('?pointsMin=100000&pointsMax=200000'),
  items('?inStock=true'),
  q('冰箱'),
  q('手机'),
  q('海尔'),
  q('洗衣机'),
  q('吸尘器'),
  q('冰箱', '&pointsMin=300000&pointsMax=600000'),
  q('海尔', `&category=${encodeURIComponent('冰箱')}`),
  q('手机', `&category=${encodeURIComponent('手机数码')}`),
];

interface Page { items: { skuId: string; points: number }[]; nextCursor: string | null }

async function get(t: Target, path: string): Promise<Page> {
  const res = await fetch(`${t.url}${path}`, { headers: t.headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${t.name} GET ${path}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Page;
}

/** The mix plus the second page of the unfiltered list, by the cursor the first page returned. */
export async function withSecondPage(t: Target): Promise<string[]> {
  const first = await get(t, items());
  if (!first.nextCursor) throw new Error(`${t.name}: the first catalog page has no nextCursor (is the mall priced?)`);
  return [...MIX, items(`?cursor=${first.nextCursor}`)];
}

/** Median and p99 of one path's sequential calls, in ms. */
export interface Latency {
  median: number;
  p99: number;
}

/** One path of the mix timed alone on both servers, with its page size. */
export interface PathTiming {
  path: string;
  items: number;
  hub: Latency;
  peer: Latency;
}

const sequence = (p: Page) => p.items.map((i) => `${i.skuId}@${i.points}`);

/**
 * Checks both servers give the same page for every path (the same items, skuId and points, in
 * the same order, and both a next page or neither), so the load compares the same work; fails
 * loudly on the first difference.
 */
export async function comparePages(a: Target, b: Target, paths: readonly string[], log: (s: string) => void): Promise<void> {
  for (const path of paths) {
    const [pa, pb] = [await get(a, path), await get(b, path)];
    const [sa, sb] = [sequence(pa), sequence(pb)];
    const at = sa.findIndex((x, i) => x !== sb[i]);
    if (sa.length !== sb.length || at >= 0 || (pa.nextCursor === null) !== (pb.nextCursor === null)) {
      throw new Error(
        `${a.name} and ${b.name} answer ${readable(path)} differently: ${sa.length} vs ${sb.length} items, next page ${pa.nextCursor !== null} vs ${pb.nextCursor !== null}` +
          (at >= 0 ? `; first difference at #${at}: ${sa[at]} vs ${sb[at] ?? 'nothing'}` : ''),
      );
    }
    if (sa.length === 0) throw new Error(`${readable(path)} finds nothing on either server: pick a value with hits`);
    log(`  same ${sa.length} items on both${pa.nextCursor === null ? ' (the whole result: not a full page with a next one)' : ''}: ${readable(path)}`);
  }
}

/** `repeat` sequential calls after `warmup` discarded ones: median and p99 (the nearest rank). */
export async function timeAlone(t: Target, path: string, repeat = 50, warmup = 5): Promise<{ latency: Latency; items: number }> {
  const ms: number[] = [];
  let n = 0;
  for (let i = 0; i < warmup + repeat; i++) {
    const t0 = performance.now();
    n = (await get(t, path)).items.length;
    if (i >= warmup) ms.push(performance.now() - t0);
  }
  ms.sort((x, y) => x - y);
  const at = (p: number) => Number((ms[Math.min(ms.length - 1, Math.ceil(ms.length * p) - 1)] ?? 0).toFixed(2));
  return { latency: { median: at(0.5), p99: at(0.99) }, items: n };
}

/** A path as people read it: decoded, the cursor elided. */
export const readable = (path: string): string => decodeURIComponent(path.replace(/cursor=[^&]+/, 'cursor=…')).replace('/v1/catalog/items', '') || '(no filter)';

/**
 * Drives a server with the mix: a warm-up that is discarded, then the measured run. Connection i
 * starts at the i-th URL of the mix, so the connections do not all ask for the same URL at once.
 */
export async function drive(t: Target, paths: readonly string[], connections: number, seconds: number, warmupSeconds: number): Promise<LoadFigures> {
  const run = (duration: number) => {
    let next = 0;
    return autocannon({
      url: t.url, connections, duration, headers: t.headers,
      requests: paths.map((path) => ({ method: 'GET', path })),
      setupClient: (client) => {
        const k = next++ % paths.length;
        client.setRequests([...paths.slice(k), ...paths.slice(0, k)].map((path) => ({ method: 'GET', path })));
      },
    });
  };
  if (warmupSeconds > 0) await run(warmupSeconds);
  const r = await run(seconds);
  return {
    reqPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}
