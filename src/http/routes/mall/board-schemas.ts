import { z } from '@hono/zod-openapi';
import { BOARD_BUCKETS, BOARD_CSV_COLUMNS, BOARD_FLAGGED_MAX, BOARD_MAX_DAYS, BOARD_TOP, type BoardView, boardCsv } from '../../../domain/board.ts';
import { ItemKindSchema, MALL_ID_EXAMPLE, queryParam, Timestamp } from '../../schemas.ts';
import { TicketTypeSchema } from './aftersales.ts';

/*
 * The data board's query, JSON answer and CSV, shared by GET /v1/board (a mall's own) and
 * GET /admin/board (one mall or all, for staff).
 */

/** A bare date (a day of China Standard Time) or an RFC 3339 timestamp with its zone. */
const Instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const BoardQuery = z.object({
  from: queryParam('from', Instant.optional(), 'Start of the period, included: a date (`2026-11-01`, the start of that day in China Standard Time, UTC+08:00) or an RFC 3339 timestamp (send `+` as `%2B`). Default: 30 days before `to`', '2026-11-01'),
  to: queryParam('to', Instant.optional(), 'End of the period: a date takes in that whole day (`2026-11-30` ends at midnight after it, +08:00); a timestamp is excluded. Default: now. At most 366 days after `from`', '2026-11-30'),
  bucket: queryParam('bucket', z.enum(BOARD_BUCKETS).optional(), '`day` (default) or `week` (Monday to Sunday), in China Standard Time', 'day'),
});

const Percentiles = z
  .object({
    p50Ms: z.number().int().min(0).nullable().openapi({ description: 'Median in ms: a value some line had (`percentile_disc`); null without any', example: 93_600_000 }),
    p90Ms: z.number().int().min(0).nullable().openapi({ description: '90th percentile in ms; null without any', example: 187_200_000 }),
    count: z.number().int().min(0).openapi({ description: 'Lines measured', example: 3_702 }),
  })
  .openapi('BoardPercentiles');

const Reason = z.object({ reason: z.string().openapi({ example: 'no source could sell it: out of stock' }), count: z.number().int().min(0) });

const TopItem = z
  .object({
    skuId: z.string().openapi({ example: 'sku_5f0c2a9e7d4b4e1f8a3c6b2d9e0f1a2b' }),
    title: z.string().openapi({ description: 'As the catalog names it now', example: '小米 Redmi Buds 6 活力版 蓝牙耳机' }),
    redemptions: z.number().int().min(0).openapi({ description: 'Units redeemed (a line of 2 units counts 2)', example: 412 }),
    points: z.number().int().min(0).openapi({ description: 'Points paid for them at acceptance', example: 3_213_600 }),
  })
  .openapi('BoardTopItem');

