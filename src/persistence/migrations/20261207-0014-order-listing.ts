import { Migration } from '@mikro-orm/migrations';

/**
 * GET /v1/orders lists a mall's orders by (created_at, id), or by (updated_at, id) from
 * `updatedSince` (a mall reconciling what changed): one index for each order, so a page is an
 * index range scan whatever the mall's number of orders. The updated_at index makes every line
 * move's update of its order an index write too (no longer a heap-only update): the price of
 * reconciliation by change.
 */
export class Migration20261207_0014_OrderListing extends Migration {
  override name = '20261207-0014-order-listing';

  override up(): void {
    this.addSql('create index mall_order_created_idx on mall_order (mall_id, created_at, id)');
    this.addSql('create index mall_order_updated_idx on mall_order (mall_id, updated_at, id)');
  }

  override down(): void {
    this.addSql('drop index mall_order_updated_idx');
    this.addSql('drop index mall_order_created_idx');
  }
}
