/**
 * `npm run bench -- board`: the data board (issue 20) at 1 000 000 orders of 20 malls over a year
 * (bench/board-seed.ts, its own database BENCH_BOARD_DB, default bench_board, kept between runs).
 * Times, over BENCH_BOARD_CALLS calls (20) after one warm-up each, GET /admin/board through the
 * hub's app in this process (auth, validation, the statement, JSON): a month of one mall, next to
 * the 200 ms target, and a month across malls. Peer, in the same run: the same boards computed
 * straight from the order tables (`live`, BENCH_BOARD_LIVE_CALLS calls, 5), which is what the board
 * tables save. Also timed: rebuilding the board tables from nothing (the first refresh after the
 * migration) and a refresh with nothing new (what the worker's job costs each minute).
 */
import { randomBytes } from 'node:crypto';
import { getBoard } from '../src/board/board.ts';
import { refreshBoard } from '../src/board/board-refresh.ts';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { buildDeps, closeDeps } from '../src/deps.ts';
import type { BoardPeriod } from '../src/domain/board.ts';
import { dbUrl, withClient } from './bench-db.ts';
import { BOARD_DB, ensureBoardSeed } from './board-seed.ts';
import { clearRedisPrefix } from './catalog-query.ts';
import type { BenchResult } from './bench-result.ts';

const env = process.env;
const CALLS = Number(env.BENCH_BOARD_CALLS ?? 20);
const LIVE_CALLS = Number(env.BENCH_BOARD_LIVE_CALLS ?? 5);
const TARGET_MS = 200;
const ADMIN = `bench-admin-${randomBytes(12).toString('hex')}`;
const DAY_MS = 86_400_000;

const say = (line: string) => process.stdout.write(`${line}\n`);

/** p50 and p95 of `n` timed calls (after one untimed warm-up), in ms with one decimal. */
async function timed(n: number, call: () => Promise<unknown>): Promise<{ p50: number; p95: number; calls: number }> {
  await call();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => Number((ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)] ?? 0).toFixed(1));
  return { p50: at(0.5), p95: at(0.95), calls: n };
}

