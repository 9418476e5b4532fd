import { Migration } from '@mikro-orm/migrations';

/**
 * The data board (issue 20): what GET /admin/board and GET /v1/board aggregate, kept by a
 * periodic job (src/board/board-refresh.ts), never by order intake.
 *
 * Computed straight from the order tables, a board joins each line to its order, parcels, attempts
 * and ledger rows, scattered over those tables, and costs time in proportion to the orders counted:
 * at 1 000 000 orders of 20 malls (`npm run bench -- board`) a month of one mall took 127-143 ms,
 * a month across malls 2.5-3.6 s. So each line's facts are kept here, one narrow row per line, read
 * by an index range on (mall, acceptance time): 21 ms and 300-350 ms for the same boards.
 *
 * - `board_line`: a line as the board counts it (its order's acceptance time, item, kind, source,
 *   points and cash paid, whether it was delivered or issued, its failure reason, the supplier cost
 *   booked for it, the time to its first parcel and to its issuance). Rewritten whenever its order
 *   changes (every line move stamps the order's `updated_at`) or a cost is booked for it.
 * - `board_ticket`: each after-sales ticket with its order's acceptance time, type and supplier.
 * - `board_refund`: each refund ledger row (points given back, reason), by when it was refunded.
 * - `board_refresh`: the job's cursor (the change times it has read up to), when it last finished,
 *   and its lease.
 *
 * `aftersale_ticket (updated_at)` is how the job finds tickets changed since its cursor; tickets are
 * written by staff and the ticket workflow, not by intake. Intake's tables get no index and no
 * trigger: its one statement (src/orders/order-insert.ts) is unchanged.
 */
export class Migration20261212_0020_DataBoard extends Migration {
  override name = '20261212-0020-data-board';

  override up(): void {
    this.addSql(`
      create table board_line (
        line_id text primary key,
        mall_id text not null,
        order_id text not null,
        accepted_at timestamptz not null,
        -- Its day in the board's time zone (China Standard Time), and whether it is its order's first
        -- line: a board groups and counts orders by these instead of converting each row's time and
        -- counting distinct order ids (a month across malls, ~100 000 rows: 800 ms → 400 ms).
        accepted_day date not null,
        order_head boolean not null,
        item_id bigint not null,
        kind text not null,
        supplier_id text,
        quantity integer not null,
        points integer not null,
        cash_fen integer not null,
        succeeded boolean not null,
        failure_reason text,
        cost_fen bigint not null,
        ship_ms bigint,
        issue_ms bigint
      ) with (fillfactor = 90)`);
    this.addSql('create index board_line_mall_idx on board_line (mall_id, accepted_at)');
    this.addSql('create index board_line_at_idx on board_line (accepted_at)');
    this.addSql(`
      create table board_ticket (
        ticket_id text primary key,
        mall_id text not null,
        accepted_at timestamptz not null,
        type text not null,
        supplier_id text
      )`);
    this.addSql('create index board_ticket_mall_idx on board_ticket (mall_id, accepted_at)');
    this.addSql('create index board_ticket_at_idx on board_ticket (accepted_at)');
    this.addSql(`
      create table board_refund (
        ledger_id bigint primary key,
        mall_id text not null,
        at timestamptz not null,
        day date not null,
        points bigint not null,
        reason text not null
      )`);
    this.addSql('create index board_refund_mall_idx on board_refund (mall_id, at)');
    this.addSql('create index board_refund_at_idx on board_refund (at)');
    this.addSql(`
      create table board_refresh (
        id integer primary key check (id = 1),
        -- Changes stamped at or after (cursor - the job's margin) are read again by the next run.
        cursor timestamptz,
        refreshed_at timestamptz,
        -- Held by the worker refreshing now: one refresh at a time, taken over when its worker died.
        lease_until timestamptz
      )`);
    this.addSql('insert into board_refresh (id) values (1)');
    this.addSql('create index aftersale_ticket_updated_idx on aftersale_ticket (updated_at)');
  }

  override down(): void {
    this.addSql('drop index aftersale_ticket_updated_idx');
    this.addSql('drop table board_refresh, board_refund, board_ticket, board_line');
  }
}
