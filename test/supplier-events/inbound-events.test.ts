import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeInboundEvent } from '../../src/supplier-events/inbound-events.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

const sql = <T extends object[]>(q: string, params: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, params);

describe('inbound supplier event store', () => {
  it('stores an event once and reports a repeat delivery as a duplicate', async () => {
    const input = { supplier: 'brand/acme', eventId: 'evt_1', eventType: 'order.shipped', headers: { 'x-brand-signature': 't=1,v1=ab' }, body: '{"id":"evt_1"}' };
    const first = await storeInboundEvent(hub.deps.orm.em.fork(), hub.clock, input);
    const second = await storeInboundEvent(hub.deps.orm.em.fork(), hub.clock, { ...input, body: '{"id":"evt_1","retry":true}' });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ id: first.id, duplicate: true });
    const rows = await sql<{ body: string; status: string }[]>('select body, status from inbound_event where supplier = ? and event_id = ?', ['brand/acme', 'evt_1']);
    expect(rows).toEqual([{ body: '{"id":"evt_1"}', status: 'received' }]);
  });

  it('keeps the same event id from two suppliers apart', async () => {
    const a = await storeInboundEvent(hub.deps.orm.em.fork(), hub.clock, { supplier: 'taobao', eventId: 'm-9', body: '{}' });
    const b = await storeInboundEvent(hub.deps.orm.em.fork(), hub.clock, { supplier: 'jd', eventId: 'm-9', body: '{}' });
    expect(a.duplicate || b.duplicate).toBe(false);
    expect(a.id).not.toBe(b.id);
  });

  it('stores exactly one row when the same event arrives concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => storeInboundEvent(hub.deps.orm.em.fork(), hub.clock, { supplier: 'topup/fulu', eventId: 'race', body: '{}' })));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
  });
});
