import { Migration } from '@mikro-orm/migrations';

/** Points per (mall, item), stored so points filters and ordering use an index. */
export class Migration20261123_0003_MallPrices extends Migration {
  override name = '20261123-0003-mall-prices';

  override up(): void {
    this.addSql(`
      create table mall_item (
        mall_id text not null references mall (id),
        item_id bigint not null references catalog_item (id),
        points integer not null check (points >= 0),
        cash_fen integer not null default 0 check (cash_fen >= 0),
        kind text not null,
        sellable boolean not null,
        stock_units integer,
        updated_at timestamptz not null default now(),
        primary key (mall_id, item_id)
      )`);
    this.addSql('create index mall_item_points_idx on mall_item (mall_id, points, item_id) where sellable');
  }

  override down(): void {
    this.addSql('drop table mall_item');
  }
}
