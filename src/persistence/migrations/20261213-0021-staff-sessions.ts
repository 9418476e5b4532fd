import { Migration } from '@mikro-orm/migrations';

/**
 * Staff sessions (the support console's sign-in, issue 20): a short-lived credential of a staff
 * token's role, revocable, kept in `api_credential` beside the tokens as `kind = 'staff_session'`
 * so the one lookup the staff middleware already does (by `secret_hash`) finds it. `created_by`
 * names the staff token it was made from (checked at each verification: revoking the token ends
 * its sessions), and `expires_at` is always set. The existing check that only mall keys have a
 * mall holds for sessions as it does for tokens; only the list of kinds grows.
 */
export class Migration20261213_0021_StaffSessions extends Migration {
  override name = '20261213-0021-staff-sessions';

  override up(): void {
    this.addSql('alter table api_credential drop constraint api_credential_kind_check');
    this.addSql(`alter table api_credential add constraint api_credential_kind_check check (kind in ('mall_key', 'staff_token', 'staff_session'))`);
    this.addSql(`alter table api_credential add constraint api_credential_session_expires_check check (kind <> 'staff_session' or (expires_at is not null and created_by is not null))`);
  }

  override down(): void {
    this.addSql("delete from api_credential where kind = 'staff_session'");
    this.addSql('alter table api_credential drop constraint api_credential_session_expires_check');
    this.addSql('alter table api_credential drop constraint api_credential_kind_check');
    this.addSql(`alter table api_credential add constraint api_credential_kind_check check (kind in ('mall_key', 'staff_token'))`);
  }
}
