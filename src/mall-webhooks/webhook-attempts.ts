import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { executePrepared } from '../persistence/bound-query.ts';
import type { DeliveryStatus, DueDelivery } from './webhook-deliveries.ts';

/** What one attempt needs, read in the statement that claims it. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  mallId: string;
  /** Attempts including this one. */
  attempts: number;
  retryFrom: number;
  /** The JSON body the mall receives (see the claim statement). */
  body: string;
  webhookUrl: string;
  /** The mall's sealed secrets as JSON text: read once per batch, not once per delivery. */
  webhookSecret: string;
  previousWebhookSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

/** The result of one HTTP attempt, as recorded. */
export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseSnippet: string | null;
  /** When the attempt ended. */
  at: Date;
}

/** A finished attempt and where it leaves its delivery. */
export interface FinishedAttempt {
  id: string;
  mallId: string;
  result: AttemptResult;
  /** `delivered`; `failed` with its next attempt at `nextAttemptAt`; `dead`; or `pending` with no time (410: waits for re-enable). */
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  /** Set when this attempt disables the mall's endpoint (410 Gone): the reason shown to admins. */
  disableMall?: string;
}

/**
 * Claims the next attempt of a batch of deliveries in one statement. Each is counted and leased
 * (if the worker dies, the reconciler finds it due after the lease); neither column is indexed, so
 * the claim is a heap-only update. Only a job's delivery whose attempts still equal the job's
 * count, is pending/failed and belongs to an enabled mall is claimed, so duplicate or stale jobs
 * do nothing. Each comes with its body as the mall receives it, `{id, type, createdAt, data}`: an
 * order's event data gets the order's id and mallOrderId where it lacks them, and its per-order
 * `seq`. PostgreSQL builds it from the jsonb it holds, so the worker does not parse and serialise
 * every event again.
 */
export async function claimDeliveries(em: EntityManager, clock: Clock, jobs: readonly DueDelivery[], leaseMs: number): Promise<ClaimedDelivery[]> {
  if (jobs.length === 0) return [];
  const rows = await executePrepared<Record<string, unknown>>(
    em,
    'webhook-claim',
    `with j as (
       select * from jsonb_to_recordset(?::jsonb) as j(id text, attempt int)
     ), c as (
       update webhook_delivery d set attempts = d.attempts + 1, lease_until = ?, updated_at = ?
       from j, mall m
       where d.id = j.id and d.attempts = j.attempt and d.status in ('pending', 'failed') and m.id = d.mall_id and m.webhook_enabled
       returning d.id, d.event_id, d.mall_id, d.type, d.attempts, d.retry_from
     )
     select c.id, c.event_id, c.mall_id, c.attempts, c.retry_from,
            json_build_object(
              'id', c.event_id, 'type', c.type,
              'createdAt', to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'data', case when e.order_id is null then e.data else e.data
                || jsonb_build_object('orderId', coalesce(nullif(e.data->'orderId', 'null'), to_jsonb(e.order_id)))
                || case when o.mall_order_id is null then '{}'::jsonb
                        else jsonb_build_object('mallOrderId', coalesce(nullif(e.data->'mallOrderId', 'null'), to_jsonb(o.mall_order_id))) end
                || jsonb_build_object('seq', e.seq) end
            )::text as body,
            m.webhook_url, m.webhook_secret::text, m.previous_webhook_secret::text, m.previous_secret_expires_at
     from c join mall_event e on e.id = c.event_id join mall m on m.id = c.mall_id left join mall_order o on o.id = e.order_id
     order by e.created_at, c.id`,
    [JSON.stringify(jobs.map((j) => ({ id: j.deliveryId, attempt: j.attempt }))), new Date(clock.now().getTime() + leaseMs), clock.now()],
  );
  return rows.map((r) => ({
    id: r.id as string,
    eventId: r.event_id as string,
    mallId: r.mall_id as string,
    attempts: Number(r.attempts),
    retryFrom: Number(r.retry_from),
    body: r.body as string,
    webhookUrl: r.webhook_url as string,
    webhookSecret: r.webhook_secret as string,
    previousWebhookSecret: (r.previous_webhook_secret as string | null) ?? null,
    previousSecretExpiresAt: r.previous_secret_expires_at ? new Date(r.previous_secret_expires_at as string) : null,
  }));
}

/**
 * Records a batch of attempts and moves each delivery on, in one statement: every attempt row is
 * inserted, every delivery updated (its lease ended), and a mall whose endpoint answered 410 is disabled.
 */
export async function finishAttempts(em: EntityManager, clock: Clock, done: readonly FinishedAttempt[]): Promise<void> {
  if (done.length === 0) return;
  const now = clock.now();
  const rows = done.map((d) => ({
    id: d.id, mall_id: d.mallId, at: d.result.at, status: d.status, next_at: d.nextAttemptAt,
    code: d.result.statusCode, error: d.result.error, latency: d.result.latencyMs, snippet: d.result.responseSnippet, disable: d.disableMall ?? null,
  }));
  await executePrepared(
    em,
    'webhook-finish',
    `with r as (
       select * from jsonb_to_recordset(?::jsonb)
         as r(id text, mall_id text, at timestamptz, status text, next_at timestamptz, code int, error text, latency int, snippet text, disable text)
     ), a as (
       insert into webhook_attempt (delivery_id, at, status_code, error, latency_ms, response_snippet)
       select id, at, code, error, latency, snippet from r order by at
     ), m as (
       update mall set webhook_enabled = false, webhook_disabled_reason = x.disable, updated_at = ?
       from (select distinct on (mall_id) mall_id, disable from r where disable is not null order by mall_id, at) x
       where mall.id = x.mall_id
     )
     update webhook_delivery d set status = r.status, next_attempt_at = r.next_at, lease_until = null, last_status = r.code, last_error = r.error,
       delivered_at = case when r.status = 'delivered' then r.at else d.delivered_at end, updated_at = ?
     from r where d.id = r.id`,
    [JSON.stringify(rows), now, now],
  );
}
