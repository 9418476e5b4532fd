import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LineStatus, orderStatusOf, type OrderStatus } from '../../src/domain/order-status.ts';
import type { LineEventInput } from '../../src/mall-webhooks/event-schemas.ts';
import { lineEvent, setLineStatus } from '../../src/orders/line-store.ts';
import { lockLine } from '../../src/supplier-events/timeline-store.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedMall, seedOrder } from '../support/seed-orders.ts';

// Lines of one order moved by concurrent transactions, as workers do when a multi-line order's
// lines are submitted, shipped or delivered at the same time. Each order has its own connections.
const LINES = 4;
const ORDERS = 3;

let hub: TestHub;
let mallId: string;
beforeAll(async () => {
  hub = await startTestHub({ env: { HUB_DB_POOL_MAX: String(LINES * ORDERS + 4) } });
  mallId = await seedMall(hub);
});
afterAll(() => hub?.close());

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

/** Resolves once `n` callers have arrived (each transaction holds its line by then). */
function barrier(n: number, timeoutMs = 10_000): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const all = new Promise<void>((r) => (open = r));
  return async () => {
    if (++arrived === n) open();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('barrier: not every transaction arrived')), timeoutMs)))]).finally(() => clearTimeout(timer));
  };
}

/**
 * Moves one line in a transaction of its own, as a step's commit does: the line with its event
 * (a stand-in: only its seq matters here), and the order's final event when the move ends it.
 */
async function move(order: { orderId: string; mallOrderId: string }, lineId: string, _lineNo: number, status: LineStatus, before?: (tx: EntityManager) => Promise<void>): Promise<void> {
  await hub.deps.orm.em.fork().transactional(async (tx) => {
    await before?.(tx);
    await setLineStatus(tx, hub.clock, { id: lineId, orderId: order.orderId }, { status }, [{ type: `line.${status}`, data: {} } as unknown as LineEventInput]);
  });
}

/** SQLSTATE (40P01 is a deadlock) or message of every failed move. */
async function failures(moves: Promise<void>[]): Promise<string[]> {
  const results = await Promise.allSettled(moves);
  return results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as { code?: string }).code ?? (r.reason as Error).message)] : []));
}

/** The final status each order of the first test ends in. */
const round4 = (k: number) => (['completed', 'partially_failed', 'failed'] as const)[k];

async function statusOf(orderId: string): Promise<{ order: string; lines: LineStatus[] }> {
  const [o] = await sql<{ status: string }[]>('select status from mall_order where id = ?', [orderId]);
  const lines = await sql<{ status: LineStatus }[]>('select status from order_line where order_id = ? order by line_id', [orderId]);
  return { order: o?.status ?? 'missing', lines: lines.map((l) => l.status) };
}

