import { isDeepStrictEqual } from 'node:util';
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
const q = (text: string) => items(`?q=${encodeURIComponent(text)}&sort=points_asc`);

/**
 * The request mix, one of each in turn on every connection (equal weights): the first page, the
 * filters a mall's shop front uses, substring search of two and three characters, and a second
 * page by cursor (appended by `withSecondPage`).
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
];

async function get(t: Target, path: string): Promise<{ status: number; body: { items: unknown[]; nextCursor: string | null } }> {
  const res = await fetch(`${t.url}${path}`, { headers: t.headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${t.name} GET ${path}: ${res.status} ${text.slice(0, 500)}`);
  return { status: res.status, body: JSON.parse(text) as { items: unknown[]; nextCursor: string | null } };
}

/** The mix plus the second page of the unfiltered list, by the cursor the first page returned. */
export async function withSecondPage(t: Target): Promise<string[]> {
  const first = await get(t, items());
  if (!first.body.nextCursor) throw new Error(`${t.name}: the first catalog page has no nextCursor (is the mall priced?)`);
  return [...MIX, items(`?cursor=${first.body.nextCursor}`)];
}

/** One path of the mix timed alone (median of sequential calls) on both servers, with its page size. */
export interface PathTiming {
  path: string;
  items: number;
  msA: number;
  msB: number;
}

/**
 * Checks both servers give the same answer to every path (so the load compares the same work), and
 * times each path alone: the median of `repeat` sequential calls, per server.
 */
export async function compareAndTime(a: Target, b: Target, paths: readonly string[], repeat = 5): Promise<PathTiming[]> {
  const out: PathTiming[] = [];
  const median = async (t: Target, path: string) => {
    const ms: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      await get(t, path);
      ms.push(performance.now() - t0);
    }
    return Number((ms.sort((x, y) => x - y)[Math.floor(repeat / 2)] ?? 0).toFixed(1));
  };
  for (const path of paths) {
    const [ra, rb] = [await get(a, path), await get(b, path)];
    if (!isDeepStrictEqual(ra.body, rb.body)) throw new Error(`${a.name} and ${b.name} answer ${path} differently`);
    out.push({ path, items: ra.body.items.length, msA: await median(a, path), msB: await median(b, path) });
  }
  return out;
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
