import { Migration } from '@mikro-orm/migrations';

/**
 * Settling after-sales tickets (issue 19, workflows part).
 *
 * - `ledger_entry.ref`: the key of a refund made for a ticket or by staff, unique, so a refund
 *   retried after a crash (or asked twice) is written and told to the mall once. Refunds of units
 *   that failed or were cancelled keep it null: they are told once by the line's own move.
 * - `ledger_entry.entry` gains `supplier_refund`: what a supplier gives the hub back for returned
 *   or claimed units (positive fen), next to the refund the hub owes the mall.
 * - The ticket keeps the supplier's after-sale it opened, what it is waiting on, the decision an
 *   agent or the hub took (`decision`, which the ticket's run carries out), a refund waiting for an
 *   admin's approval (`approval`), and who settled it and when.
 */
export class Migration20261210_0018_AftersaleResolution extends Migration {
  override name = '20261210-0018-aftersale-resolution';

  override up(): void {
    this.addSql('alter table ledger_entry add column ref text');
    this.addSql('create unique index ledger_entry_ref_idx on ledger_entry (ref) where ref is not null');
    this.addSql('alter table ledger_entry drop constraint ledger_entry_entry_check');
    this.addSql("alter table ledger_entry add constraint ledger_entry_entry_check check (entry in ('settlement', 'supplier_cost', 'freight', 'refund', 'supplier_refund'))");
    this.addSql(`alter table aftersale_ticket
      add column supplier_id text,
      add column supplier_aftersale_id text,
      add column waiting_on text check (waiting_on in ('hub', 'supplier', 'carrier', 'agent', 'approval')),
      add column decision jsonb,
      add column approval jsonb,
      add column resolved_by text,
      add column resolved_at timestamptz`);
    this.addSql('create index aftersale_ticket_supplier_afs_idx on aftersale_ticket (supplier_id, supplier_aftersale_id) where supplier_aftersale_id is not null');
  }

  override down(): void {
    this.addSql('drop index aftersale_ticket_supplier_afs_idx');
    this.addSql('alter table aftersale_ticket drop column supplier_id, drop column supplier_aftersale_id, drop column waiting_on, drop column decision, drop column approval, drop column resolved_by, drop column resolved_at');
    this.addSql('alter table ledger_entry drop constraint ledger_entry_entry_check');
    this.addSql("alter table ledger_entry add constraint ledger_entry_entry_check check (entry in ('settlement', 'supplier_cost', 'freight', 'refund'))");
    this.addSql('drop index ledger_entry_ref_idx');
    this.addSql('alter table ledger_entry drop column ref');
  }
}
