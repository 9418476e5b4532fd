import { Migration } from '@mikro-orm/migrations';

/**
 * Outbound mall webhooks: one delivery per `mall_event` (made by the dispatcher when it takes the
 * event from the outbox) and one row per HTTP attempt. The delivery row is the durable state; a
 * BullMQ job only wakes it up for one attempt (`attempts` in the job must match the row).
 *
 *   pending ──2xx──▶ delivered
 *      │ other answer / network error / refused address ──▶ failed (next attempt queued), or dead when the schedule is used up
 *      │ 410 ──▶ pending with the mall's endpoint disabled, until an admin re-enables it
 *   failed / dead / delivered ──admin replay──▶ pending (retry_from = attempts: the schedule starts again)
 */
export class Migration20261123_0009_WebhookDeliveries extends Migration {
  override name = '20261123-0009-webhook-deliveries';

  override up(): void {
    this.addSql(`
      create table webhook_delivery (
        id text primary key,
        event_id text not null unique references mall_event (id),
        mall_id text not null references mall (id),
        order_id text,
        type text not null,
        status text not null check (status in ('pending', 'delivered', 'failed', 'dead')),
        attempts integer not null default 0,
        retry_from integer not null default 0,
        next_attempt_at timestamptz,
        last_status integer,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql('create index webhook_delivery_mall_idx on webhook_delivery (mall_id, id)');
    this.addSql('create index webhook_delivery_order_idx on webhook_delivery (order_id, id) where order_id is not null');
    this.addSql("create index webhook_delivery_due_idx on webhook_delivery (next_attempt_at) where status in ('pending', 'failed')");
    this.addSql("create index webhook_delivery_status_idx on webhook_delivery (mall_id, status) where status <> 'delivered'");
    this.addSql(`
      create table webhook_attempt (
        id bigint generated always as identity primary key,
        delivery_id text not null references webhook_delivery (id),
        at timestamptz not null,
        -- null when no HTTP answer came (timeout, connection error, refused address).
        status_code integer,
        error text,
        latency_ms integer not null,
        -- At most 500 characters of the mall's answer.
        response_snippet text
      )`);
    this.addSql('create index webhook_attempt_delivery_idx on webhook_attempt (delivery_id, id)');
  }

  override down(): void {
    this.addSql('drop table webhook_attempt, webhook_delivery');
  }
}
