import { TICKET_TYPES, type TicketType } from './aftersales.ts';
import { type FieldIssue, validationFailed } from './errors.ts';
import { ITEM_KINDS, type ItemKind } from './supplier-shapes.ts';

/*
 * The data board (数据看板, issue 20): the period a board covers, its buckets, the rates and shares
 * it derives from counts, and its CSV form. Pure: the counts come from src/board/.
 */

export const BOARD_BUCKETS = ['day', 'week'] as const;
export type BoardBucket = (typeof BOARD_BUCKETS)[number];

/**
 * Days and weeks are those of China Standard Time (UTC+08:00, no daylight saving): the malls' and
 * their members' business day. A bare date in `from` / `to` is a day of this zone too.
 */
export const BOARD_TIME_ZONE = 'Asia/Shanghai';
const ZONE_OFFSET = '+08:00';
/** That zone's offset from UTC. */
export const BOARD_UTC_OFFSET_MS = 8 * 3_600_000;

/** The longest period one board covers (a year, leap day included). */
export const BOARD_MAX_DAYS = 366;
/** The period when none is given: the last 30 days up to now. */
export const BOARD_DEFAULT_DAYS = 30;
/** Entries of each top list (items, failure and refund reasons). */
export const BOARD_TOP = 10;
/** Items listed over the cost limit, worst first. */
export const BOARD_FLAGGED_MAX = 50;
/**
 * The industry's 70 % rule: what the goods cost (supplier cost and freight) should stay within 70 %
 * of the value of the points paid for them, the rest paying for the mall's programme. The same
 * limit as the default pricing floor (`floorMaxCostBp` 7000, src/domain/pricing.ts).
 */
export const COST_RATIO_LIMIT = 0.7;

const DAY_MS = 86_400_000;

/** A resolved period: the half-open interval [from, to) and its buckets. */
export interface BoardPeriod {
  from: Date;
  to: Date;
  bucket: BoardBucket;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 30);

/**
 * An instant from a query: an RFC 3339 timestamp as given, or a bare date as the start of that
 * day in China Standard Time (`end`: the start of the next day, so `to=2026-12-31` takes in all of
 * the 31st). Undefined when the text is neither, or outside 1970 to 9999 (JavaScript reads year
 * 0000, which PostgreSQL does not).
 */
function instantOf(text: string, end: boolean): Date | undefined {
  const at = new Date(DATE.test(text) ? `${text}T00:00:00.000${ZONE_OFFSET}` : text);
  if (Number.isNaN(at.getTime()) || at.getTime() < EARLIEST || at.getTime() > LATEST) return undefined;
  return DATE.test(text) && end ? new Date(at.getTime() + DAY_MS) : at;
}

/**
 * The period a request asks for: `to` defaults to now, `from` to 30 days before `to`. Refused
 * (400 `validation_failed`): `from` not before `to`, or a period over 366 days.
 */
export function resolvePeriod(q: { from?: string | undefined; to?: string | undefined; bucket?: BoardBucket | undefined }, now: Date): BoardPeriod {
  const issues: FieldIssue[] = [];
  const unreadable = (field: 'from' | 'to') => issues.push({ path: `query.${field}`, message: 'not a date (YYYY-MM-DD) or an RFC 3339 timestamp between 1970 and 9999', code: 'invalid_format' });
  const to = q.to === undefined ? now : instantOf(q.to, true);
  if (!to) unreadable('to');
  const from = q.from === undefined ? to && new Date(to.getTime() - BOARD_DEFAULT_DAYS * DAY_MS) : instantOf(q.from, false);
  if (!from && q.from !== undefined) unreadable('from');
  if (from && to) {
    if (from.getTime() >= to.getTime()) issues.push({ path: 'query.from', message: 'from must be before to', code: 'invalid_period' });
    else if (to.getTime() - from.getTime() > BOARD_MAX_DAYS * DAY_MS) issues.push({ path: 'query.to', message: `the period may cover at most ${BOARD_MAX_DAYS} days`, code: 'period_too_long' });
  }
  if (issues.length || !from || !to) throw validationFailed(issues);
  return { from, to, bucket: q.bucket ?? 'day' };
}