export const Board = z
  .object({
    period: z.object({
      from: Timestamp.openapi({ description: 'Start of the period, included (UTC)' }),
      to: Timestamp.openapi({ description: 'End of the period, excluded (UTC)' }),
      bucket: z.enum(BOARD_BUCKETS),
    }),
    mallId: z.string().nullable().openapi({ description: 'The mall counted; null: every mall (GET /admin/board without `mallId`)', example: MALL_ID_EXAMPLE }),
    totals: z
      .object({
        orders: z.number().int().min(0).openapi({ description: 'Orders accepted in the period' }),
        lines: z.number().int().min(0).openapi({ description: 'Their lines' }),
        linesAccepted: z.number().int().min(0).openapi({ description: 'Lines accepted: every line of an accepted order (the same as `lines`; the success rate’s denominator)' }),
        linesSucceeded: z.number().int().min(0).openapi({ description: 'Of those, lines delivered or issued (counted even if returned or refunded after-sales since)' }),
        successRate: z.number().min(0).max(1).openapi({ description: '`linesSucceeded / linesAccepted` (0 without lines); lines still on their way count as not (yet) succeeded' }),
        pointsRedeemed: z.number().int().min(0).openapi({ description: 'Points paid for those lines at acceptance' }),
        pointsRefunded: z.number().int().min(0).openapi({ description: 'Points refunded in the period (the ledger’s refunds by when they were made, whatever order they belong to)' }),
        cashFen: z.number().int().min(0).openapi({ description: 'Cash (fen) paid with the points for those lines' }),
      })
      .openapi('BoardTotals'),
    buckets: z
      .array(
        z.object({
          start: Timestamp.openapi({ description: 'Start of the day or week (midnight, China Standard Time, written in UTC)' }),
          orders: z.number().int().min(0),
          lines: z.number().int().min(0),
          linesSucceeded: z.number().int().min(0),
          pointsRedeemed: z.number().int().min(0),
          pointsRefunded: z.number().int().min(0),
        }),
      )
      .openapi({ description: 'Every day or week the period touches, oldest first, empty ones included (积分消耗趋势). The first and last may be partly outside the period: only what falls inside is counted' }),
    timeToShip: Percentiles.openapi({ description: 'From the order’s acceptance to the first scan of the line’s first parcel (`shipment.shipped_at`), lines with a parcel scanned' }),
    timeToIssue: Percentiles.openapi({ description: 'From the order’s acceptance to the line’s issuance (virtual goods, e-vouchers)' }),
    failureReasons: z.array(Reason).openapi({ description: `The ${BOARD_TOP} commonest reasons lines of the period failed (\`failure_reason\`), most lines first` }),
    refundReasons: z.array(Reason).openapi({ description: `The ${BOARD_TOP} commonest reasons of the period’s refunds (failed or cancelled units, after-sales, staff), most refunds first; \`unspecified\` when none was given` }),
    topItems: z.object({
      byRedemptions: z.array(TopItem).openapi({ description: `The ${BOARD_TOP} items with most units redeemed` }),
      byPoints: z.array(TopItem).openapi({ description: `The ${BOARD_TOP} items with most points paid` }),
    }),
    kindShares: z
      .array(z.object({ kind: ItemKindSchema, lines: z.number().int().min(0), share: z.number().min(0).max(1).openapi({ description: 'Of all lines (0 without lines)' }) }))
      .openapi({ description: 'Lines of each kind (`physical`, `virtual`, `service`), every kind listed' }),
    afterSales: z.object({
      byType: z
        .array(z.object({ type: TicketTypeSchema, tickets: z.number().int().min(0), rate: z.number().min(0).openapi({ description: '`tickets / totals.linesSucceeded` (0 without)' }) }))
        .openapi({ description: 'After-sales tickets opened on the period’s lines, by type, every type listed' }),
      bySupplier: z
        .array(
          z.object({
            supplierId: z.string().openapi({ example: 'jd' }),
            tickets: z.number().int().min(0),
            rate: z.number().min(0).openapi({ description: 'Its tickets over the lines it delivered or issued (0 without)' }),
          }),
        )
        .openapi({ description: 'By supplier: the one a ticket was taken to, else the one that fulfilled its line; every supplier with tickets or with lines delivered or issued, most tickets first. A rate may pass 1 only when lines not yet delivered get tickets (`not_received`)' }),
    }),
    costRatio: z
      .object({
        overall: z.number().min(0).nullable().openapi({ description: '`costFen / pointsValueFen` of the lines delivered or issued; null when their points are worth nothing' }),
        costFen: z.number().int().min(0).openapi({ description: 'Supplier cost and freight booked for the lines delivered or issued (attempts given up left out)' }),
        pointsValueFen: z.number().int().min(0).openapi({ description: 'What their points are worth in fen at each mall’s `pointsPerYuan` (100 points = 1 yuan by default); cash paid is not included' }),
        flagged: z
          .array(
            z.object({
              skuId: z.string(),
              title: z.string(),
              costFen: z.number().int().min(0),
              pointsValueFen: z.number().int().min(0),
              ratio: z.number().min(0),
            }),
          )
          .openapi({ description: `Items whose cost is above 70 % of the value of their points (the industry’s 70 % rule), worst first, at most ${BOARD_FLAGGED_MAX}` }),
      })
      .openapi('BoardCostRatio'),
    asOf: Timestamp.nullable().openapi({ description: 'When the board’s tables were last brought up to date (every `HUB_BOARD_REFRESH_EVERY_MS`, a minute by default): what happened since is not counted yet. null before the first refresh' }),
  })
  .openapi('Board');

