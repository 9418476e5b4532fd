import { Migration } from '@mikro-orm/migrations';

/**
 * Orders, their lines and fulfilment attempts, the append-only money ledger, workflow runs and
 * the job outbox. An attempt is one try of a line at one source; its `reference` is what the
 * supplier deduplicates on (thirdOrder, customer_order_no, Idempotency-Key): derived from the line
 * and the attempt number, stored once, never regenerated on retry. Personal data is sealed
 * (AES-256-GCM with a key id); phone lookups use a keyed hash of the last four digits.
 */
export class Migration20261123_0007_Orders extends Migration {
  override name = '20261123-0007-orders';

  override up(): void {
    this.addSql(`
      create table mall_order (
        id text primary key,
        mall_id text not null references mall (id),
        mall_order_id text not null,
        idempotency_key text not null,
        -- SHA-256 of the canonical request body: same key + another body is a conflict.
        request_hash text not null,
        member_id text not null,
        member_tier text,
        recipient jsonb,
        phone_tail_hash text,
        phone_hash_key_id text,
        status text not null,
        personal_data_erased_at timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (mall_id, mall_order_id),
        unique (mall_id, idempotency_key)
      )`);
    this.addSql('create index mall_order_phone_idx on mall_order (mall_id, phone_tail_hash) where phone_tail_hash is not null');
    this.addSql(`
      create table order_line (
        id text primary key,
        order_id text not null references mall_order (id),
        mall_id text not null,
        line_id text not null,
        item_id bigint not null references catalog_item (id),
        sku_id text not null,
        kind text not null check (kind in ('physical', 'virtual', 'service')),
        quantity integer not null check (quantity > 0),
        points_paid integer not null check (points_paid >= 0),
        cash_paid_fen integer not null check (cash_paid_fen >= 0),
        -- The mall's price of one unit when the order was accepted.
        unit_points integer not null,
        unit_cash_fen integer not null,
        recharge_account jsonb,
        status text not null,
        qty_fulfilled integer not null default 0,
        qty_failed integer not null default 0,
        qty_cancelled integer not null default 0,
        source_supplier_id text,
        failure_reason text,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (order_id, line_id),
        check (qty_fulfilled + qty_failed + qty_cancelled <= quantity)
      )`);
    this.addSql(`
      create table line_attempt (
        id text primary key,
        line_id text not null references order_line (id),
        seq integer not null,
        supplier_id text not null,
        supplier_account_id text not null,
        supplier_sku_id text not null,
        reference text not null unique,
        status text not null,
        supplier_order_id text,
        quantity integer not null check (quantity > 0),
        cost_fen integer,
        freight_fen integer not null default 0,
        failure_reason text,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (line_id, seq)
      )`);
    this.addSql('create index line_attempt_supplier_order_idx on line_attempt (supplier_id, supplier_order_id) where supplier_order_id is not null');
    this.addSql(`
      create table line_voucher (
        id text primary key,
        line_id text not null references order_line (id),
        attempt_id text not null references line_attempt (id),
        code jsonb not null,
        masked text not null,
        expires_at timestamptz,
        created_at timestamptz not null
      )`);
    this.addSql('create index line_voucher_line_idx on line_voucher (line_id)');
    this.addSql(`
      create table ledger_entry (
        id bigint generated always as identity primary key,
        mall_id text not null,
        order_id text not null,
        line_id text not null,
        entry text not null check (entry in ('settlement', 'supplier_cost', 'freight', 'refund')),
        units integer not null,
        points integer not null default 0,
        fen integer not null default 0,
        supplier_id text,
        supplier_account_id text,
        attempt_id text,
        reason text,
        at timestamptz not null
      )`);
    this.addSql('create index ledger_entry_line_idx on ledger_entry (line_id, id)');
    this.addSql('create index ledger_entry_mall_idx on ledger_entry (mall_id, at)');
    // Statements and reconciliation are built on it: rows are only ever added.
    this.addSql(`create function ledger_entry_append_only() returns trigger language plpgsql as $$
      begin raise exception 'ledger_entry is append-only'; end $$`);
    this.addSql('create trigger ledger_entry_append_only before update or delete on ledger_entry for each statement execute function ledger_entry_append_only()');
    this.addSql(`
      create table workflow_run (
        id text primary key,
        workflow text not null,
        subject_id text not null,
        status text not null check (status in ('pending', 'running', 'waiting', 'succeeded', 'failed', 'dead', 'cancelled')),
        step text not null,
        state jsonb not null default '{}',
        attempt integer not null default 0,
        -- Bumped each time the run is scheduled: the queue job id, so each wake-up is one job.
        wakes integer not null default 0,
        next_run_at timestamptz,
        lease_until timestamptz,
        last_error text,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (workflow, subject_id)
      )`);
    this.addSql("create index workflow_run_due_idx on workflow_run (next_run_at) where status in ('pending', 'running', 'waiting')");
    this.addSql("create index workflow_run_dead_idx on workflow_run (updated_at) where status = 'dead'");
    this.addSql(`
      create table workflow_step (
        run_id text not null references workflow_run (id),
        seq integer not null,
        step text not null,
        status text not null check (status in ('succeeded', 'failed', 'compensated')),
        output jsonb,
        attempts integer not null,
        error text,
        started_at timestamptz not null,
        finished_at timestamptz not null,
        primary key (run_id, seq)
      )`);
    // Jobs to enqueue, written in the transaction of the change that needs them: a crash between
    // commit and enqueue loses nothing (a relay moves them to BullMQ and marks them dispatched).
    this.addSql(`
      create table job_outbox (
        id bigint generated always as identity primary key,
        queue text not null,
        job_id text not null,
        payload jsonb not null,
        created_at timestamptz not null default now(),
        dispatched_at timestamptz
      )`);
    this.addSql('create index job_outbox_pending_idx on job_outbox (id) where dispatched_at is null');
  }

  override down(): void {
    this.addSql('drop table job_outbox, workflow_step, workflow_run');
    this.addSql('drop trigger ledger_entry_append_only on ledger_entry');
    this.addSql('drop function ledger_entry_append_only');
    this.addSql('drop table ledger_entry, line_voucher, line_attempt, order_line, mall_order');
  }
}
