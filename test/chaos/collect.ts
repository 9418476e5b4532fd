import type { LedgerOrder } from '../../connectors/sandbox/common/ledger.ts';
import type { InjectedCounts } from '../../connectors/sandbox/common/faults.ts';
import type { ReceivedEvent } from '../../connectors/sandbox/mall-receiver.ts';
import type { ChaosDb } from './database.ts';
import type { HubClient } from './hub-client.ts';
import type { Mall } from './setup.ts';

/** Either what was read, or why it could not be (an invariant that needs it is then not checked). */
export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

export interface LineRow {
  id: string; order_id: string; mall_id: string; line_id: string; kind: string; status: string; quantity: number;
  qty_fulfilled: number; qty_failed: number; qty_cancelled: number; source_supplier_id: string | null; failure_reason: string | null;
}
export interface AttemptRow { id: string; line_id: string; seq: number; supplier_id: string; reference: string; status: string; supplier_order_id: string | null; failure_reason: string | null }
export interface RunRow { id: string; subject_id: string; workflow: string; status: string; step: string; next_run_at: Date | null; lease_until: Date | null; attempt: number; last_error: string | null; updated_at: Date }
export interface EventRow { id: string; mall_id: string; order_id: string | null; line_id: string | null; seq: number | null; type: string; delivery_status: string | null; delivery_attempts: number | null; last_status: number | null; last_error: string | null }
export interface DeadLetter { runId: string; workflow: string; mallId: string | null; orderId: string | null; lineId: string | null; step: string; attempts: number; lastError: string | null; diedAt: string }
export interface ReceiverReport { accepted: number; refused: number; badSignatures: number; recording: boolean; events: ReceivedEvent[] }

/** Everything the checks look at, read once after the run settled. */
export interface Observed {
  dbNow: Date;
  orders: { id: string; mall_id: string; mall_order_id: string; idempotency_key: string; status: string; lines: number }[];
  lines: LineRow[];
  attempts: AttemptRow[];
  runs: RunRow[];
  shipments: { line_id: string; status: string }[];
  events: EventRow[];
  /** Per line and attempt: ledger rows of each kind (settlement, supplier_cost, freight, refund) with their units. */
  ledger: { line_id: string; attempt_id: string | null; entry: string; rows: number; units: number }[];
  /** (mall, key) and (mall, mallOrderId) pairs held by more than one order. */
  keyDupes: number;
  mallOrderDupes: number;
  supplierLedgers: Map<string, Read<LedgerOrder[]>>;
  /** How often each supplier fault fired, as the sandboxes counted them. */
  supplierFaultsFired: Map<string, Read<InjectedCounts>>;
  /** What the faults did to the hub's work: retries per workflow step, attempts at sources by outcome. */
  stepRetries: { step: string; steps: number; retries: number }[];
  runStatuses: { status: string; n: number }[];
  attemptOutcomes: { supplier_id: string; status: string; reason: string | null; n: number }[];
  received: Map<Mall['name'], Read<ReceiverReport>>;
  deadLetters: Read<DeadLetter[]>;
}

const readJson = async <T>(url: string): Promise<Read<T>> => {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    if (!r.ok) return { ok: false, error: `${url} answered ${r.status}` };
    return { ok: true, value: (await r.json()) as T };
  } catch (err) {
    return { ok: false, error: `${url}: ${err instanceof Error ? err.message : String(err)}` };
  }
};