describe('moving lines of one order at once', () => {
  it('never deadlocks when each transaction holds its own line first, and the order ends in the right status', async () => {
    const orders = await Promise.all(Array.from({ length: ORDERS }, () => seedOrder(hub, mallId, { lines: LINES })));
    // Every line of every order moves in each round; the last round ends the orders three ways.
    const last: LineStatus[][] = [
      ['delivered', 'delivered', 'delivered', 'delivered'],
      ['delivered', 'delivered', 'delivered', 'failed'],
      // (a shipped line cannot be cancelled: the line state machine refuses it)
      ['failed', 'failed', 'failed', 'failed'],
    ];
    const rounds: { statuses: (order: number) => LineStatus[]; expected: (order: number) => OrderStatus }[] = [
      { statuses: () => ['submitted', 'submitted', 'submitted', 'submitted'], expected: () => 'in_progress' },
      { statuses: () => ['accepted', 'accepted', 'accepted', 'accepted'], expected: () => 'in_progress' },
      { statuses: () => ['shipped', 'shipped', 'shipped', 'shipped'], expected: () => 'in_progress' },
      { statuses: (k) => last[k] as LineStatus[], expected: (k) => (['completed', 'partially_failed', 'failed'] as const)[k] as OrderStatus },
    ];
    for (const round of rounds) {
      // Each transaction takes its line's row lock (the timeline's lockLine), and only once every
      // line of its order is held does any of them go on: the interleaving that deadlocked.
      const moves = orders.flatMap((order, k) => {
        const held = barrier(LINES);
        return order.lineIds.map((lineId, i) => move(order, lineId, i + 1, round.statuses(k)[i] as LineStatus, async (tx) => {
          await lockLine(tx, lineId);
          await held();
        }));
      });
      expect(await failures(moves)).toEqual([]);
      for (const [k, order] of orders.entries()) {
        const now = await statusOf(order.orderId);
        expect(now.lines).toEqual(round.statuses(k));
        expect(now.order).toBe(round.expected(k));
        expect(now.order).toBe(orderStatusOf(now.lines));
      }
    }
    // Every move told the mall once, and the order its final status once, as its last event, in
    // one gapless sequence per order, however the moves of the last round interleaved.
    for (const [k, order] of orders.entries()) {
      const events = await sql<{ seq: number; type: string }[]>('select seq, type from mall_event where order_id = ? order by seq', [order.orderId]);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: LINES * rounds.length + 1 }, (_, i) => i + 1));
      expect(events.filter((e) => e.type.startsWith('order.')).map((e) => e.type)).toEqual([`order.${round4(k)}`]);
      expect(events.at(-1)?.type).toBe(`order.${round4(k)}`);
    }
  });

  it('never deadlocks when steps and supplier events move lines of one order in any interleaving, many times', async () => {
    const order = await seedOrder(hub, mallId, { lines: LINES * ORDERS });
    const path: LineStatus[] = ['submitted', 'accepted', 'shipped', 'delivered'];
    const errors: string[] = [];
    // Each line walks its path in transactions of its own, all lines at once, with some jitter;
    // half of the moves hold the line first (supplier events), half go straight in (step commits).
    await Promise.all(order.lineIds.map(async (lineId, i) => {
      for (const [n, status] of path.entries()) {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        const holdFirst = (i + n) % 2 === 0;
        errors.push(...(await failures([move(order, lineId, i + 1, status, holdFirst ? (tx) => lockLine(tx, lineId) : undefined)])));
      }
    }));
    expect(errors).toEqual([]);
    expect(await statusOf(order.orderId)).toEqual({ order: 'completed', lines: order.lineIds.map(() => 'delivered') });
  });

  it('never deadlocks when one line writes its event before its move while another line of the order moves first', async () => {
    const order = await seedOrder(hub, mallId, { lines: 2 });
    const [first, second] = order.lineIds as [string, string];
    const line = (id: string, no: number) => ({ id, orderId: order.orderId, mallId, mallOrderId: order.mallOrderId, lineId: String(no) });
    // The interleaving that deadlocked: A appends an event (a service's line.submitted before it is
    // issued), B moves its line (line, then order), A moves its line, B appends its event.
    let eventWritten!: () => void;
    const afterEvent = new Promise<void>((r) => (eventWritten = r));
    let moved!: () => void;
    const afterMove = new Promise<void>((r) => (moved = r));
    const eventFirst = hub.deps.orm.em.fork().transactional(async (tx) => {
      await lineEvent(tx, hub.clock, line(first, 1), 'line.submitted', { source: 'brand-acme' });
      eventWritten();
      // B cannot move while A holds the order: wait for it a little, then go on either way.
      await Promise.race([afterMove, new Promise((r) => setTimeout(r, 500))]);
      await setLineStatus(tx, hub.clock, line(first, 1), { status: 'issued' });
    });
    const moveFirst = (async () => {
      // (If A failed before its event, B must not wait for it forever: A's failure is reported.)
      await Promise.race([afterEvent, eventFirst.catch(() => undefined)]);
      await hub.deps.orm.em.fork().transactional(async (tx) => {
        await setLineStatus(tx, hub.clock, line(second, 2), { status: 'submitted' });
        moved();
        await lineEvent(tx, hub.clock, line(second, 2), 'line.submitted', { source: 'brand-acme' });
      });
    })();
    expect(await failures([eventFirst, moveFirst])).toEqual([]);
    expect(await statusOf(order.orderId)).toEqual({ order: 'in_progress', lines: ['issued', 'submitted'] });
    const seqs = await sql<{ seq: number }[]>('select seq from mall_event where order_id = ? order by seq', [order.orderId]);
    expect(seqs.map((e) => e.seq)).toEqual(seqs.map((_, i) => i + 1));
  });
});
