import { Migration } from '@mikro-orm/migrations';

/**
 * The statement that rewrites the `line.issued` events written before this migration (exported
 * for its test): `vouchers` was a count; it becomes `voucherCount`, and `vouchers` the codes the
 * line holds (line_voucher), masked, as the order view lists them.
 */
export const REWRITE_LINE_ISSUED = `
  update mall_event e set data = (e.data - 'vouchers') || jsonb_build_object(
    'voucherCount', (e.data->>'vouchers')::int,
    'vouchers', coalesce((
      select jsonb_agg(jsonb_build_object('code', v.masked, 'expiresAt', to_char(v.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) order by v.created_at, v.id)
      from order_line l join line_voucher v on v.line_id = l.id
      where l.order_id = e.order_id and l.line_id = e.data->>'lineId'), '[]'::jsonb))
  where e.type = 'line.issued' and jsonb_typeof(e.data->'vouchers') = 'number'`;

/**
 * `line.issued` carried `vouchers` as a count; it now carries `voucherCount` and `vouchers`, the
 * codes masked as the order view shows them (src/mall-webhooks/event-schemas.ts). Events already
 * written are rewritten to the new shape, so GET /v1/events and the deliveries still to be sent
 * (their body is built from the stored event) carry only the documented one.
 */
export class Migration20261207_0015_LineIssuedVouchers extends Migration {
  override name = '20261207-0015-line-issued-vouchers';

  override up(): void {
    this.addSql(REWRITE_LINE_ISSUED);
  }

  override down(): void {
    this.addSql(`
      update mall_event set data = (data - 'voucherCount') || jsonb_build_object('vouchers', data->'voucherCount')
      where type = 'line.issued' and data ? 'voucherCount'`);
  }
}
