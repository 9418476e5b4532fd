import { Migration } from '@mikro-orm/migrations';

/** Canonical catalog items, supplier offers, and sync runs with their resumable checkpoint. */
export class Migration20261123_0002_Catalog extends Migration {
  override name = '20261123-0002-catalog';

  override up(): void {
    this.addSql(`
      create table catalog_item (
        id bigint generated always as identity primary key,
        -- The hub's public id: random, so it survives any change of how offers are matched.
        sku_id text not null unique default ('sku_' || replace(gen_random_uuid()::text, '-', '')),
        match_key text not null unique,
        kind text not null check (kind in ('physical', 'virtual', 'service')),
        title text not null,
        brand text,
        model text,
        gtin text,
        category_id text,
        category_path text[] not null default '{}',
        images text[] not null default '{}',
        attributes jsonb not null default '{}',
        market_price_fen integer,
        best_cost_fen integer,
        sellable boolean not null default false,
        stock_units integer,
        search_grams text[] not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create index catalog_item_grams_idx on catalog_item using gin (search_grams)');
    this.addSql('create index catalog_item_category_idx on catalog_item (category_id)');
    this.addSql(`
      create table catalog_offer (
        id bigint generated always as identity primary key,
        item_id bigint not null references catalog_item (id),
        supplier_id text not null,
        -- Supplier accounts are the hub's in v1; the column lets per-mall accounts come later.
        supplier_account_id text not null,
        supplier_sku_id text not null,
        title text not null,
        cost_fen integer not null check (cost_fen >= 0),
        market_price_fen integer,
        stock integer,
        on_shelf boolean not null,
        supplier_category_id text,
        supplier_category_path text[] not null default '{}',
        last_sync_run_id bigint,
        -- Set when a full sync no longer lists the offer: it stops being sold through this source.
        removed_at timestamptz,
        updated_at timestamptz not null default now(),
        unique (supplier_id, supplier_sku_id)
      )`);
    this.addSql('create index catalog_offer_item_idx on catalog_offer (item_id)');
    this.addSql(`
      create table catalog_sync_run (
        id bigint generated always as identity primary key,
        supplier_id text not null,
        mode text not null check (mode in ('full', 'incremental')),
        status text not null check (status in ('running', 'succeeded', 'failed')),
        -- The connector cursor of the next page: a crashed run resumes from here.
        cursor text,
        pages integer not null default 0,
        seen integer not null default 0,
        removed integer not null default 0,
        errors integer not null default 0,
        last_error text,
        started_at timestamptz not null,
        heartbeat_at timestamptz not null,
        finished_at timestamptz
      )`);
    this.addSql("create unique index catalog_sync_run_one_running on catalog_sync_run (supplier_id, mode) where status = 'running'");
    this.addSql('create index catalog_sync_run_supplier_idx on catalog_sync_run (supplier_id, id desc)');
  }

  override down(): void {
    this.addSql('drop table catalog_sync_run, catalog_offer, catalog_item');
  }
}
