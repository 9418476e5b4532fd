import { Migration } from '@mikro-orm/migrations';

/**
 * After-sales tickets a mall opens on a line (src/domain/aftersales.ts), and each ticket's history.
 * A ticket is idempotent per mall on its Idempotency-Key (the request hash tells a repeat from a
 * conflict); at most one open ticket per line and type.
 */
export class Migration20261208_0016_AftersaleTickets extends Migration {
  override name = '20261208-0016-aftersale-tickets';

  override up(): void {
    this.addSql(`
      create table aftersale_ticket (
        id text primary key,
        mall_id text not null,
        order_id text not null references mall_order (id),
        line_id text not null references order_line (id),
        type text not null check (type in ('return', 'exchange', 'damaged', 'missing_item', 'wrong_item', 'not_received', 'virtual_not_received')),
        status text not null check (status in ('open', 'in_progress', 'resolved', 'rejected', 'withdrawn')),
        quantity integer not null check (quantity > 0),
        reason text not null,
        photos jsonb not null default '[]',
        resolution jsonb,
        idempotency_key text not null,
        request_hash text not null,
        first_response_due_at timestamptz not null,
        resolution_due_at timestamptz not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (mall_id, idempotency_key)
      )`);
    this.addSql('create index aftersale_ticket_order_idx on aftersale_ticket (order_id, created_at)');
    this.addSql("create unique index aftersale_ticket_open_type_idx on aftersale_ticket (line_id, type) where status in ('open', 'in_progress')");
    this.addSql(`
      create table aftersale_ticket_event (
        id bigint generated always as identity primary key,
        ticket_id text not null references aftersale_ticket (id),
        at timestamptz not null,
        actor_type text not null,
        actor_id text,
        kind text not null,
        visible_to_mall boolean not null,
        data jsonb not null default '{}'
      )`);
    this.addSql('create index aftersale_ticket_event_ticket_idx on aftersale_ticket_event (ticket_id, id)');
  }

  override down(): void {
    this.addSql('drop table aftersale_ticket_event, aftersale_ticket');
  }
}
