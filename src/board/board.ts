import type { EntityManager } from '@mikro-orm/postgresql';
import {
  afterSales,
  BOARD_FLAGGED_MAX,
  BOARD_TOP,
  BOARD_UTC_OFFSET_MS,
  type BoardBucket,
  type BoardPeriod,
  type BoardView,
  COST_RATIO_LIMIT,
  kindShares,
  rate,
  resolvePeriod,
} from '../domain/board.ts';
import type { Clock } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import { boardAggregates, type BoardSource } from './board-store.ts';

/**
 * The data board of one mall (`mallId`) or of every mall (null) over a period: read from the board
 * tables the refresh keeps (`tables`, what the API serves), or computed from the order tables now
 * (`live`: what the tables must equal; tests and the bench compare the two). A mall that does not
 * exist is `not_found`.
 */
export async function getBoard(em: EntityManager, mallId: string | null, period: BoardPeriod, source: BoardSource = 'tables'): Promise<BoardView> {
  const row = await boardAggregates(
    em,
    { mallId, from: period.from, to: period.to, bucket: period.bucket, top: BOARD_TOP, flaggedMax: BOARD_FLAGGED_MAX, costLimit: COST_RATIO_LIMIT },
    source,
  );
  if (!row.mallExists) throw notFound('mall');
  const n = (v: unknown): number => Number(v ?? 0);
  const nullable = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  const map = (o: Record<string, unknown>) => new Map(Object.entries(o).map(([k, v]) => [k, n(v)]));
  const iso = (v: string) => new Date(v).toISOString();
  const lines = n(row.totals.lines);
  const succeeded = n(row.totals.succeeded);
  const costFen = n(row.cost.costFen);
  const valueFen = n(row.cost.valueFen);
  const item = (i: BoardView['topItems']['byPoints'][number]) => ({ skuId: i.skuId, title: i.title, redemptions: n(i.redemptions), points: n(i.points) });
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString(), bucket: period.bucket },
    mallId,
    totals: {
      orders: n(row.totals.orders),
      lines,
      // Every line of an accepted order was accepted with it (intake refuses an order whole).
      linesAccepted: lines,
      linesSucceeded: succeeded,
      successRate: rate(succeeded, lines),
      pointsRedeemed: n(row.totals.points),
      pointsRefunded: n(row.refunded),
      cashFen: n(row.totals.cashFen),
    },
    buckets: row.buckets.map((b) => ({ start: iso(b.start), orders: n(b.orders), lines: n(b.lines), linesSucceeded: n(b.succeeded), pointsRedeemed: n(b.points), pointsRefunded: n(b.refunded) })),
    timeToShip: { p50Ms: nullable(row.ship.p50), p90Ms: nullable(row.ship.p90), count: n(row.ship.count) },
    timeToIssue: { p50Ms: nullable(row.issue.p50), p90Ms: nullable(row.issue.p90), count: n(row.issue.count) },
    failureReasons: row.failures.map((r) => ({ reason: r.reason, count: n(r.count) })),
    refundReasons: row.refunds.map((r) => ({ reason: r.reason, count: n(r.count) })),
    topItems: { byRedemptions: row.byRedemptions.map(item), byPoints: row.byPoints.map(item) },
    kindShares: kindShares(map(row.kinds)),
    afterSales: afterSales(map(row.ticketTypes), map(row.ticketSuppliers), succeeded, map(row.succeededBySupplier)),
    costRatio: {
      overall: valueFen > 0 ? costFen / valueFen : null,
      costFen,
      pointsValueFen: Math.round(valueFen),
      flagged: row.flagged.map((f) => ({ skuId: f.skuId, title: f.title, costFen: n(f.costFen), pointsValueFen: Math.round(n(f.valueFen)), ratio: n(f.ratio) })),
    },
    asOf: row.asOf === null ? null : iso(row.asOf),
  };
}

/** The board a request asks for: its period resolved against now (400 for a bad one), then read from the board tables. */
export async function readBoard(em: EntityManager, clock: Clock, mallId: string | null, q: { from?: string | undefined; to?: string | undefined; bucket?: BoardBucket | undefined }): Promise<BoardView> {
  return getBoard(em, mallId, resolvePeriod(q, clock.now()));
}

/**
 * The CSV file's name: the mall (or `all-malls`) and the first and last day of the period (China
 * Standard Time), in characters any header and file system take.
 */
export function boardFileName(b: BoardView): string {
  const day = (ms: number) => new Date(ms + BOARD_UTC_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
  return `board-${(b.mallId ?? 'all-malls').replace(/[^A-Za-z0-9_-]/g, '_')}-${day(Date.parse(b.period.from))}-${day(Date.parse(b.period.to) - 1)}.csv`;
}
