import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBoard } from '../../src/board/board.ts';
import { refreshBoard } from '../../src/board/board-refresh.ts';
import { BOARD_CSV_COLUMNS, type BoardView, resolvePeriod } from '../../src/domain/board.ts';
import type { LineStatus } from '../../src/domain/order-status.ts';
import { setLineStatus } from '../../src/orders/line-store.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

/**
 * The data board (issue 20): orders with known outcomes written straight into the order tables
 * (as intake, the workflows and after-sales leave them), the board tables brought up to date by
 * the refresh, then every number of GET /admin/board and GET /v1/board checked, with its CSV, a
 * mall's isolation, the refusals, and the kept tables against the board computed from the order
 * tables after more orders and changes arrive.
 */

let hub: TestHub;
let mallA: { mallId: string; apiKey: string };
let mallB: { mallId: string; apiKey: string };
let agent: string;
const items: Record<'P1' | 'P2' | 'V1' | 'S1', { id: string; skuId: string; title: string }> = {} as never;
const lines: Record<string, string> = {};
const orders: Record<string, string> = {};

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const HOUR = 3_600_000;

interface LineSpec {
  name: string;
  item: keyof typeof items;
  qty?: number;
  points: number;
  cash?: number;
  status: LineStatus;
  source?: string;
  failureReason?: string;
  /** From acceptance to the parcel's first scan. */
  shipMs?: number;
  /** From acceptance to the issuance being recorded. */
  issueMs?: number;
  costFen?: number;
  freightFen?: number;
  /** A first attempt at another source that booked a cost and was then cancelled there. */
  givenUp?: { source: string; costFen: number };
  refund?: { points: number; reason: string; at: string };
}

