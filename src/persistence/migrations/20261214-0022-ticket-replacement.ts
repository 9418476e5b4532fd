import { Migration } from '@mikro-orm/migrations';

/**
 * The replacement an after-sales ticket sent (a reship's new supplier order), on the ticket: the
 * supplier's callbacks about that order match no line (it is not one of the line's attempts), and
 * find the ticket by it instead, so its run is woken when the parcel ships rather than at its next poll.
 */
export class Migration20261214_0022_TicketReplacement extends Migration {
  override name = '20261214-0022-ticket-replacement';

  override up(): void {
    this.addSql('alter table aftersale_ticket add column replacement_supplier_id text, add column replacement_order_id text');
    this.addSql('create index aftersale_ticket_replacement_idx on aftersale_ticket (replacement_supplier_id, replacement_order_id) where replacement_order_id is not null');
  }

  override down(): void {
    this.addSql('drop index aftersale_ticket_replacement_idx');
    this.addSql('alter table aftersale_ticket drop column replacement_supplier_id, drop column replacement_order_id');
  }
}