/** `part / whole`, 0 when there is no whole. */
export const rate = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

/** The value of points in fen at a mall's rate (`pointsPerYuan` points make one yuan, 100 fen). */
export const pointsValueFen = (points: number, pointsPerYuan: number): number => (points * 100) / pointsPerYuan;

/** The board as the API answers it (GET /admin/board, GET /v1/board); money and points are integers, rates 0..1. */
export interface BoardView {
  period: { from: string; to: string; bucket: BoardBucket };
  mallId: string | null;
  totals: { orders: number; lines: number; linesAccepted: number; linesSucceeded: number; successRate: number; pointsRedeemed: number; pointsRefunded: number; cashFen: number };
  buckets: { start: string; orders: number; lines: number; linesSucceeded: number; pointsRedeemed: number; pointsRefunded: number }[];
  timeToShip: Percentiles;
  timeToIssue: Percentiles;
  failureReasons: { reason: string; count: number }[];
  refundReasons: { reason: string; count: number }[];
  topItems: { byRedemptions: TopItem[]; byPoints: TopItem[] };
  kindShares: { kind: ItemKind; lines: number; share: number }[];
  afterSales: { byType: { type: TicketType; tickets: number; rate: number }[]; bySupplier: { supplierId: string; tickets: number; rate: number }[] };
  costRatio: { overall: number | null; costFen: number; pointsValueFen: number; flagged: FlaggedItem[] };
  /** When the board's tables were last brought up to date (null: never yet). */
  asOf: string | null;
}

export interface Percentiles {
  p50Ms: number | null;
  p90Ms: number | null;
  count: number;
}

export interface TopItem {
  skuId: string;
  title: string;
  redemptions: number;
  points: number;
}

export interface FlaggedItem {
  skuId: string;
  title: string;
  costFen: number;
  pointsValueFen: number;
  ratio: number;
}

/** Every kind with its lines and share of all lines, in the domain's order (a kind without lines included, at 0). */
export function kindShares(lines: ReadonlyMap<string, number>): BoardView['kindShares'] {
  const all = [...lines.values()].reduce((a, b) => a + b, 0);
  return ITEM_KINDS.map((kind) => ({ kind, lines: lines.get(kind) ?? 0, share: rate(lines.get(kind) ?? 0, all) }));
}

/**
 * After-sales per ticket type (every type, 0 included) and per supplier (those with tickets or
 * with lines delivered or issued), each rate over the lines delivered or issued (all of them for a
 * type, the supplier's for a supplier). Suppliers by tickets, then rate, then id.
 */
export function afterSales(
  byType: ReadonlyMap<string, number>,
  bySupplier: ReadonlyMap<string, number>,
  succeeded: number,
  succeededBySupplier: ReadonlyMap<string, number>,
): BoardView['afterSales'] {
  const suppliers = new Set([...bySupplier.keys(), ...succeededBySupplier.keys()]);
  return {
    byType: TICKET_TYPES.map((type) => ({ type, tickets: byType.get(type) ?? 0, rate: rate(byType.get(type) ?? 0, succeeded) })),
    bySupplier: [...suppliers]
      .map((supplierId) => ({ supplierId, tickets: bySupplier.get(supplierId) ?? 0, rate: rate(bySupplier.get(supplierId) ?? 0, succeededBySupplier.get(supplierId) ?? 0) }))
      .sort((a, b) => b.tickets - a.tickets || b.rate - a.rate || (a.supplierId < b.supplierId ? -1 : a.supplierId > b.supplierId ? 1 : 0)),
  };
}

// ---------------------------------------------------------------------------------------------
// CSV

/** The columns of the board's CSV: one long table, one value per row (see `boardRows`). */
export const BOARD_CSV_COLUMNS = ['metric', 'start', 'key', 'title', 'value'] as const;
type Cell = string | number | null;

