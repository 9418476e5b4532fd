import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REWRITE_LINE_ISSUED } from '../../src/persistence/migrations/20261207-0015-line-issued-vouchers.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedMall, seedOrder } from '../support/seed-orders.ts';

let hub: TestHub;
let mallId: string;
beforeAll(async () => {
  hub = await startTestHub();
  mallId = await seedMall(hub);
});
afterAll(() => hub?.close());

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

describe('migration 20261207-0015: line.issued events written before it', () => {
  it('become voucherCount and the masked codes of the line, once; events already in the new shape are left alone', async () => {
    const order = await seedOrder(hub, mallId, { lines: 2 });
    const codes = order.lineIds[0] as string;
    const now = hub.clock.now();
    await sql("insert into line_attempt (id, line_id, seq, supplier_id, supplier_account_id, supplier_sku_id, reference, status, quantity, created_at, updated_at) values ('att_m1', ?, 1, 'topup-fulu', 'a', 'CARD-50', 'ref-m1', 'issued', 1, ?, ?)", [codes, now, now]);
    await sql("insert into line_voucher (id, line_id, attempt_id, code, masked, expires_at, created_at) values ('vch_m1', ?, 'att_m1', '{}', '********1234', '2027-11-30T15:59:59Z', ?), ('vch_m2', ?, 'att_m1', '{}', '********5678', null, ?)", [codes, now, codes, new Date(now.getTime() + 1)]);
    const legacy = (id: string, lineId: string, vouchers: number, seq: number) =>
      sql('insert into mall_event (id, mall_id, order_id, seq, type, data, created_at) values (?, ?, ?, ?, ?, ?, ?)', [id, mallId, order.orderId, seq, 'line.issued', JSON.stringify({ orderId: order.orderId, mallOrderId: order.mallOrderId, lineId, source: 'topup-fulu', vouchers }), now]);
    await legacy('evt_legacy_codes', '1', 2, 1);
    await legacy('evt_legacy_recharge', '2', 0, 2);
    const current = { orderId: order.orderId, mallOrderId: order.mallOrderId, lineId: '2', source: 'topup-fulu', voucherCount: 0, vouchers: [] };
    await sql('insert into mall_event (id, mall_id, order_id, seq, type, data, created_at) values (?, ?, ?, 3, ?, ?, ?)', ['evt_current', mallId, order.orderId, 'line.issued', JSON.stringify(current), now]);

    await sql(REWRITE_LINE_ISSUED);
    await sql(REWRITE_LINE_ISSUED);
    const data = async (id: string) => (await sql<{ data: Record<string, unknown> }[]>('select data from mall_event where id = ?', [id]))[0]?.data;
    expect(await data('evt_legacy_codes')).toEqual({
      orderId: order.orderId, mallOrderId: order.mallOrderId, lineId: '1', source: 'topup-fulu', voucherCount: 2,
      vouchers: [{ code: '********1234', expiresAt: '2027-11-30T15:59:59.000Z' }, { code: '********5678', expiresAt: null }],
    });
    expect(await data('evt_legacy_recharge')).toMatchObject({ lineId: '2', voucherCount: 0, vouchers: [] });
    expect(await data('evt_current')).toEqual(current);
  });
});