export const BOARD_EXAMPLE: BoardView = {
  period: { from: '2026-10-31T16:00:00.000Z', to: '2026-11-02T16:00:00.000Z', bucket: 'day' },
  mallId: MALL_ID_EXAMPLE,
  totals: { orders: 2_480, lines: 3_224, linesAccepted: 3_224, linesSucceeded: 2_911, successRate: 0.9029, pointsRedeemed: 24_183_400, pointsRefunded: 1_204_300, cashFen: 129_000 },
  buckets: [
    { start: '2026-10-31T16:00:00.000Z', orders: 1_312, lines: 1_701, linesSucceeded: 1_540, pointsRedeemed: 12_906_100, pointsRefunded: 588_200 },
    { start: '2026-11-01T16:00:00.000Z', orders: 1_168, lines: 1_523, linesSucceeded: 1_371, pointsRedeemed: 11_277_300, pointsRefunded: 616_100 },
  ],
  timeToShip: { p50Ms: 93_600_000, p90Ms: 187_200_000, count: 1_830 },
  timeToIssue: { p50Ms: 41_000, p90Ms: 312_000, count: 1_017 },
  failureReasons: [
    { reason: 'no source could sell it: out of stock', count: 96 },
    { reason: 'supplier refused: address unserviceable', count: 31 },
  ],
  refundReasons: [
    { reason: 'no source could sell it: out of stock', count: 96 },
    { reason: '会员取消', count: 58 },
    { reason: '售后退款：damaged', count: 7 },
  ],
  topItems: {
    byRedemptions: [{ skuId: 'sku_5f0c2a9e7d4b4e1f8a3c6b2d9e0f1a2b', title: '小米 Redmi Buds 6 活力版 蓝牙耳机', redemptions: 412, points: 3_213_600 }],
    byPoints: [{ skuId: 'sku_8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', title: '美的 电饭煲 MB-FB40S701 4L', redemptions: 97, points: 4_170_000 }],
  },
  kindShares: [
    { kind: 'physical', lines: 2_127, share: 0.6597 },
    { kind: 'virtual', lines: 998, share: 0.3096 },
    { kind: 'service', lines: 99, share: 0.0307 },
  ],
  afterSales: {
    byType: [
      { type: 'return', tickets: 12, rate: 0.0041 },
      { type: 'exchange', tickets: 3, rate: 0.001 },
      { type: 'damaged', tickets: 9, rate: 0.0031 },
      { type: 'missing_item', tickets: 1, rate: 0.0003 },
      { type: 'wrong_item', tickets: 2, rate: 0.0007 },
      { type: 'not_received', tickets: 5, rate: 0.0017 },
      { type: 'virtual_not_received', tickets: 4, rate: 0.0014 },
    ],
    bySupplier: [
      { supplierId: 'jd', tickets: 17, rate: 0.0154 },
      { supplierId: 'taobao', tickets: 10, rate: 0.0189 },
      { supplierId: 'topup-fulu', tickets: 4, rate: 0.0044 },
    ],
  },
  costRatio: {
    overall: 0.6312,
    costFen: 14_026_100,
    pointsValueFen: 22_221_000,
    flagged: [{ skuId: 'sku_8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', title: '美的 电饭煲 MB-FB40S701 4L', costFen: 3_120_000, pointsValueFen: 4_170_000, ratio: 0.7482 }],
  },
  asOf: '2026-11-03T02:14:00.118Z',
};

/** The CSV answer: one long table (`metric,start,key,title,value`), as domain/board.ts writes it. */
export const boardCsvResponse = (description: string) => ({
  description: `${description}. UTF-8 with a byte order mark (so spreadsheets read the Chinese right), CRLF line ends, RFC 4180 quoting; a text cell starting with \`=\`, \`+\`, \`-\`, \`@\`, a tab or a carriage return gets a leading \`'\` so no spreadsheet runs it as a formula. Columns: ${BOARD_CSV_COLUMNS.map((c) => `\`${c}\``).join(', ')}; one value per row, \`metric\` naming it as the JSON does (\`totals.orders\`, \`buckets.points_redeemed\` with \`start\`, \`failure_reasons.count\` with the reason in \`key\`, \`top_items.by_points.points\` with the SKU in \`key\` and its \`title\`, …)`,
  headers: { 'Content-Disposition': { description: 'An attachment with a file name naming the mall and the period', schema: { type: 'string' as const, example: 'attachment; filename="board-mall_0196a3c2e1f07c3a8b1d2e3f4a5b6c7d-20261101-20261103.csv"' } } },
  content: { 'text/csv': { schema: z.string(), example: `\uFEFF${boardCsv(BOARD_EXAMPLE).split('\r\n').slice(0, 14).join('\r\n')}\r\n` } },
});

/** The periods a board may cover, in words, for the routes' descriptions. */
export const BOARD_PERIOD_RULES = `\`from\` and \`to\` are dates (days of China Standard Time, UTC+08:00; \`to\` takes in its whole day) or RFC 3339 timestamps; the period is [from, to), by default the 30 days up to now, at most ${BOARD_MAX_DAYS} days. \`from\` not before \`to\`, a longer period, or a value that is neither is 400 \`validation_failed\`.`;