/** An order as intake, the line workflows and refunds leave it; `at` is its acceptance. */
async function order(name: string, mallId: string, at: string, specs: LineSpec[], updatedAt = at): Promise<void> {
  const orderId = `ord_${name}_${randomBytes(4).toString('hex')}`;
  orders[name] = orderId;
  const accepted = new Date(at);
  await sql("insert into mall_order (id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, status, created_at, updated_at) values (?, ?, ?, ?, 'h', 'm-1', 'in_progress', ?, ?)", [
    orderId, mallId, `M-${orderId}`, `k-${orderId}`, accepted, new Date(updatedAt),
  ]);
  for (const [i, l] of specs.entries()) {
    const id = `lin_${orderId.slice(4)}_${i + 1}`;
    lines[l.name] = id;
    const qty = l.qty ?? 1;
    const done = ['delivered', 'issued'].includes(l.status) ? qty : 0;
    const item = items[l.item];
    const kind = l.item.startsWith('P') ? 'physical' : l.item.startsWith('V') ? 'virtual' : 'service';
    await sql(
      `insert into order_line (id, order_id, mall_id, line_id, item_id, sku_id, kind, quantity, points_paid, cash_paid_fen, unit_points, unit_cash_fen, status,
         qty_fulfilled, qty_failed, qty_cancelled, source_supplier_id, failure_reason, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, orderId, mallId, String(i + 1), item.id, item.skuId, kind, qty, l.points, l.cash ?? 0, l.points / qty, (l.cash ?? 0) / qty, l.status,
        done, l.status === 'failed' ? qty : 0, l.status === 'cancelled' ? qty : 0, l.source ?? null, l.failureReason ?? null, accepted, accepted],
    );
    await sql("insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, at) values (?, ?, ?, 'settlement', ?, ?, ?, ?)", [mallId, orderId, id, qty, l.points, l.cash ?? 0, accepted]);
    let seq = 1;
    const attempt = async (source: string, status: string, costFen: number | undefined, updated: Date) => {
      const attemptId = `att_${id.slice(4)}_${seq}`;
      await sql(
        `insert into line_attempt (id, line_id, seq, supplier_id, supplier_account_id, supplier_sku_id, reference, status, quantity, cost_fen, created_at, updated_at)
         values (?, ?, ?, ?, ?, 'S1', ?, ?, ?, ?, ?, ?)`,
        [attemptId, id, seq, source, source, `${id}a${seq}`, status, qty, costFen ?? null, accepted, updated],
      );
      seq++;
      if (costFen !== undefined) await sql("insert into ledger_entry (mall_id, order_id, line_id, entry, units, fen, supplier_id, attempt_id, at) values (?, ?, ?, 'supplier_cost', ?, ?, ?, ?, ?)", [mallId, orderId, id, qty, costFen, source, attemptId, accepted]);
      return attemptId;
    };
    if (l.givenUp) await attempt(l.givenUp.source, 'cancelled', l.givenUp.costFen, accepted);
    if (l.source) {
      const issued = l.issueMs !== undefined;
      const attemptId = await attempt(l.source, issued ? 'issued' : 'accepted', l.costFen, new Date(accepted.getTime() + (l.issueMs ?? 60_000)));
      if (l.freightFen) await sql("insert into ledger_entry (mall_id, order_id, line_id, entry, units, fen, supplier_id, attempt_id, at) values (?, ?, ?, 'freight', ?, ?, ?, ?, ?)", [mallId, orderId, id, qty, l.freightFen, l.source, attemptId, accepted]);
    }
    if (l.shipMs !== undefined) {
      const shipped = new Date(accepted.getTime() + l.shipMs);
      await sql(
        `insert into shipment (id, line_id, supplier_id, supplier_order_id, carrier, tracking_no, status, shipped_at, created_at, updated_at)
         values (?, ?, ?, ?, 'SF', ?, 'in_transit', ?, ?, ?)`,
        [`shp_${id.slice(4)}`, id, l.source, `SO-${id}`, `SF${id.slice(-8)}`, shipped, accepted, shipped],
      );
    }
    if (l.refund) await refund(l.name, l.refund.points, l.refund.reason, l.refund.at);
  }
}

/** A refund of a line in the ledger. */
async function refund(line: string, points: number, reason: string, at: string): Promise<void> {
  await sql(
    "insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, reason, at) select mall_id, order_id, id, 'refund', 1, ?, 0, ?, ? from order_line where id = ?",
    [-points, reason, new Date(at), lines[line]],
  );
}

/** An after-sales ticket on a line; `supplierId` the one it was taken to (none: the line's source counts). */
async function ticket(line: string, type: string, supplierId: string | null, at = '2026-11-15T10:00:00+08:00'): Promise<string> {
  const id = `ast_${randomBytes(6).toString('hex')}`;
  await sql(
    `insert into aftersale_ticket (id, mall_id, order_id, line_id, type, status, quantity, reason, idempotency_key, request_hash, first_response_due_at, resolution_due_at, created_at, updated_at, supplier_id)
     select ?, mall_id, order_id, id, ?, 'open', 1, '商品有问题', ?, 'h', ?, ?, ?, ?, ? from order_line where id = ?`,
    [id, type, `as-${id}`, new Date(at), new Date(at), new Date(at), new Date(at), supplierId, lines[line]],
  );
  return id;
}

const refresh = () => refreshBoard(hub.deps.orm.em.fork(), hub.clock);
const board = async (path: string, token = ADMIN_TOKEN) => {
  const res = await hub.call('GET', path, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return json<BoardView>(res);
};
const PERIOD = 'from=2026-11-02&to=2026-11-15';
const INJECTION = '=HYPERLINK("http://evil.example")';

beforeAll(async () => {
  hub = await startTestHub();
  hub.clock.set('2026-11-20T00:00:00Z');
  mallA = await hub.createMall('招行积分商城', { pointsPerYuan: 100 });
  mallB = await hub.createMall('平安积分商城', { pointsPerYuan: 50 });
  const res = await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: '客服：王芳' } });
  agent = (await json(res)).token as string;
  for (const [key, kind, title] of [['P1', 'physical', '小米 Redmi Buds 6 蓝牙耳机'], ['P2', 'physical', '美的 电饭煲, 4L "智能"'], ['V1', 'virtual', '话费充值 50 元'], ['S1', 'service', '星巴克 中杯券']] as const) {
    const [row] = await sql<{ id: string; sku_id: string }[]>("insert into catalog_item (match_key, kind, title) values (?, ?, ?) returning id, sku_id", [`board-${key}-${randomBytes(4).toString('hex')}`, kind, title]);
    items[key] = { id: String(row?.id), skuId: row?.sku_id as string, title };
  }
  const A = mallA.mallId;
  // Mall A, accepted from Monday 2 to Sunday 15 November (China Standard Time).
  await order('O1', A, '2026-11-02T10:00:00+08:00', [
    { name: 'O1.1', item: 'P1', points: 1000, status: 'delivered', source: 'jd', costFen: 600, givenUp: { source: 'taobao', costFen: 650 }, shipMs: 2 * HOUR },
    { name: 'O1.2', item: 'V1', points: 5000, status: 'issued', source: 'topup-fulu', costFen: 4800, issueMs: 60_000 },
  ]);
  await order('O2', A, '2026-11-03T20:00:00+08:00', [{ name: 'O2.1', item: 'P2', qty: 2, points: 8000, cash: 500, status: 'delivered', source: 'taobao', costFen: 5000, freightFen: 600, shipMs: 10 * HOUR }]);
  await order('O2b', A, '2026-11-03T21:00:00+08:00', [{ name: 'O2b.1', item: 'P1', points: 1000, status: 'delivered', source: 'jd', costFen: 800, shipMs: 4 * HOUR }]);
  await order('O3', A, '2026-11-05T09:00:00+08:00', [
    { name: 'O3.1', item: 'P1', points: 1000, status: 'failed', failureReason: 'no source could sell it: out of stock', refund: { points: 1000, reason: 'no source could sell it: out of stock', at: '2026-11-05T10:00:00+08:00' } },
  ]);
  await order('O4', A, '2026-11-09T12:00:00+08:00', [
    { name: 'O4.1', item: 'P2', points: 4000, status: 'cancelled', refund: { points: 4000, reason: '会员取消', at: '2026-11-09T13:00:00+08:00' } },
    { name: 'O4.2', item: 'S1', points: 2000, status: 'issued', source: 'brand-acme', costFen: 1200, issueMs: 30_000 },
  ]);
  await order('O5', A, '2026-11-12T08:00:00+08:00', [
    { name: 'O5.1', item: 'P1', points: 1000, status: 'shipped', source: 'jd', costFen: 600, shipMs: 5 * HOUR },
    { name: 'O5.2', item: 'P1', points: 1000, status: 'pending' },
  ]);
  await order('O6', A, '2026-11-13T09:00:00+08:00', [
    { name: 'O6.1', item: 'V1', points: 5000, status: 'failed', failureReason: INJECTION, refund: { points: 5000, reason: INJECTION, at: '2026-11-13T09:30:00+08:00' } },
  ]);
  // Outside the period: before it (its refund falls inside it), and at its end (excluded).
  await order('O0', A, '2026-10-20T10:00:00+08:00', [
    { name: 'O0.1', item: 'P1', points: 1000, status: 'delivered', source: 'jd', costFen: 900, shipMs: HOUR, refund: { points: 1000, reason: '售后退款：破损', at: '2026-11-04T10:00:00+08:00' } },
  ]);
  await order('O7', A, '2026-11-16T00:00:00+08:00', [{ name: 'O7.1', item: 'P1', points: 1000, status: 'delivered', source: 'jd', costFen: 900, shipMs: HOUR }]);
  await refund('O1.1', 1000, '售后退款：破损', '2026-11-10T15:00:00+08:00');
  await ticket('O1.1', 'damaged', null);
  await ticket('O2.1', 'return', 'taobao');
  await ticket('O1.2', 'virtual_not_received', null);
  // Mall B: its points are worth twice as much (50 a yuan).
  const B = mallB.mallId;
  await order('OB1', B, '2026-11-04T11:00:00+08:00', [{ name: 'OB1.1', item: 'P1', points: 2000, status: 'delivered', source: 'jd', costFen: 600, shipMs: HOUR }]);
  await order('OB2', B, '2026-11-10T10:00:00+08:00', [
    { name: 'OB2.1', item: 'V1', points: 10000, status: 'failed', failureReason: 'issuance failed: account does not exist', refund: { points: 10000, reason: 'issuance failed: account does not exist', at: '2026-11-10T11:00:00+08:00' } },
  ]);
  await ticket('OB1.1', 'damaged', null);
  const done = await refresh();
  expect(done).toMatchObject({ full: true });
}, 60_000);

afterAll(async () => {
  await hub?.close();
});

/** Day `d` of November 2026 at midnight, China Standard Time, in UTC. */
const nov = (d: number) => new Date(Date.UTC(2026, 10, d) - 8 * HOUR).toISOString();
const bucket = (d: number, orders: number, lines: number, linesSucceeded: number, pointsRedeemed: number, pointsRefunded: number) => ({ start: nov(d), orders, lines, linesSucceeded, pointsRedeemed, pointsRefunded });
const emptyDay = (d: number) => bucket(d, 0, 0, 0, 0, 0);

describe('GET /admin/board: every number of a mall’s board', () => {
  it('counts the orders accepted in the period, their outcomes, times, reasons, items, shares, after-sales and costs', async () => {
    const b = await board(`/admin/board?mallId=${mallA.mallId}&${PERIOD}`, agent);
    const [P1, P2, V1, S1] = (['P1', 'P2', 'V1', 'S1'] as const).map((k) => items[k]);
    expect(b).toEqual({
      period: { from: nov(2), to: nov(16), bucket: 'day' },
      mallId: mallA.mallId,
      totals: { orders: 7, lines: 10, linesAccepted: 10, linesSucceeded: 5, successRate: 0.5, pointsRedeemed: 29_000, pointsRefunded: 12_000, cashFen: 500 },
      buckets: [
        bucket(2, 1, 2, 2, 6000, 0), bucket(3, 2, 2, 2, 9000, 0), bucket(4, 0, 0, 0, 0, 1000), bucket(5, 1, 1, 0, 1000, 1000),
        emptyDay(6), emptyDay(7), emptyDay(8), bucket(9, 1, 2, 1, 6000, 4000), bucket(10, 0, 0, 0, 0, 1000), emptyDay(11),
        bucket(12, 1, 2, 0, 2000, 0), bucket(13, 1, 1, 0, 5000, 5000), emptyDay(14), emptyDay(15),
      ],
      // Parcels first scanned 2 h, 4 h, 5 h and 10 h after acceptance; issued after 30 s and 60 s.
      timeToShip: { p50Ms: 4 * HOUR, p90Ms: 10 * HOUR, count: 4 },
      timeToIssue: { p50Ms: 30_000, p90Ms: 60_000, count: 2 },
      failureReasons: [{ reason: INJECTION, count: 1 }, { reason: 'no source could sell it: out of stock', count: 1 }],
      refundReasons: [{ reason: '售后退款：破损', count: 2 }, { reason: INJECTION, count: 1 }, { reason: 'no source could sell it: out of stock', count: 1 }, { reason: '会员取消', count: 1 }],
      topItems: {
        byRedemptions: [
          { skuId: P1?.skuId, title: P1?.title, redemptions: 5, points: 5000 },
          { skuId: P2?.skuId, title: P2?.title, redemptions: 3, points: 12_000 },
          { skuId: V1?.skuId, title: V1?.title, redemptions: 2, points: 10_000 },
          { skuId: S1?.skuId, title: S1?.title, redemptions: 1, points: 2000 },
        ],
        byPoints: [
          { skuId: P2?.skuId, title: P2?.title, redemptions: 3, points: 12_000 },
          { skuId: V1?.skuId, title: V1?.title, redemptions: 2, points: 10_000 },
          { skuId: P1?.skuId, title: P1?.title, redemptions: 5, points: 5000 },
          { skuId: S1?.skuId, title: S1?.title, redemptions: 1, points: 2000 },
        ],
      },
      kindShares: [{ kind: 'physical', lines: 7, share: 0.7 }, { kind: 'virtual', lines: 2, share: 0.2 }, { kind: 'service', lines: 1, share: 0.1 }],
      afterSales: {
        byType: [
          { type: 'return', tickets: 1, rate: 0.2 }, { type: 'exchange', tickets: 0, rate: 0 }, { type: 'damaged', tickets: 1, rate: 0.2 }, { type: 'missing_item', tickets: 0, rate: 0 },
          { type: 'wrong_item', tickets: 0, rate: 0 }, { type: 'not_received', tickets: 0, rate: 0 }, { type: 'virtual_not_received', tickets: 1, rate: 0.2 },
        ],
        // jd delivered two lines (one ticket, on its line); taobao had the return taken to it.
        bySupplier: [
          { supplierId: 'taobao', tickets: 1, rate: 1 }, { supplierId: 'topup-fulu', tickets: 1, rate: 1 }, { supplierId: 'jd', tickets: 1, rate: 0.5 }, { supplierId: 'brand-acme', tickets: 0, rate: 0 },
        ],
      },
      // Delivered or issued: costs 600 (the cancelled taobao attempt's 650 left out), 4800, 5000 + 600 freight, 800, 1200
      // for points worth 1000, 5000, 8000, 1000, 2000 fen. P1 and P2 are at exactly 70 %, not above.
      costRatio: { overall: 13_000 / 17_000, costFen: 13_000, pointsValueFen: 17_000, flagged: [{ skuId: V1?.skuId, title: V1?.title, costFen: 4800, pointsValueFen: 5000, ratio: 0.96 }] },
      asOf: '2026-11-20T00:00:00.000Z',
    });
  });

  it('buckets by week, Monday to Sunday in China Standard Time', async () => {
    const b = await board(`/admin/board?mallId=${mallA.mallId}&${PERIOD}&bucket=week`);
    expect(b.period.bucket).toBe('week');
    expect(b.buckets).toEqual([bucket(2, 4, 5, 4, 16_000, 2000), bucket(9, 3, 5, 1, 13_000, 10_000)]);
    expect(b.totals.orders).toBe(7);
    // A period starting mid-week: its first week starts on the Monday before, counting only the period.
    const mid = await board(`/admin/board?mallId=${mallA.mallId}&from=2026-11-04&to=2026-11-10&bucket=week`);
    expect(mid.buckets).toEqual([bucket(2, 1, 1, 0, 1000, 2000), bucket(9, 1, 2, 1, 6000, 5000)]);
  });

  it('takes timestamps: a half-open period [from, to)', async () => {
    const from = encodeURIComponent('2026-11-03T20:00:00+08:00');
    const to = encodeURIComponent('2026-11-03T21:00:00+08:00');
    const b = await board(`/admin/board?mallId=${mallA.mallId}&from=${from}&to=${to}`);
    expect(b.period).toEqual({ from: '2026-11-03T12:00:00.000Z', to: '2026-11-03T13:00:00.000Z', bucket: 'day' });
    expect(b.totals).toMatchObject({ orders: 1, lines: 1, pointsRedeemed: 8000 });
    expect(b.buckets).toEqual([bucket(3, 1, 1, 1, 8000, 0)]);
  });

  it('defaults to the 30 days up to now', async () => {
    const b = await board(`/admin/board?mallId=${mallA.mallId}`);
    expect(b.period).toEqual({ from: '2026-10-21T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z', bucket: 'day' });
    expect(b.buckets).toHaveLength(31);
    // O0 (20 October, +08:00) is before it, O7 (16 November) inside it.
    expect(b.totals.orders).toBe(8);
  });
});

describe('a mall sees its own board only', () => {
  it('GET /v1/board answers the calling mall’s board, the same as staff see it', async () => {
    const own = await board(`/v1/board?${PERIOD}`, mallA.apiKey);
    expect(own).toEqual(await board(`/admin/board?mallId=${mallA.mallId}&${PERIOD}`));
    const other = await board(`/v1/board?${PERIOD}`, mallB.apiKey);
    expect(other.mallId).toBe(mallB.mallId);
    expect(other.totals).toEqual({ orders: 2, lines: 2, linesAccepted: 2, linesSucceeded: 1, successRate: 0.5, pointsRedeemed: 12_000, pointsRefunded: 10_000, cashFen: 0 });
    expect(other.failureReasons).toEqual([{ reason: 'issuance failed: account does not exist', count: 1 }]);
    expect(other.timeToShip).toEqual({ p50Ms: HOUR, p90Ms: HOUR, count: 1 });
    // 50 points a yuan: 2000 points are worth 4000 fen.
    expect(other.costRatio).toEqual({ overall: 600 / 4000, costFen: 600, pointsValueFen: 4000, flagged: [] });
    expect(other.afterSales.bySupplier).toEqual([{ supplierId: 'jd', tickets: 1, rate: 1 }]);
    // Nothing of mall A in B's board, nothing of B in A's.
    expect(JSON.stringify(other)).not.toContain(items.S1.skuId);
    expect(own.refundReasons.map((r) => r.reason)).not.toContain('issuance failed: account does not exist');
  });

  it('a mall cannot ask for another mall’s board (no mallId on /v1), nor use the staff one', async () => {
    const res = await hub.call('GET', `/v1/board?${PERIOD}&mallId=${mallB.mallId}`, { token: mallA.apiKey });
    // The parameter is not the mall API's: the answer is A's own board.
    expect(res.status).toBe(200);
    expect((await json<BoardView>(res)).mallId).toBe(mallA.mallId);
    expect((await hub.call('GET', `/admin/board?mallId=${mallA.mallId}`, { token: mallA.apiKey })).status).toBe(401);
  });

  it('across malls for staff: every mall counted, each mall’s points at its own rate', async () => {
    const b = await board(`/admin/board?${PERIOD}`);
    expect(b.mallId).toBeNull();
    expect(b.totals).toEqual({ orders: 9, lines: 12, linesAccepted: 12, linesSucceeded: 6, successRate: 0.5, pointsRedeemed: 41_000, pointsRefunded: 22_000, cashFen: 500 });
    expect(b.timeToShip).toEqual({ p50Ms: 4 * HOUR, p90Ms: 10 * HOUR, count: 5 });
    expect(b.costRatio).toMatchObject({ overall: 13_600 / 21_000, costFen: 13_600, pointsValueFen: 21_000 });
    expect(b.afterSales.bySupplier.find((s) => s.supplierId === 'jd')).toEqual({ supplierId: 'jd', tickets: 2, rate: 2 / 3 });
  });
});

/** A CSV document's rows (RFC 4180: quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  return rows;
}

describe('GET /admin/board.csv and GET /v1/board.csv', () => {
  it('hold the same values as the JSON, one per row, escaped and safe from formulas', async () => {
    const b = await board(`/admin/board?mallId=${mallA.mallId}&${PERIOD}`);
    const res = await hub.call('GET', `/admin/board.csv?mallId=${mallA.mallId}&${PERIOD}`, { token: agent });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="board-${mallA.mallId}-20261102-20261115.csv"`);
    // A byte order mark first (fetch's text() would drop it), so spreadsheets read the file as UTF-8.
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...BOARD_CSV_COLUMNS]);
    const num = (v: string | undefined) => (v === '' || v === undefined ? null : Number(v));
    const one = (metric: string, at: { start?: string; key?: string } = {}) => {
      const found = rows.filter((r) => r[0] === metric && (at.start === undefined || r[1] === at.start) && (at.key === undefined || r[2] === at.key));
      expect(found, `${metric} ${JSON.stringify(at)}`).toHaveLength(1);
      return found[0] as string[];
    };
    // Every value of the JSON is in the CSV, and nothing else.
    let expected = 5;
    expect(one('period.from')[4]).toBe(b.period.from);
    expect(one('period.to')[4]).toBe(b.period.to);
    expect(one('mall_id')[4]).toBe(b.mallId);
    const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    for (const [k, v] of Object.entries(b.totals)) {
      expect(num(one(`totals.${snake(k)}`)[4]), k).toBe(v);
      expected++;
    }
    for (const x of b.buckets) {
      for (const k of ['orders', 'lines', 'linesSucceeded', 'pointsRedeemed', 'pointsRefunded'] as const) {
        expect(num(one(`buckets.${snake(k)}`, { start: x.start })[4])).toBe(x[k]);
        expected++;
      }
    }
    for (const [name, p] of [['time_to_ship', b.timeToShip], ['time_to_issue', b.timeToIssue]] as const) {
      expect([num(one(`${name}.p50_ms`)[4]), num(one(`${name}.p90_ms`)[4]), num(one(`${name}.count`)[4])]).toEqual([p.p50Ms, p.p90Ms, p.count]);
      expected += 3;
    }
    const reasonRows = (metric: string) => rows.filter((r) => r[0] === metric).map((r) => ({ reason: r[2], count: num(r[4]) }));
    // A reason a spreadsheet would run as a formula is written as text (a leading ').
    expect(reasonRows('failure_reasons.count')).toEqual(b.failureReasons.map((r) => ({ reason: r.reason === INJECTION ? `'${INJECTION}` : r.reason, count: r.count })));
    expect(reasonRows('refund_reasons.count')).toEqual(b.refundReasons.map((r) => ({ reason: r.reason === INJECTION ? `'${INJECTION}` : r.reason, count: r.count })));
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expected += b.failureReasons.length + b.refundReasons.length;
    for (const [list, top] of [['by_redemptions', b.topItems.byRedemptions], ['by_points', b.topItems.byPoints]] as const) {
      expect(rows.filter((r) => r[0] === `top_items.${list}.points`).map((r) => ({ skuId: r[2], title: r[3], points: num(r[4]) }))).toEqual(top.map((i) => ({ skuId: i.skuId, title: i.title, points: i.points })));
      for (const i of top) expect(num(one(`top_items.${list}.redemptions`, { key: i.skuId })[4])).toBe(i.redemptions);
      expected += top.length * 2;
    }
    // A title with a comma and quotes is quoted, its quotes doubled.
    expect(text).toContain(`"美的 电饭煲, 4L ""智能"""`);
    const pair = (metric: string, key: string) => [num(one(`${metric}.${metric.startsWith('kind') ? 'lines' : 'tickets'}`, { key })[4]), num(one(`${metric}.${metric.startsWith('kind') ? 'share' : 'rate'}`, { key })[4])];
    for (const k of b.kindShares) expect(pair('kind_shares', k.kind)).toEqual([k.lines, k.share]);
    for (const a of b.afterSales.byType) expect(pair('after_sales.by_type', a.type)).toEqual([a.tickets, a.rate]);
    for (const a of b.afterSales.bySupplier) expect(pair('after_sales.by_supplier', a.supplierId)).toEqual([a.tickets, a.rate]);
    expected += 2 * (b.kindShares.length + b.afterSales.byType.length + b.afterSales.bySupplier.length);
    expect([num(one('cost_ratio.overall')[4]), num(one('cost_ratio.cost_fen')[4]), num(one('cost_ratio.points_value_fen')[4])]).toEqual([b.costRatio.overall, b.costRatio.costFen, b.costRatio.pointsValueFen]);
    expected += 3;
    for (const f of b.costRatio.flagged) {
      expect([num(one('cost_ratio.flagged.cost_fen', { key: f.skuId })[4]), num(one('cost_ratio.flagged.points_value_fen', { key: f.skuId })[4]), num(one('cost_ratio.flagged.ratio', { key: f.skuId })[4])]).toEqual([f.costFen, f.pointsValueFen, f.ratio]);
      expected += 3;
    }
    expect(one('as_of')[4]).toBe(b.asOf);
    expect(one('period.bucket')[4]).toBe('day');
    expect(rows).toHaveLength(expected);
    // The mall's own CSV is the same file.
    const own = await hub.call('GET', `/v1/board.csv?${PERIOD}`, { token: mallA.apiKey });
    expect(own.status).toBe(200);
    expect(Buffer.from(await own.arrayBuffer()).equals(bytes)).toBe(true);
    const all = await hub.call('GET', `/admin/board.csv?${PERIOD}`, { token: ADMIN_TOKEN });
    expect(all.headers.get('content-disposition')).toBe('attachment; filename="board-all-malls-20261102-20261115.csv"');
  });
});