/**
 * The board as one long table, one value per row, in the order of the JSON: `metric` names the
 * value (`totals.orders`, `buckets.points_redeemed`, `failure_reasons.count`, …), `start` is a
 * bucket's start, `key` what a row of a list is about (a reason, a SKU, a kind, a ticket type, a
 * supplier), `title` an item's title. A null (no percentile without parcels) is an empty cell.
 */
export function boardRows(b: BoardView): Cell[][] {
  const rows: Cell[][] = [];
  const add = (metric: string, value: Cell, at: { start?: string; key?: string; title?: string } = {}) => rows.push([metric, at.start ?? null, at.key ?? null, at.title ?? null, value]);
  add('period.from', b.period.from);
  add('period.to', b.period.to);
  add('period.bucket', b.period.bucket);
  add('mall_id', b.mallId);
  add('as_of', b.asOf);
  const t = b.totals;
  for (const [k, v] of [['orders', t.orders], ['lines', t.lines], ['lines_accepted', t.linesAccepted], ['lines_succeeded', t.linesSucceeded], ['success_rate', t.successRate], ['points_redeemed', t.pointsRedeemed], ['points_refunded', t.pointsRefunded], ['cash_fen', t.cashFen]] as const) add(`totals.${k}`, v);
  for (const x of b.buckets) {
    for (const [k, v] of [['orders', x.orders], ['lines', x.lines], ['lines_succeeded', x.linesSucceeded], ['points_redeemed', x.pointsRedeemed], ['points_refunded', x.pointsRefunded]] as const) add(`buckets.${k}`, v, { start: x.start });
  }
  for (const [name, p] of [['time_to_ship', b.timeToShip], ['time_to_issue', b.timeToIssue]] as const) {
    add(`${name}.p50_ms`, p.p50Ms);
    add(`${name}.p90_ms`, p.p90Ms);
    add(`${name}.count`, p.count);
  }
  for (const r of b.failureReasons) add('failure_reasons.count', r.count, { key: r.reason });
  for (const r of b.refundReasons) add('refund_reasons.count', r.count, { key: r.reason });
  for (const [list, items] of [['by_redemptions', b.topItems.byRedemptions], ['by_points', b.topItems.byPoints]] as const) {
    for (const i of items) {
      add(`top_items.${list}.redemptions`, i.redemptions, { key: i.skuId, title: i.title });
      add(`top_items.${list}.points`, i.points, { key: i.skuId, title: i.title });
    }
  }
  for (const k of b.kindShares) {
    add('kind_shares.lines', k.lines, { key: k.kind });
    add('kind_shares.share', k.share, { key: k.kind });
  }
  for (const a of b.afterSales.byType) {
    add('after_sales.by_type.tickets', a.tickets, { key: a.type });
    add('after_sales.by_type.rate', a.rate, { key: a.type });
  }
  for (const a of b.afterSales.bySupplier) {
    add('after_sales.by_supplier.tickets', a.tickets, { key: a.supplierId });
    add('after_sales.by_supplier.rate', a.rate, { key: a.supplierId });
  }
  add('cost_ratio.overall', b.costRatio.overall);
  add('cost_ratio.cost_fen', b.costRatio.costFen);
  add('cost_ratio.points_value_fen', b.costRatio.pointsValueFen);
  for (const f of b.costRatio.flagged) {
    add('cost_ratio.flagged.cost_fen', f.costFen, { key: f.skuId, title: f.title });
    add('cost_ratio.flagged.points_value_fen', f.pointsValueFen, { key: f.skuId, title: f.title });
    add('cost_ratio.flagged.ratio', f.ratio, { key: f.skuId, title: f.title });
  }
  return rows;
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * Text that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return: failure reasons and titles come from suppliers) gets a leading `'` first, so it
 * stays text. Numbers are the hub's own and written as they are.
 */
export function csvCell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The board as CSV: a header, then `boardRows`, CRLF line ends. */
export function boardCsv(b: BoardView): string {
  return [BOARD_CSV_COLUMNS, ...boardRows(b)].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