export async function benchBoard(): Promise<BenchResult> {
  const seed = await ensureBoardSeed(say);
  say(`${seed.orders.toLocaleString('en')} orders, ${seed.lines.toLocaleString('en')} lines, ${seed.malls.length} malls ${seed.seededSeconds === null ? '(seed reused)' : `(seeded in ${seed.seededSeconds} s)`}`);
  const prefix = `bench_board_${randomBytes(3).toString('hex')}`;
  const config = loadConfig({ ...env, DATABASE_URL: dbUrl(BOARD_DB), HUB_REDIS_PREFIX: prefix, HUB_ADMIN_TOKEN: ADMIN, HUB_LOG_LEVEL: 'warn', HUB_ENV: 'development', HUB_SANDBOX: 'false' });
  const deps = await buildDeps(config);
  try {
    const app = createApp(deps);
    const em = () => deps.orm.em.fork();

    // The board tables from nothing, as after the migration on a hub holding a year of orders.
    await withClient((c) => c.query('truncate board_line, board_ticket, board_refund; update board_refresh set cursor = null, refreshed_at = null, lease_until = null'), BOARD_DB);
    let t0 = performance.now();
    const rebuilt = await refreshBoard(em(), deps.clock);
    const rebuildSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
    say(`board tables rebuilt from ${rebuilt?.orders.toLocaleString('en')} orders in ${rebuildSeconds} s`);
    await withClient((c) => c.query('vacuum analyze board_line, board_ticket, board_refund'), BOARD_DB);
    t0 = performance.now();
    await refreshBoard(em(), deps.clock);
    const idleRefreshMs = Number((performance.now() - t0).toFixed(1));

    const month: BoardPeriod = { from: new Date(seed.end.getTime() - 30 * DAY_MS), to: seed.end, bucket: 'day' };
    const mallId = seed.malls[0] as string;
    const query = (p: BoardPeriod, mall: string | null) => `from=${encodeURIComponent(p.from.toISOString())}&to=${encodeURIComponent(p.to.toISOString())}&bucket=${p.bucket}${mall ? `&mallId=${mall}` : ''}`;
    const http = (path: string) => async () => {
      const res = await app.request(path, { headers: { authorization: `Bearer ${ADMIN}` } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 300)}`);
      return body;
    };
    const sample = JSON.parse(await http(`/admin/board?${query(month, mallId)}`)()) as { totals: { orders: number; lines: number } };
    const across = JSON.parse(await http(`/admin/board?${query(month, null)}`)()) as { totals: { orders: number; lines: number } };
    say(`a month: ${sample.totals.orders} orders (${sample.totals.lines} lines) of ${mallId}; ${across.totals.orders} orders (${across.totals.lines} lines) across malls`);

    const mallMonth = await timed(CALLS, http(`/admin/board?${query(month, mallId)}`));
    say(`  one mall, a month, board tables (HTTP):   p50 ${mallMonth.p50} ms, p95 ${mallMonth.p95} ms (target < ${TARGET_MS} ms)`);
    const mallMonthCsv = await timed(CALLS, http(`/admin/board.csv?${query(month, mallId)}`));
    say(`  one mall, a month, CSV (HTTP):            p50 ${mallMonthCsv.p50} ms, p95 ${mallMonthCsv.p95} ms`);
    const mallMonthLive = await timed(LIVE_CALLS, () => getBoard(em(), mallId, month, 'live'));
    say(`  one mall, a month, live from order tables: p50 ${mallMonthLive.p50} ms, p95 ${mallMonthLive.p95} ms`);
    const allMonth = await timed(CALLS, http(`/admin/board?${query(month, null)}`));
    say(`  all malls, a month, board tables (HTTP):  p50 ${allMonth.p50} ms, p95 ${allMonth.p95} ms`);
    const allMonthLive = await timed(LIVE_CALLS, () => getBoard(em(), null, month, 'live'));
    say(`  all malls, a month, live:                 p50 ${allMonthLive.p50} ms, p95 ${allMonthLive.p95} ms`);
    const year: BoardPeriod = { from: new Date(seed.end.getTime() - 365 * DAY_MS), to: seed.end, bucket: 'week' };
    const mallYear = await timed(Math.max(3, Math.floor(CALLS / 4)), http(`/admin/board?${query(year, mallId)}`));
    say(`  one mall, a year by week, board tables:   p50 ${mallYear.p50} ms, p95 ${mallYear.p95} ms`);

    const pass = mallMonth.p95 < TARGET_MS;
    return {
      name: 'board',
      figures: {
        orders: seed.orders,
        lines: seed.lines,
        malls: seed.malls.length,
        mallMonthOrders: sample.totals.orders,
        mallMonthP50Ms: mallMonth.p50,
        mallMonthP95Ms: mallMonth.p95,
        mallMonthCsvP50Ms: mallMonthCsv.p50,
        allMallsMonthOrders: across.totals.orders,
        allMallsMonthP50Ms: allMonth.p50,
        allMallsMonthP95Ms: allMonth.p95,
        mallYearByWeekP50Ms: mallYear.p50,
        calls: CALLS,
        rebuildSeconds,
        idleRefreshMs,
      },
      baseline: {
        targetMs: TARGET_MS,
        liveMallMonthP50Ms: mallMonthLive.p50,
        liveMallMonthP95Ms: mallMonthLive.p95,
        liveAllMallsMonthP50Ms: allMonthLive.p50,
        liveAllMallsMonthP95Ms: allMonthLive.p95,
        liveCalls: LIVE_CALLS,
      },
      verdict:
        `${pass ? 'PASS' : 'FAIL'}: a month's board of one mall (${sample.totals.orders.toLocaleString('en')} of ${seed.orders.toLocaleString('en')} orders) answers in p50 ${mallMonth.p50} ms, p95 ${mallMonth.p95} ms (target < ${TARGET_MS} ms); ` +
        `computed from the order tables it takes p50 ${mallMonthLive.p50} ms. Across ${seed.malls.length} malls (${across.totals.orders.toLocaleString('en')} orders): p50 ${allMonth.p50} ms from the board tables, ${allMonthLive.p50} ms live. ` +
        `Rebuilding the board tables from nothing took ${rebuildSeconds} s; an idle refresh ${idleRefreshMs} ms.`,
    };
  } finally {
    await closeDeps(deps);
    await clearRedisPrefix(prefix);
  }
}
