import type { EntityManager } from '@mikro-orm/postgresql';
import type { DeliveryStatus } from './webhook-deliveries.ts';

/** A delivery as the admin console lists it. */
export interface DeliveryRow {
  id: string;
  event_id: string;
  mall_id: string;
  order_id: string | null;
  type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

/** One recorded HTTP attempt. */
export interface AttemptRow {
  id: string;
  delivery_id: string;
  at: Date;
  status_code: number | null;
  error: string | null;
  latency_ms: number;
  response_snippet: string | null;
}

const COLUMNS = 'id, event_id, mall_id, order_id, type, status, attempts, next_attempt_at, last_status, last_error, delivered_at, created_at';

/** Deliveries newest first, filtered by mall, order (hub order id) and status; `limit + 1` rows for paging. */
export function listDeliveries(em: EntityManager, q: { mallId?: string; orderId?: string; status?: DeliveryStatus; after?: string; limit: number }): Promise<DeliveryRow[]> {
  return em.getConnection().execute<DeliveryRow[]>(
    `select ${COLUMNS} from webhook_delivery
     where (?::text is null or mall_id = ?) and (?::text is null or order_id = ?) and (?::text is null or status = ?) and (?::text is null or id < ?)
     order by id desc limit ?`,
    [q.mallId ?? null, q.mallId ?? null, q.orderId ?? null, q.orderId ?? null, q.status ?? null, q.status ?? null, q.after ?? null, q.after ?? null, q.limit + 1],
    'all',
    em.getTransactionContext(),
  );
}

/** One delivery, or undefined. */
export async function getDelivery(em: EntityManager, id: string): Promise<DeliveryRow | undefined> {
  return (await em.getConnection().execute<DeliveryRow[]>(`select ${COLUMNS} from webhook_delivery where id = ?`, [id], 'all', em.getTransactionContext()))[0];
}

/** The attempts of some deliveries, oldest first. */
export function attemptsOf(em: EntityManager, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return Promise.resolve([]);
  return em.getConnection().execute<AttemptRow[]>(
    `select id::text, delivery_id, at, status_code, error, latency_ms, response_snippet from webhook_attempt
     where delivery_id in (select jsonb_array_elements_text(?::jsonb)) order by id`,
    [JSON.stringify(deliveryIds)],
    'all',
    em.getTransactionContext(),
  );
}
