import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { IllegalOrderTransition } from '../../src/domain/order-status.ts';
import { IllegalLineTransition, loadLine, setLineStatus } from '../../src/orders/line-store.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedMall, seedOrder } from '../support/seed-orders.ts';

// setLineStatus is where every line move goes: the state machine is enforced there, in SQL.
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.close();
});

describe('setLineStatus and the line state machine', () => {
  it('moves a line forward, and refuses a late event moving a delivered line back to shipped, changing nothing', async () => {
    const clock = new ManualClock();
    const { orderId, lineIds } = await seedOrder(hub, await seedMall(hub), { lines: 1 });
    const id = lineIds[0] as string;
    const em = hub.deps.orm.em.fork();
    for (const status of ['accepted', 'shipped', 'delivered'] as const) await em.fork().transactional((tx) => setLineStatus(tx, clock, { id, orderId }, { status }));
    expect((await loadLine(em, id)).status).toBe('delivered');
    const late = em.fork().transactional((tx) => setLineStatus(tx, clock, { id, orderId }, { status: 'shipped' }));
    await expect(late).rejects.toBeInstanceOf(IllegalLineTransition);
    await expect(late).rejects.toMatchObject({ retryable: false, details: { from: 'delivered', to: 'shipped' } });
    expect((await loadLine(em.fork(), id)).status).toBe('delivered');
  });

  it('keeps each order status move inside the order state machine, and refuses one that is not (an order already completed cannot go back to in progress)', async () => {
    const clock = new ManualClock();
    const { orderId, lineIds } = await seedOrder(hub, await seedMall(hub), { lines: 2 });
    const [a, b] = lineIds as [string, string];
    const em = hub.deps.orm.em.fork();
    const orderStatus = async () => (await em.fork().getConnection().execute<{ status: string }[]>('select status from mall_order where id = ?', [orderId]))[0]?.status;
    await em.fork().transactional((tx) => setLineStatus(tx, clock, { id: a, orderId }, { status: 'accepted' }));
    expect(await orderStatus()).toBe('in_progress');
    // The stored status says completed (written by hand: no line move can get there with b pending).
    await em.fork().getConnection().execute("update mall_order set status = 'completed' where id = ?", [orderId]);
    const back = em.fork().transactional((tx) => setLineStatus(tx, clock, { id: b, orderId }, { status: 'accepted' }));
    await expect(back).rejects.toBeInstanceOf(IllegalOrderTransition);
    await expect(back).rejects.toMatchObject({ retryable: false, details: { orderId, from: 'completed', to: 'in_progress' } });
    // Rolled back with it: the line did not move either.
    expect((await loadLine(em.fork(), b)).status).toBe('pending');
  });
});
