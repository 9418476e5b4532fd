import { Migration } from '@mikro-orm/migrations';

/** Tenancy, credentials, audit log, mall-event outbox and the raw inbound supplier event store. */
export class Migration20261123_0001_Foundation extends Migration {
  override name = '20261123-0001-foundation';

  override up(): void {
    this.addSql(`
      create table mall (
        id text primary key,
        name text not null,
        status text not null default 'active' check (status in ('active', 'suspended')),
        webhook_url text not null,
        webhook_enabled boolean not null default true,
        webhook_disabled_reason text,
        webhook_secret jsonb not null,
        previous_webhook_secret jsonb,
        previous_secret_expires_at timestamptz,
        points_per_yuan integer not null check (points_per_yuan > 0),
        rate_limit_per_sec integer not null check (rate_limit_per_sec > 0),
        rate_limit_burst integer not null check (rate_limit_burst > 0),
        pricing jsonb not null default '{}',
        catalog_selection jsonb not null default '{}',
        tier_discounts jsonb not null default '{}',
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`
      create table api_credential (
        id text primary key,
        kind text not null check (kind in ('mall_key', 'staff_token')),
        mall_id text references mall (id),
        role text not null check (role in ('mall', 'agent', 'admin')),
        name text not null,
        secret_hash text not null,
        display_prefix text not null,
        created_by text,
        created_at timestamptz not null,
        expires_at timestamptz,
        revoked_at timestamptz,
        check ((kind = 'mall_key') = (mall_id is not null and role = 'mall'))
      )`);
    this.addSql('create unique index api_credential_secret_hash_key on api_credential (secret_hash)');
    this.addSql('create index api_credential_mall_id_idx on api_credential (mall_id) where mall_id is not null');
    this.addSql(`
      create table audit_entry (
        id text primary key,
        at timestamptz not null,
        actor_type text not null,
        actor_id text not null,
        action text not null,
        resource_type text not null,
        resource_id text not null,
        mall_id text,
        before jsonb,
        after jsonb,
        request_id text
      )`);
    this.addSql('create index audit_entry_at_idx on audit_entry (at desc, id desc)');
    this.addSql('create index audit_entry_resource_idx on audit_entry (resource_type, resource_id, at desc)');
    this.addSql('create index audit_entry_actor_idx on audit_entry (actor_id, at desc)');
    // Outbox: the per-order counter row is locked by the writer, so seq has no gaps and no duplicates.
    this.addSql(`
      create table order_event_counter (
        order_id text primary key,
        last_seq integer not null
      )`);
    this.addSql(`
      create table mall_event (
        id text primary key,
        mall_id text not null references mall (id),
        order_id text,
        seq integer,
        type text not null,
        data jsonb not null,
        created_at timestamptz not null,
        published_at timestamptz,
        check ((order_id is null) = (seq is null))
      )`);
    this.addSql('create unique index mall_event_order_seq_key on mall_event (order_id, seq) where order_id is not null');
    this.addSql('create index mall_event_mall_idx on mall_event (mall_id, id)');
    this.addSql('create index mall_event_unpublished_idx on mall_event (created_at) where published_at is null');
    this.addSql(`
      create table inbound_event (
        id text primary key,
        supplier text not null,
        event_id text not null,
        event_type text,
        headers jsonb not null default '{}',
        body text not null,
        received_at timestamptz not null,
        status text not null default 'received' check (status in ('received', 'processed', 'failed', 'ignored')),
        attempts integer not null default 0,
        processed_at timestamptz,
        last_error text
      )`);
    this.addSql('create unique index inbound_event_supplier_event_key on inbound_event (supplier, event_id)');
    this.addSql("create index inbound_event_pending_idx on inbound_event (received_at) where status = 'received'");
  }

  override down(): void {
    this.addSql('drop table inbound_event, mall_event, order_event_counter, audit_entry, api_credential, mall');
  }
}
