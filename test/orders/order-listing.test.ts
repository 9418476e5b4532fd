import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineStatus } from '../../src/domain/order-status.ts';
import { setLineStatus } from '../../src/orders/line-store.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';
import { seedOrder } from '../support/seed-orders.ts';

let hub: TestHub;
let mall: { mallId: string; apiKey: string };
let other: { mallId: string; apiKey: string };
/** The mall's orders in creation order, one minute apart. */
const orders: { orderId: string; mallOrderId: string; lineIds: string[] }[] = [];
const start = new Date('2026-12-01T00:00:00.000Z');

beforeAll(async () => {
  hub = await startTestHub();
  mall = await hub.createMall('Listing mall');
  other = await hub.createMall('Other listing mall');
  hub.clock.set(start);
  for (let i = 0; i < 7; i++) {
    orders.push(await seedOrder(hub, mall.mallId, { lines: 1 }));
    hub.clock.advance(60_000);
  }
  await seedOrder(hub, other.mallId, { lines: 1 });
});
afterAll(() => hub?.close());

const list = async (query: string, apiKey = mall.apiKey) => hub.call('GET', `/v1/orders${query ? `?${query}` : ''}`, { token: apiKey });
const page = async (query: string) => {
  const res = await list(query);
  expect(res.status, await res.clone().text()).toBe(200);
  return json<{ items: { orderId: string; status: string; createdAt: string; updatedAt: string }[]; nextCursor: string | null }>(res);
};
/** Every order of a list, following its cursors, `limit` at a time. */
async function all(query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const p = await page(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    ids.push(...p.items.map((o) => o.orderId));
    cursor = p.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('the cursors never ended');
}
const move = (i: number, status: LineStatus) =>
  hub.deps.orm.em.fork().transactional((tx) => setLineStatus(tx, hub.clock, { id: orders[i]?.lineIds[0] as string, orderId: orders[i]?.orderId as string }, { status }));
const invalidCursor = async (res: Response) => {
  expect(res.status).toBe(400);
  expect(await json(res)).toMatchObject({ error: { code: 'validation_failed', details: { fields: [{ path: 'query.cursor', code: 'invalid_cursor' }] } } });
};

describe('GET /v1/orders', () => {
  it('lists the mall’s orders oldest first, each as GET /v1/orders/{orderId} shows it, and pages through them exactly', async () => {
    const first = await page('');
    expect(first.items.map((o) => o.orderId)).toEqual(orders.map((o) => o.orderId));
    expect(first.nextCursor).toBeNull();
    for (const o of first.items) expect(o).toEqual(await json(await hub.call('GET', `/v1/orders/${o.orderId}`, { token: mall.apiKey })));
    for (const limit of [1, 2, 3, 7]) expect(await all('', limit)).toEqual(orders.map((o) => o.orderId));
    // Another mall's orders are not there, and it does not see these.
    expect((await json(await list('', other.apiKey))).items).toHaveLength(1);
  });

  it('finds one order by the mall’s own id, and none of another mall', async () => {
    const o = orders[3] as (typeof orders)[number];
    expect((await page(`mallOrderId=${o.mallOrderId}`)).items.map((x) => x.orderId)).toEqual([o.orderId]);
    expect(await page('mallOrderId=NOPE')).toEqual({ items: [], nextCursor: null });
    expect((await json(await list(`mallOrderId=${o.mallOrderId}`, other.apiKey))).items).toEqual([]);
  });

  it('filters by creation time, from inclusive to exclusive', async () => {
    const at = (i: number) => new Date(start.getTime() + i * 60_000).toISOString();
    expect((await page(`createdFrom=${at(2)}&createdTo=${at(5)}`)).items.map((o) => o.orderId)).toEqual(orders.slice(2, 5).map((o) => o.orderId));
    expect(await all(`createdFrom=${at(1)}`, 2)).toEqual(orders.slice(1).map((o) => o.orderId));
    // An offset is an instant like any other (+ sent as %2B).
    expect((await page(`createdTo=${encodeURIComponent('2026-12-01T08:02:00+08:00')}`)).items.map((o) => o.orderId)).toEqual(orders.slice(0, 2).map((o) => o.orderId));
    const backwards = await list(`createdFrom=${at(5)}&createdTo=${at(2)}`);
    expect(backwards.status).toBe(400);
    expect((await list('createdFrom=yesterday')).status).toBe(400);
  });

  it('filters by one status or several, repeated or comma-separated', async () => {
    await move(0, 'delivered');
    await move(1, 'failed');
    await move(2, 'submitted');
    expect((await page('status=completed')).items.map((o) => o.orderId)).toEqual([orders[0]?.orderId]);
    const two = [orders[0]?.orderId, orders[1]?.orderId];
    expect((await page('status=completed&status=failed')).items.map((o) => o.orderId)).toEqual(two);
    expect((await page('status=completed,failed')).items.map((o) => o.orderId)).toEqual(two);
    expect((await page('status=in_progress')).items.map((o) => o.orderId)).toEqual([orders[2]?.orderId]);
    expect((await page('status=accepted')).items).toHaveLength(4);
    const bad = await list('status=shipped');
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ error: { code: 'validation_failed', details: { fields: [{ path: expect.stringMatching(/^query\.status/) }] } } });
  });

  it('lists what changed since an instant by updatedAt, and an order that changes while the mall pages comes again later, never missed', async () => {
    hub.clock.advance(60_000);
    const since = hub.clock.now().toISOString();
    await move(4, 'submitted');
    hub.clock.advance(1_000);
    await move(5, 'submitted');
    hub.clock.advance(1_000);
    await move(6, 'submitted');
    const firstPage = await page(`updatedSince=${since}&limit=2`);
    expect(firstPage.items.map((o) => o.orderId)).toEqual([orders[4]?.orderId, orders[5]?.orderId]);
    // Order 4 (already read) and order 3 (never changed before) change before the next page is read.
    hub.clock.advance(1_000);
    await move(4, 'accepted');
    hub.clock.advance(1_000);
    await move(3, 'submitted');
    const seen = [...firstPage.items.map((o) => o.orderId)];
    let cursor = firstPage.nextCursor;
    while (cursor) {
      const p = await page(`updatedSince=${since}&limit=2&cursor=${cursor}`);
      seen.push(...p.items.map((o) => o.orderId));
      cursor = p.nextCursor;
    }
    // Every order changed since `since` is there, the one changed again a second time, in updatedAt order.
    expect(seen).toEqual([4, 5, 6, 4, 3].map((i) => orders[i]?.orderId));
    const updated = (await page(`updatedSince=${since}`)).items;
    expect(updated.map((o) => o.updatedAt)).toEqual([...updated.map((o) => o.updatedAt)].sort());
    // Combined with the other filters.
    expect((await page(`updatedSince=${since}&status=in_progress&createdFrom=${new Date(start.getTime() + 5 * 60_000).toISOString()}`)).items.map((o) => o.orderId)).toEqual([5, 6].map((i) => orders[i]?.orderId));
  });

  it('refuses a cursor it did not make, or one of the other order (created vs updated), with invalid_cursor', async () => {
    const created = (await page('limit=1')).nextCursor as string;
    const updated = (await page(`updatedSince=${start.toISOString()}&limit=1`)).nextCursor as string;
    expect(created).toBeTruthy();
    expect(updated).toBeTruthy();
    await invalidCursor(await list(`cursor=${updated}`));
    await invalidCursor(await list(`updatedSince=${start.toISOString()}&cursor=${created}`));
    await invalidCursor(await list('cursor=garbage'));
    await invalidCursor(await list(`cursor=${created.slice(0, -3)}`));
    const forged = Buffer.from(JSON.stringify({ v: 1, b: 'c', at: "2026-12-01T00:00:00.000000Z' or 1=1 --", id: 'x' })).toString('base64url');
    await invalidCursor(await list(`cursor=${forged}`));
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(created, 'base64url').toString()), id: 'ord x' })).toString('base64url');
    await invalidCursor(await list(`cursor=${tampered}`));
    // A cursor of one mall names only a position: another mall still sees only its own orders.
    expect((await json(await list(`cursor=${created}`, other.apiKey))).items.every((o: { orderId: string }) => !orders.some((x) => x.orderId === o.orderId))).toBe(true);
  });
});
