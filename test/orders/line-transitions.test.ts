import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
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
});