describe('refusals: 400 and 404 in the house shape, never a 500', () => {
  const cases: [string, number, string][] = [
    [`from=2026-11-15&to=2026-11-02`, 400, 'query.from'],
    [`from=2026-11-02&to=2026-11-01`, 400, 'query.from'],
    [`from=${encodeURIComponent('2026-11-02T00:00:00Z')}&to=${encodeURIComponent('2026-11-02T00:00:00Z')}`, 400, 'query.from'],
    [`from=2025-01-01&to=2026-01-02`, 400, 'query.to'],
    [`to=2026-11-02&from=2025-11-01`, 400, 'query.to'],
    [`bucket=month`, 400, 'query.bucket'],
    [`bucket=`, 400, 'query.bucket'],
    [`from=2026-02-30`, 400, 'query.from'],
    [`from=yesterday`, 400, 'query.from'],
    [`from=0000-01-01&to=0000-12-31`, 400, 'query.to'],
    [`to=${encodeURIComponent('2026-11-02T00:00:00')}`, 400, 'query.to'],
    [`from=%00`, 400, 'query.from'],
  ];
  it.each(cases)('%s → %i', async (query, status, path) => {
    for (const [url, token] of [[`/admin/board?${query}`, ADMIN_TOKEN], [`/admin/board.csv?${query}`, agent], [`/v1/board?${query}`, mallA.apiKey], [`/v1/board.csv?${query}`, mallA.apiKey]] as const) {
      const res = await hub.call('GET', url, { token });
      const body = await json(res);
      expect({ url, status: res.status, code: body.error?.code }).toEqual({ url, status, code: 'validation_failed' });
      expect(body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    }
  });

  it('366 days is the longest period', async () => {
    expect((await hub.call('GET', '/admin/board?from=2025-01-01&to=2026-01-01', { token: ADMIN_TOKEN })).status).toBe(200);
  });

  it('an unknown mall is 404; the staff routes need a staff token', async () => {
    for (const path of ['/admin/board?mallId=mall_nope', '/admin/board.csv?mallId=mall_nope']) {
      const res = await hub.call('GET', path, { token: agent });
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('not_found');
    }
    expect((await hub.call('GET', `/admin/board?mallId=${'x'.repeat(65)}`, { token: agent })).status).toBe(400);
    expect((await hub.call('GET', '/admin/board')).status).toBe(401);
    expect((await hub.call('GET', '/v1/board', { token: agent })).status).toBe(401);
  });

  it('resolves periods as documented (domain)', () => {
    const now = new Date('2026-11-20T00:00:00Z');
    expect(resolvePeriod({}, now)).toEqual({ from: new Date('2026-10-21T00:00:00Z'), to: now, bucket: 'day' });
    expect(resolvePeriod({ from: '2026-11-01', to: '2026-11-30', bucket: 'week' }, now)).toEqual({ from: new Date('2026-10-31T16:00:00Z'), to: new Date('2026-11-30T16:00:00Z'), bucket: 'week' });
    expect(() => resolvePeriod({ from: '2026-11-21' }, now)).toThrow(/request validation failed/);
  });
});

describe('the board tables equal the board computed from the order tables', () => {
  const periods = ['from=2026-10-01&to=2026-11-30', 'from=2026-10-01&to=2026-11-30&bucket=week'];
  const expectSame = async () => {
    for (const mallId of [mallA.mallId, mallB.mallId, null]) {
      for (const q of periods) {
        const p = resolvePeriod(Object.fromEntries(new URLSearchParams(q)), hub.clock.now());
        const [kept, live] = await Promise.all([getBoard(hub.deps.orm.em.fork(), mallId, p, 'tables'), getBoard(hub.deps.orm.em.fork(), mallId, p, 'live')]);
        expect({ ...kept, asOf: null }, `${mallId ?? 'all malls'} ${q}`).toEqual({ ...live, asOf: null });
      }
    }
  };

  it('after the first refresh', async () => {
    await expectSame();
  });

  it('after more orders, line moves, costs, tickets and refunds, once refreshed again', async () => {
    hub.clock.set('2026-11-25T00:00:00Z');
    const before = await board(`/admin/board?mallId=${mallA.mallId}&${PERIOD}`);
    // New orders, stamped now as intake stamps them.
    const now = hub.clock.now().toISOString();
    await order('N1', mallA.mallId, '2026-11-14T12:00:00+08:00', [
      { name: 'N1.1', item: 'V1', points: 5000, status: 'issued', source: 'topup-fulu', costFen: 4900, issueMs: 90_000 },
      { name: 'N1.2', item: 'P2', points: 4000, status: 'pending' },
    ], now);
    await order('N2', mallB.mallId, '2026-11-24T12:00:00+08:00', [{ name: 'N2.1', item: 'S1', points: 2000, status: 'pending' }], now);
    // A line moves the way every line moves (its order's updated_at is stamped with the move).
    await hub.deps.orm.em.fork().transactional((tx) => setLineStatus(tx, hub.clock, { id: lines['O5.2'] as string, orderId: orders.O5 as string }, { status: 'cancelled', qtyCancelled: 1 }));
    // A supplier cost booked with no line move, a ticket taken to a supplier, a new ticket, a refund.
    await sql("insert into ledger_entry (mall_id, order_id, line_id, entry, units, fen, supplier_id, at) values (?, ?, ?, 'freight', 1, 300, 'jd', ?)", [mallA.mallId, orders.O2b, lines['O2b.1'], hub.clock.now()]);
    await sql("update aftersale_ticket set supplier_id = 'jd', updated_at = ? where line_id = ?", [hub.clock.now(), lines['O1.2']]);
    await ticket('O2b.1', 'wrong_item', null, now);
    await refund('O4.2', 2000, '售后退款：未收到券码', now);

    // Not counted until the board tables are brought up to date.
    expect(await board(`/admin/board?mallId=${mallA.mallId}&${PERIOD}`)).toEqual(before);
    hub.clock.advance(60_000);
    const done = await refresh();
    expect(done?.full).toBe(false);
    const after = await board(`/admin/board?mallId=${mallA.mallId}&${PERIOD}`);
    expect(after.asOf).toBe('2026-11-25T00:01:00.000Z');
    expect(after.totals).toMatchObject({ orders: 8, lines: 12, linesSucceeded: 6, pointsRedeemed: 38_000 });
    expect(after.costRatio.costFen).toBe(13_000 + 4900 + 300);
    expect(after.afterSales.byType.find((t) => t.type === 'wrong_item')?.tickets).toBe(1);
    expect(after.afterSales.bySupplier.find((s) => s.supplierId === 'jd')?.tickets).toBe(3);
    await expectSame();
    const period = resolvePeriod({ from: '2026-11-20', to: '2026-11-25' }, hub.clock.now());
    expect((await getBoard(hub.deps.orm.em.fork(), mallA.mallId, period)).totals.pointsRefunded).toBe(2000);
    // A second refresh with nothing new changes nothing.
    hub.clock.advance(60_000);
    await refresh();
    await expectSame();
  });

  it('one refresh at a time: a refresh while another holds the lease does nothing', async () => {
    await sql("update board_refresh set lease_until = ? where id = 1", [new Date(hub.clock.now().getTime() + 60_000)]);
    expect(await refresh()).toBeNull();
    hub.clock.advance(120_000);
    // The lease ran out (its worker died): the worker's maintenance job takes over.
    await order('N3', mallA.mallId, '2026-11-25T09:00:00+08:00', [{ name: 'N3.1', item: 'P1', points: 1000, status: 'pending' }], hub.clock.now().toISOString());
    expect(await processMaintenance({ task: 'refresh-board' }, { em: hub.deps.orm.em.fork(), clock: hub.clock })).toEqual({ affected: 1 });
    await expectSame();
  });
});