/** Reads the hub's tables, every sandbox's ledger, every mall receiver's record and the dead-letter list. */
export async function collect(db: ChaosDb, client: HubClient, adminToken: string, sandboxUrl: string, suppliers: readonly string[], malls: readonly Mall[]): Promise<Observed> {
  const [now] = await db.rows<{ now: Date }>('select now() as now');
  const orders = await db.rows<Observed['orders'][number]>(
    'select o.id, o.mall_id, o.mall_order_id, o.idempotency_key, o.status, (select count(*)::int from order_line l where l.order_id = o.id) as lines from mall_order o',
  );
  const lines = await db.rows<LineRow>('select id, order_id, mall_id, line_id, kind, status, quantity, qty_fulfilled, qty_failed, qty_cancelled, source_supplier_id, failure_reason from order_line');
  const attempts = await db.rows<AttemptRow>('select id, line_id, seq, supplier_id, reference, status, supplier_order_id, failure_reason from line_attempt order by line_id, seq');
  const runs = await db.rows<RunRow>('select id, subject_id, workflow, status, step, next_run_at, lease_until, attempt, last_error, updated_at from workflow_run');
  const shipments = await db.rows<Observed['shipments'][number]>('select line_id, status from shipment');
  const events = await db.rows<EventRow>(
    `select e.id, e.mall_id, e.order_id, e.data->>'lineId' as line_id, e.seq, e.type, d.status as delivery_status, d.attempts as delivery_attempts, d.last_status, d.last_error
     from mall_event e left join webhook_delivery d on d.event_id = e.id`,
  );
  const ledger = await db.rows<Observed['ledger'][number]>('select line_id, attempt_id, entry, count(*)::int as rows, sum(units)::int as units from ledger_entry group by line_id, attempt_id, entry');
  const [dupes] = await db.rows<{ keys: number; mall_orders: number }>(
    `select (select count(*)::int from (select 1 from mall_order group by mall_id, idempotency_key having count(*) > 1) k) as keys,
            (select count(*)::int from (select 1 from mall_order group by mall_id, mall_order_id having count(*) > 1) m) as mall_orders`,
  );
  const supplierLedgers = new Map<string, Read<LedgerOrder[]>>();
  const supplierFaultsFired = new Map<string, Read<InjectedCounts>>();
  for (const id of suppliers) {
    const r = await readJson<{ orders: LedgerOrder[] }>(`${sandboxUrl}/${id}/sandbox/orders`);
    supplierLedgers.set(id, r.ok ? { ok: true, value: r.value.orders } : r);
    supplierFaultsFired.set(id, await readJson<InjectedCounts>(`${sandboxUrl}/${id}/sandbox/faults/injected`));
  }
  // Forward steps by name; compensations and failures with their status ("submit-order compensated").
  const stepRetries = await db.rows<Observed['stepRetries'][number]>(
    "select step || case when status = 'succeeded' then '' else ' ' || status end as step, count(*)::int as steps, sum(greatest(attempts - 1, 0))::int as retries from workflow_step group by 1 order by 1",
  );
  const runStatuses = await db.rows<Observed['runStatuses'][number]>('select status, count(*)::int as n from workflow_run group by status order by 2 desc');
  // Failure reasons with their numbers folded, so one cause is one row.
  const attemptOutcomes = await db.rows<Observed['attemptOutcomes'][number]>(
    `select supplier_id, status, regexp_replace(failure_reason, '[0-9]+', 'N', 'g') as reason, count(*)::int as n
     from line_attempt group by 1, 2, 3 order by 1, 4 desc`,
  );
  const received = new Map<Mall['name'], Read<ReceiverReport>>();
  for (const m of malls) received.set(m.name, await readJson<ReceiverReport>(`${sandboxUrl}/mall-receiver/${m.receiver}/events`));
  return {
    dbNow: new Date(now?.now ?? Date.now()),
    orders, lines, attempts, runs, shipments, events, ledger,
    keyDupes: dupes?.keys ?? 0,
    mallOrderDupes: dupes?.mall_orders ?? 0,
    supplierLedgers,
    supplierFaultsFired,
    stepRetries,
    runStatuses,
    attemptOutcomes,
    received,
    deadLetters: await deadLetters(client, adminToken),
  };
}

/** Every page of GET /admin/dead-letters. */
async function deadLetters(client: HubClient, adminToken: string): Promise<Read<DeadLetter[]>> {
  const all: DeadLetter[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const r = await client.call({ method: 'GET', path: `/admin/dead-letters?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, route: 'GET /admin/dead-letters', token: adminToken });
    if (r.status !== 200) return { ok: false, error: `GET /admin/dead-letters answered ${r.status}` };
    all.push(...(r.json.items as DeadLetter[]));
    cursor = r.json.nextCursor ?? null;
    if (!cursor) return { ok: true, value: all };
  }
  return { ok: true, value: all };
}
