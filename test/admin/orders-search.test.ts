import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';
import { seedOrder } from '../support/seed-orders.ts';

/** GET /admin/orders: each search key finds the order, keys combine, malls narrow, pages, masking, and 400s for a search without a key or a bad phone tail. */

let hub: TestHub;
let mallA: string;
let mallB: string;
let agent: string;
let admin: string;

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const search = (query: string, token = agent) => hub.call('GET', `/admin/orders?${query}`, { token });
const ids = async (res: Response) => {
  expect(res.status).toBe(200);
  return ((await json(res)).items as { orderId: string }[]).map((o) => o.orderId);
};

/** An order of one physical line with a sealed recipient (its phone tail hashed as intake hashes it), a supplier attempt and a parcel. */
async function orderWith(mallId: string, phone: string, name = '王小明') {
  const o = await seedOrder(hub, mallId, { lines: 1, kind: 'physical' });
  const recipient = { name, phone, province: '上海', city: '上海市', district: '浦东新区', address: '世纪大道 100 号' };
  const tail = hub.deps.crypto.keyedHash(phone.slice(-4));
  await sql('update mall_order set recipient = ?, phone_tail_hash = ?, phone_hash_key_id = ? where id = ?', [JSON.stringify(hub.deps.crypto.seal(JSON.stringify(recipient))), tail.hash, tail.keyId, o.orderId]);
  const tag = randomBytes(5).toString('hex');
  const supplierOrderId = `SO-${tag}`;
  const trackingNo = `SF${tag.toUpperCase()}`;
  const now = hub.clock.now();
  await sql(
    `insert into line_attempt (id, line_id, seq, supplier_id, supplier_account_id, supplier_sku_id, reference, status, supplier_order_id, quantity, created_at, updated_at)
     values (?, ?, 1, 'brand-acme', 'brand-acme', 'ssku', ?, 'accepted', ?, 1, ?, ?)`,
    [`att_${tag}`, o.lineIds[0], `ref-${tag}`, supplierOrderId, now, now],
  );
  await sql(
    `insert into shipment (id, line_id, supplier_id, supplier_order_id, carrier, tracking_no, status, created_at, updated_at)
     values (?, ?, 'brand-acme', ?, 'SF', ?, 'in_transit', ?, ?)`,
    [`shp_${tag}`, o.lineIds[0], supplierOrderId, trackingNo, now, now],
  );
  return { ...o, supplierOrderId, trackingNo, recipient };
}

beforeAll(async () => {
  hub = await startTestHub();
  mallA = (await hub.createMall('积分商城甲')).mallId;
  mallB = (await hub.createMall('积分商城乙')).mallId;
  agent = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: '客服：王芳' } }))).token;
  admin = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'admin', name: '运营：李强' } }))).token;
});
afterAll(() => hub?.close());

describe('GET /admin/orders', () => {
  it('finds an order by each key alone, across malls, and by keys combined', async () => {
    const o = await orderWith(mallA, '13912344321');
    const other = await orderWith(mallB, '13800004321');
    expect(await ids(await search(`mallOrderId=${o.mallOrderId}`))).toEqual([o.orderId]);
    expect(await ids(await search(`trackingNo=${o.trackingNo}`))).toEqual([o.orderId]);
    expect(await ids(await search(`supplierOrderId=${o.supplierOrderId}`))).toEqual([o.orderId]);
    // Two malls' orders share the tail 4321: both, newest id first; one mall's with mallId.
    const byTail = await ids(await search('phoneTail=4321'));
    expect(byTail).toHaveLength(2);
    expect(new Set(byTail)).toEqual(new Set([o.orderId, other.orderId]));
    expect(byTail).toEqual([...byTail].sort().reverse());
    expect(await ids(await search(`phoneTail=4321&mallId=${mallB}`))).toEqual([other.orderId]);
    // Keys combine: every one must match.
    expect(await ids(await search(`phoneTail=4321&trackingNo=${o.trackingNo}`))).toEqual([o.orderId]);
    expect(await ids(await search(`phoneTail=4321&trackingNo=${other.trackingNo}&mallId=${mallA}`))).toEqual([]);
    expect(await ids(await search(`mallOrderId=${o.mallOrderId}&mallId=${mallB}`))).toEqual([]);
    expect(await ids(await search('phoneTail=0000'))).toEqual([]);
    expect(await ids(await search('trackingNo=SF-NOPE'))).toEqual([]);
  });

  it('answers each order with its lines and a masked recipient, for an admin too, and audits no read', async () => {
    const o = await orderWith(mallA, '13712345678', '张三');
    const audits = async () => (await sql<{ n: number }[]>('select count(*)::int n from audit_entry where resource_id = ?', [o.orderId]))[0]?.n;
    for (const token of [agent, admin]) {
      const res = await search(`mallOrderId=${o.mallOrderId}`, token);
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toEqual({
        items: [{
          orderId: o.orderId, mallId: mallA, mallOrderId: o.mallOrderId, status: 'accepted', member: { id: 'm-1', tier: null },
          recipient: { name: '张*', phone: '137****5678', province: '上海', city: '上海市', district: '浦东新区', address: '****', masked: true },
          createdAt: expect.any(String), updatedAt: expect.any(String),
          lines: [{ lineId: '1', skuId: 'sku-x', kind: 'physical', quantity: 1, status: 'pending' }],
        }],
        nextCursor: null,
      });
      expect(JSON.stringify(body)).not.toContain('13712345678');
      expect(JSON.stringify(body)).not.toContain('世纪大道');
    }
    expect(await audits()).toBe(0);
  });

  it('pages with limit and cursor', async () => {
    const phone = `1360000${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const made = [await orderWith(mallA, phone), await orderWith(mallA, phone), await orderWith(mallB, phone)];
    const tail = phone.slice(-4);
    const first = await json(await search(`phoneTail=${tail}&limit=2`));
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await json(await search(`phoneTail=${tail}&limit=2&cursor=${first.nextCursor}`));
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items].map((i: { orderId: string }) => i.orderId);
    expect(all).toEqual(made.map((m) => m.orderId).sort().reverse());
  });

  it('400 without a search key or with a phone tail that is not four digits; 400 for a forged cursor; 401 for a mall key', async () => {
    const noKey = await search('');
    expect(noKey.status).toBe(400);
    expect((await json(noKey)).error).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'query', code: 'required' }] } });
    expect((await search(`mallId=${mallA}`)).status).toBe(400);
    for (const bad of ['123', '12345', '12a4', '%EF%BC%91234', '']) {
      const res = await search(`phoneTail=${bad}`);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect((await json(res)).error.code).toBe('validation_failed');
    }
    expect((await search('phoneTail=1234&cursor=bm9wZQ')).status).toBe(400);
    const mallKey = (await hub.createMall('第三商城')).apiKey;
    expect((await search('phoneTail=1234', mallKey)).status).toBe(401);
  });
});
