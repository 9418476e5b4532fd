import { Migration } from '@mikro-orm/migrations';

/**
 * Staff work on after-sales tickets (issue 19, admin part): who a ticket is assigned to, when staff
 * first acted on it, and an optimistic `version` every staff write checks and bumps, so that two
 * staff acting at once on one ticket cannot both apply.
 */
export class Migration20261209_0017_AftersaleStaff extends Migration {
  override name = '20261209-0017-aftersale-staff';

  override up(): void {
    this.addSql('alter table aftersale_ticket add column version integer not null default 1, add column assignee text, add column first_responded_at timestamptz');
    this.addSql('create index aftersale_ticket_admin_idx on aftersale_ticket (status, id)');
  }

  override down(): void {
    this.addSql('drop index aftersale_ticket_admin_idx');
    this.addSql('alter table aftersale_ticket drop column version, drop column assignee, drop column first_responded_at');
  }
}
