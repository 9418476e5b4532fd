import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage, PollInbound, SupplierConnector } from '../../connectors/connector.ts';
import { toEvents } from '../../connectors/jd/mapper.ts';
import { JD_MESSAGE } from '../../connectors/jd/methods.ts';
import { formatUtc8Timestamp } from '../../connectors/shared/timestamp.ts';
import { processInbound } from '../../src/queues/processors/inbound-event.processor.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';
import { seedPlacedLine } from './seed.ts';

let hub: TestHub;
let mallId: string;
let apiKey: string;

beforeAll(async () => {
  hub = await startTestHub();
  ({ mallId, apiKey } = await hub.createMall('JD mall'));
});
afterAll(async () => {
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

/** JD's message pool in memory, read and deleted the way biz.message.get/del do; `log` records what happened in order. */
function fakeJd(messages: { id: string; type: number; time: string; result: Record<string, unknown> }[]) {
  const pool = [...messages];
  const log: string[] = [];
  const inbound: PollInbound = {
    mode: 'poll',
    catalogTypes: [2, 4, 6, 16],
    orderTypes: [1, 5, 10, 12, 14, 31],
    async fetch(types) {
      log.push('fetch');
      return pool.filter((m) => types.includes(m.type)).slice(0, 100).map((m): InboundMessage => ({ eventId: m.id, eventType: String(m.type), raw: JSON.stringify(m) }));
    },
    async acknowledge(ids) {
      const stored = await sql<{ event_id: string }[]>("select event_id from inbound_event where supplier = 'jd' and event_id in (select unnest(?::text[]))", [`{${ids.join(',')}}`]);
      log.push(`delete ${ids.length} (stored ${stored.length})`);
      for (const id of ids) pool.splice(pool.findIndex((m) => m.id === id), 1);
    },
    parse: toEvents,
  };
  const connector = { id: 'jd', kind: 'jd', inbound } as unknown as SupplierConnector;
  return { connector, pool, log };
}

const t = (iso: string) => formatUtc8Timestamp(new Date(iso));
const deps = (connector: SupplierConnector, em = hub.deps.orm.em) => ({ em, clock: hub.clock, connectors: new Map([['jd', connector]]), scheduleRun: async () => undefined });

describe('JD order messages from the message pool', () => {
  it('stores each batch before deleting it at JD, then splits the line into one shipment per child order', async () => {
    const line = await seedPlacedLine(hub, mallId, { supplierId: 'jd', supplierOrderId: '700', quantity: 2 });
    // Out of order: a child's waybill and delivery come before the split itself.
    const jd = fakeJd([
      { id: 'm-3', type: JD_MESSAGE.SHIPPED, time: t('2026-11-23T05:00:00Z'), result: { orderId: 7001, pOrder: 700, waybill: 'JDVA1', carrier: '京东物流' } },
      { id: 'm-5', type: JD_MESSAGE.DELIVERED, time: t('2026-11-24T05:00:00Z'), result: { orderId: 7001, pOrder: 700, waybill: 'JDVA1', state: 1 } },
      { id: 'm-1', type: JD_MESSAGE.SPLIT, time: t('2026-11-23T04:00:00Z'), result: { pOrder: 700, cOrders: [7001, 7002] } },
      { id: 'm-4', type: JD_MESSAGE.SHIPPED, time: t('2026-11-23T05:01:00Z'), result: { orderId: 7002, pOrder: 700, waybill: 'JDVA2', carrier: '京东物流' } },
      { id: 'm-price', type: JD_MESSAGE.PRICE, time: t('2026-11-23T05:00:00Z'), result: { skuId: 1 } },
    ]);
    await processInbound({ task: 'poll', supplierId: 'jd' }, deps(jd.connector));
    expect(jd.log).toEqual(['fetch', 'delete 4 (stored 4)', 'fetch']);
    // Catalog messages are the catalog sync's: left in the pool.
    expect(jd.pool.map((m) => m.id)).toEqual(['m-price']);
    let o = await json(await hub.call('GET', `/v1/orders/${line.orderId}`, { token: apiKey }));
    // One child delivered, one on its way: the line is shipped, not delivered.
    expect(o.lines[0].status).toBe('shipped');
    expect(o.lines[0].shipments.map((s: { trackingNo: string; status: string; carrier: string }) => [s.trackingNo, s.status, s.carrier])).toEqual([['JDVA1', 'delivered', 'JD'], ['JDVA2', 'picked_up', 'JD']]);
    const rows = await sql<{ supplier_order_id: string }[]>('select supplier_order_id from shipment where line_id = ? order by supplier_order_id', [line.lineId]);
    expect(rows.map((r) => r.supplier_order_id)).toEqual(['7001', '7002']);
    jd.pool.push({ id: 'm-6', type: JD_MESSAGE.DELIVERED, time: t('2026-11-24T06:00:00Z'), result: { orderId: 7002, pOrder: 700, waybill: 'JDVA2', state: 1 } });
    // JD delivers at least once: the same message again is stored once and applied once.
    jd.pool.push({ id: 'm-5', type: JD_MESSAGE.DELIVERED, time: t('2026-11-24T05:00:00Z'), result: { orderId: 7001, pOrder: 700, waybill: 'JDVA1', state: 1 } });
    await processInbound({ task: 'poll', supplierId: 'jd' }, deps(jd.connector));
    o = await json(await hub.call('GET', `/v1/orders/${line.orderId}`, { token: apiKey }));
    expect(o.lines[0]).toMatchObject({ status: 'delivered', quantityFulfilled: 2 });
    const types = (await sql<{ type: string }[]>('select type from mall_event where order_id = ? order by seq', [line.orderId])).map((e) => e.type);
    expect(types.filter((x) => x === 'line.delivered')).toHaveLength(1);
    expect(types.filter((x) => x === 'line.shipped')).toHaveLength(1);
  });

  it('deletes nothing at JD when the batch could not be stored', async () => {
    const jd = fakeJd([{ id: 'm-x', type: JD_MESSAGE.SHIPPED, time: t('2026-11-23T05:00:00Z'), result: { orderId: 800, pOrder: 800, waybill: 'JDVX' } }]);
    const failingEm = { fork: () => ({ transactional: async () => { throw new Error('database down'); } }) } as unknown as typeof hub.deps.orm.em;
    await expect(processInbound({ task: 'poll', supplierId: 'jd' }, deps(jd.connector, failingEm))).rejects.toThrow('database down');
    expect(jd.log).toEqual(['fetch']);
    expect(jd.pool.map((m) => m.id)).toEqual(['m-x']);
    // The next read stores it, then deletes it.
    await processInbound({ task: 'poll', supplierId: 'jd' }, deps(jd.connector));
    expect(jd.log.slice(1)).toEqual(['fetch', 'delete 1 (stored 1)', 'fetch']);
    expect(jd.pool).toEqual([]);
  });
});
