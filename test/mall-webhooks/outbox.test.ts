import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMallEvent } from '../../src/mall-webhooks/outbox.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let mallId: string;
beforeAll(async () => {
  hub = await startTestHub();
  mallId = (await hub.createMall('Outbox mall')).mallId;
});
afterAll(() => hub.close());

const sql = <T extends object[]>(q: string, params: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, params);

describe('mall event outbox', () => {
  it('gives each order’s events seq 1..n without gaps or duplicates under concurrent writers', async () => {
    const writers = Array.from({ length: 40 }, (_, i) =>
      hub.deps.orm.em.fork().transactional(async (em) => {
        await new Promise((r) => setTimeout(r, Math.random() * 5));
        return appendMallEvent(em, hub.clock, { mallId, orderId: 'o_conc', type: 'line.submitted', data: { i } });
      }),
    );
    await Promise.all(writers);
    const rows = await sql<{ seq: number }[]>('select seq from mall_event where order_id = ? order by seq', ['o_conc']);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('leaves no gap when the transaction that wrote an event rolls back', async () => {
    await hub.deps.orm.em.fork().transactional((em) => appendMallEvent(em, hub.clock, { mallId, orderId: 'o_rb', type: 'order.accepted', data: {} }));
    await expect(
      hub.deps.orm.em.fork().transactional(async (em) => {
        await appendMallEvent(em, hub.clock, { mallId, orderId: 'o_rb', type: 'line.submitted', data: {} });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    const e = await hub.deps.orm.em.fork().transactional((em) => appendMallEvent(em, hub.clock, { mallId, orderId: 'o_rb', type: 'line.failed', data: {} }));
    expect(e.seq).toBe(2);
    const rows = await sql<{ type: string; seq: number }[]>('select type, seq from mall_event where order_id = ? order by seq', ['o_rb']);
    expect(rows).toEqual([{ type: 'order.accepted', seq: 1 }, { type: 'line.failed', seq: 2 }]);
  });

  it('writes events of no order (catalog.changed) without a seq', async () => {
    const e = await hub.deps.orm.em.fork().transactional((em) => appendMallEvent(em, hub.clock, { mallId, type: 'catalog.changed', data: { cursor: 'c1' } }));
    expect(e.seq).toBeNull();
  });

  it('refuses to write outside a transaction', async () => {
    await expect(appendMallEvent(hub.deps.orm.em.fork(), hub.clock, { mallId, type: 'catalog.changed', data: {} })).rejects.toThrow(/transaction/);
  });

  it('rejects an event for an unknown mall', async () => {
    await expect(hub.deps.orm.em.fork().transactional((em) => appendMallEvent(em, hub.clock, { mallId: 'mall_nope', type: 'catalog.changed', data: {} }))).rejects.toThrow(/foreign key/);
  });
});
