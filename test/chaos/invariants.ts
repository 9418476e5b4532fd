import type { LedgerOrder } from '../../connectors/sandbox/common/ledger.ts';
import { type LineStatus, orderStatusOf } from '../../src/domain/order-status.ts';
import type { AttemptRow, LineRow, Observed, RunRow } from './collect.ts';
import type { InjectedFault, OutageWindow } from './faults.ts';
import type { Answer } from './hub-client.ts';
import type { CrossMallProbe, SentOrder } from './load.ts';
import type { ScheduledFault } from './options.ts';
import type { UnexpectedExit } from './processes.ts';
import type { Mall } from './setup.ts';

/**
 * One invariant as checked: `pass` and `fail` only when the data to decide was there, otherwise
 * `not-checked` with the reason. Numbers say what was counted; evidence names ids and what the
 * hub and the supplier hold, so a failure can be followed up without the run.
 */
export interface Invariant {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'not-checked';
  numbers: Record<string, number | string>;
  evidence: string[];
  note?: string;
}

/** Everything the checks need besides the database snapshot. */
export interface RunRecord {
  sent: readonly SentOrder[];
  answers: readonly Answer[];
  probes: readonly CrossMallProbe[];
  injected: readonly InjectedFault[];
  outages: readonly OutageWindow[];
  unexpectedExits: readonly UnexpectedExit[];
  malls: readonly Mall[];
  /** A run due longer ago than this, with nobody holding it, is stuck: nothing is waking it. */
  overdueMs: number;
  /** How waiting for the hub to settle ended (settled, stalled, deadline). */
  settleOutcome: string;
  /** The faults the schedule was to inject (each must appear in `injected`). */
  schedule: readonly ScheduledFault[];
}

const TERMINAL = new Set(['delivered', 'issued', 'returned', 'cancelled', 'failed', 'refunded']);
/** Hub outcomes that give the member their points back: the supplier must not be fulfilling the line then. */
const GIVEN_UP = new Set(['cancelled', 'failed', 'refunded']);
const EVIDENCE = 25;

const inv = (id: string, title: string, failures: number, numbers: Invariant['numbers'], evidence: string[], note?: string): Invariant => ({
  id, title, status: failures > 0 ? 'fail' : 'pass', numbers, evidence: evidence.slice(0, EVIDENCE), ...(note ? { note } : {}),
});
const notChecked = (id: string, title: string, why: string): Invariant => ({ id, title, status: 'not-checked', numbers: {}, evidence: [], note: why });

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}

export function checkAll(o: Observed, r: RunRecord): Invariant[] {
  return [
    faultsFired(o, r),
    acceptedStored(o, r),
    linesSettled(o),
    dueRunsWoken(o, r),
    noDoubleFulfilment(o),
    noCancelWhileFulfilling(o),
    hubAgreesWithSuppliers(o),
    hubCaughtUp(o, r),
    outcomesTold(o),
    webhooksDelivered(o, r),
    seqGapless(o, r),
    idempotency(o, r),
    noCrossMallRead(r),
    only503DuringOutage(r),
    hubLedger(o),
    processesStayedUp(r),
  ];
}

/** The run tested what it claims: every supplier fault it set fired somewhere, every scheduled fault was injected. */
function faultsFired(o: Observed, r: RunRecord): Invariant {
  const title = 'every fault was injected at least once (the run tested what it claims)';
  const unread = [...o.supplierFaultsFired].filter(([, v]) => !v.ok).map(([k, v]) => `${k}: ${v.ok ? '' : v.error}`);
  if (unread.length) return notChecked('faults-fired', title, `fault counts not read: ${unread.join('; ')}`);
  const kinds = ['errors', 'hangs', 'lostAnswers', 'callbacksDropped', 'callbacksDuplicated'] as const;
  const totals = Object.fromEntries(kinds.map((k) => [k, [...o.supplierFaultsFired.values()].reduce((n, v) => n + (v.ok ? v.value[k] : 0), 0)])) as Record<(typeof kinds)[number], number>;
  const perSupplier = Object.fromEntries([...o.supplierFaultsFired].map(([id, v]) => [id, v.ok ? kinds.map((k) => `${k} ${v.value[k]}`).join(' ') : '?']));
  const missing = [
    ...kinds.filter((k) => totals[k] === 0).map((k) => `supplier fault ${k} never fired`),
    ...r.schedule.filter((f) => !r.injected.some((x) => x.kind === f.kind && (f.kind !== 'kill' || x.target === f.target))).map((f) => `scheduled ${f.kind}${f.kind === 'kill' ? ` ${f.target}` : ''} at ${f.at} s was not injected`),
  ];
  return inv('faults-fired', title, missing.length,
    { ...totals, 'scheduled faults': r.schedule.length, 'scheduled faults injected': r.injected.filter((x) => x.kind !== 'supplier-faults').length, ...perSupplier }, missing);
}

/** Every order the API accepted (201, or 200 for a repeat) is in PostgreSQL, for that mall, with its lines. */
function acceptedStored(o: Observed, r: RunRecord): Invariant {
  const byId = new Map(o.orders.map((x) => [x.id, x]));
  const accepted = r.sent.filter((s) => s.orderId);
  const bad: string[] = [];
  let missing = 0;
  let mismatched = 0;
  for (const s of accepted) {
    const row = byId.get(s.orderId as string);
    if (!row) {
      missing++;
      bad.push(`${s.orderId} (${s.mall}, key ${s.key}) answered ${s.sameBody.map((a) => a.status).join('/')} but is not stored`);
    } else if (row.mall_id !== s.mallId || row.mall_order_id !== s.mallOrderId || row.lines !== s.lineCount) {
      mismatched++;
      bad.push(`${s.orderId}: stored for ${row.mall_id} as ${row.mall_order_id} with ${row.lines} lines; sent by ${s.mallId} as ${s.mallOrderId} with ${s.lineCount}`);
    }
  }
  // Stored although the mall never heard "accepted" (every try failed): not a failure, the mall's
  // next try with the key gets the order; listed so the answers it got can be looked at.
  const sentByKey = new Map(r.sent.map((s) => [s.key, s]));
  const acceptedIds = new Set(accepted.map((s) => s.orderId));
  const unseen = o.orders.filter((x) => sentByKey.has(x.idempotency_key) && !acceptedIds.has(x.id));
  const info = unseen.map((x) => `(not a failure) ${x.id} under key ${x.idempotency_key} is stored; the mall got ${sentByKey.get(x.idempotency_key)?.sameBody.map((a) => `${a.status ?? 'no answer'}${a.code ? ` ${a.code}` : ''}`).join(' / ')}`);
  return inv('accepted-orders-stored', 'every accepted order (201/200) is stored', missing + mismatched,
    { accepted: accepted.length, stored: accepted.length - missing, missing, mismatched, 'stored but the mall never heard it was accepted': unseen.length }, [...bad, ...info]);
}

type Motion = 'terminal' | 'due' | 'running' | 'tracked' | 'dead-letter' | 'nothing';

/** What, if anything, will move a line on: its status, its run, its shipments. */
function motionOf(line: LineRow, run: RunRow | undefined, shipments: number): Motion {
  if (TERMINAL.has(line.status)) return 'terminal';
  if (run && ['pending', 'waiting', 'compensating'].includes(run.status)) return 'due';
  if (run?.status === 'running') return 'running';
  if (run?.status === 'dead') return 'dead-letter';
  if (shipments > 0) return 'tracked';
  return 'nothing';
}

/** Every line is terminal, or durably in progress: a live workflow run, or a shipment being tracked; a run given up is in the dead-letter list. */
function linesSettled(o: Observed): Invariant {
  const runs = new Map(o.runs.map((x) => [x.subject_id, x]));
  const tracked = groupBy(o.shipments.filter((s) => s.status !== 'delivered'), (s) => s.line_id);
  const counts: Record<Motion, number> = { terminal: 0, due: 0, running: 0, tracked: 0, 'dead-letter': 0, nothing: 0 };
  const bad: string[] = [];
  for (const l of o.lines) {
    const run = runs.get(l.id);
    const m = motionOf(l, run, tracked.get(l.id)?.length ?? 0);
    counts[m]++;
    if (m === 'nothing') bad.push(`line ${l.line_id} of ${l.order_id} (${l.id}) is ${l.status}; its run is ${run ? `${run.status} at ${run.step}` : 'missing'}, no shipment tracked`);
  }
  const byStatus = Object.fromEntries([...groupBy(o.lines, (l) => l.status)].map(([k, v]) => [`lines ${k}`, v.length]));
  return inv('lines-terminal-or-moving', 'every line is terminal or durably in progress with something due to move it', counts.nothing,
    { lines: o.lines.length, terminal: counts.terminal, 'in progress, run due': counts.due, 'in progress, run executing': counts.running, 'shipment tracked': counts.tracked, 'run dead (dead-letter list)': counts['dead-letter'], 'nothing to move it': counts.nothing, ...byStatus },
    bad, counts['dead-letter'] ? 'lines whose run died wait for an operator (listed under dead letters); they do not fail this check' : undefined);
}

/**
 * "Due" is only durable if something acts on it: a run due (or whose worker's lease ran out) for
 * longer than `overdueMs` has no job and no reconciler waking it (Redis lost them).
 */
function dueRunsWoken(o: Observed, r: RunRecord): Invariant {
  const now = o.dbNow.getTime();
  const lines = new Map(o.lines.map((l) => [l.id, l]));
  const overdue = o.runs.filter((run) => {
    if (!['pending', 'waiting', 'running'].includes(run.status)) return false;
    if (run.lease_until && new Date(run.lease_until).getTime() > now) return false;
    const dueAt = Math.max(run.next_run_at ? new Date(run.next_run_at).getTime() : new Date(run.updated_at).getTime(), run.lease_until ? new Date(run.lease_until).getTime() : 0);
    return now - dueAt > r.overdueMs;
  });
  const live = o.runs.filter((run) => ['pending', 'waiting', 'running'].includes(run.status)).length;
  return inv('due-runs-woken', `no live workflow run overdue by more than ${Math.round(r.overdueMs / 1000)} s (something wakes what is due)`, overdue.length,
    { 'live runs': live, overdue: overdue.length, 'oldest overdue, s': overdue.length ? Math.round(Math.max(...overdue.map((x) => now - new Date(x.next_run_at ?? x.updated_at).getTime())) / 1000) : 0 },
    overdue.map((x) => {
      const l = lines.get(x.subject_id);
      return `run ${x.id} (${x.workflow} of line ${l?.line_id ?? '?'} of ${l?.order_id ?? '?'}, ${l?.status ?? '?'}) ${x.status} at ${x.step}, due ${x.next_run_at ? new Date(x.next_run_at).toISOString() : 'since ' + new Date(x.updated_at).toISOString()}`;
    }));
}

/** Supplier orders per line, across its attempts' references; null when a supplier's ledger could not be read. */
function supplierOrdersByLine(o: Observed): { byLine: Map<string, { attempt: AttemptRow; order: LedgerOrder }[]>; byRef: Map<string, LedgerOrder[]>; unread: string[] } {
  const byRef = new Map<string, LedgerOrder[]>();
  const unread: string[] = [];
  for (const [supplier, read] of o.supplierLedgers) {
    if (!read.ok) {
      unread.push(`${supplier}: ${read.error}`);
      continue;
    }
    for (const order of read.value) {
      const k = `${supplier}|${order.reference}`;
      byRef.set(k, [...(byRef.get(k) ?? []), order]);
    }
  }
  const byLine = new Map<string, { attempt: AttemptRow; order: LedgerOrder }[]>();
  for (const a of o.attempts) {
    for (const order of byRef.get(`${a.supplier_id}|${a.reference}`) ?? []) byLine.set(a.line_id, [...(byLine.get(a.line_id) ?? []), { attempt: a, order }]);
  }
  return { byLine, byRef, unread };
}

const showOrder = (x: { attempt: AttemptRow; order: LedgerOrder }) =>
  `${x.attempt.supplier_id} ${x.order.supplierOrderId} ref ${x.order.reference} ${x.order.status}${x.order.charged ? ' charged' : ''}${x.order.shipped ? ' shipped' : ''}${x.order.issued ? ' issued' : ''} (hub attempt ${x.attempt.seq}: ${x.attempt.status}${x.attempt.failure_reason ? `, ${x.attempt.failure_reason}` : ''})`;

/** No line placed, shipped, charged or issued twice, by the suppliers' own ledgers. */
function noDoubleFulfilment(o: Observed): Invariant {
  const title = 'no line placed, shipped, charged or issued twice (suppliers\' ledgers)';
  const { byLine, byRef, unread } = supplierOrdersByLine(o);
  if (unread.length) return notChecked('no-double-fulfilment', title, `ledgers not read: ${unread.join('; ')}`);
  const lines = new Map(o.lines.map((l) => [l.id, l]));
  const twice = { placed: 0, shipped: 0, charged: 0, issued: 0 };
  const bad: string[] = [];
  for (const [lineId, orders] of byLine) {
    const n = { placed: orders.filter((x) => x.order.live).length, shipped: orders.filter((x) => x.order.shipped).length, charged: orders.filter((x) => x.order.charged).length, issued: orders.filter((x) => x.order.issued).length };
    const what = (Object.keys(n) as (keyof typeof n)[]).filter((k) => n[k] > 1);
    for (const k of what) twice[k]++;
    const l = lines.get(lineId);
    if (what.length) bad.push(`line ${l?.line_id} of ${l?.order_id} (${lineId}, hub: ${l?.status} via ${l?.source_supplier_id ?? '-'}) ${what.join('+')} twice: ${orders.map(showOrder).join(' | ')}`);
  }
  const refDupes = [...byRef.entries()].filter(([, v]) => v.length > 1);
  for (const [k, v] of refDupes) bad.push(`reference ${k} holds ${v.length} supplier orders: ${v.map((x) => `${x.supplierOrderId} ${x.status}`).join(', ')}`);
  const supplierOrders = [...byRef.values()].reduce((n, v) => n + v.length, 0);
  return inv('no-double-fulfilment', title, twice.placed + twice.shipped + twice.charged + twice.issued + refDupes.length,
    { 'lines with supplier orders': byLine.size, 'supplier orders': supplierOrders, 'placed twice': twice.placed, 'shipped twice': twice.shipped, 'charged twice': twice.charged, 'issued twice': twice.issued, 'references with two orders': refDupes.length }, bad);
}

/** No line cancelled, failed or refunded in the hub while its supplier fulfils it (bills, ships or issues it). */
function noCancelWhileFulfilling(o: Observed): Invariant {
  const title = 'no line cancelled or refunded in the hub while its supplier fulfils it';
  const { byLine, unread } = supplierOrdersByLine(o);
  if (unread.length) return notChecked('no-cancel-while-supplier-fulfils', title, `ledgers not read: ${unread.join('; ')}`);
  const givenUp = o.lines.filter((l) => GIVEN_UP.has(l.status));
  const bad: string[] = [];
  const byStatus: Record<string, number> = {};
  for (const l of givenUp) {
    const fulfilling = (byLine.get(l.id) ?? []).filter((x) => x.order.charged || x.order.shipped || x.order.issued);
    if (!fulfilling.length) continue;
    byStatus[l.status] = (byStatus[l.status] ?? 0) + 1;
    bad.push(`line ${l.line_id} of ${l.order_id} (${l.id}) is ${l.status} in the hub (${l.failure_reason ?? 'no reason'}) while ${fulfilling.map(showOrder).join(' | ')}`);
  }
  const violations = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return inv('no-cancel-while-supplier-fulfils', title, violations,
    { 'lines cancelled': givenUp.filter((l) => l.status === 'cancelled').length, 'lines failed or refunded': givenUp.filter((l) => l.status !== 'cancelled').length,
      'cancelled while fulfilled': byStatus.cancelled ?? 0, 'failed/refunded while fulfilled': (byStatus.failed ?? 0) + (byStatus.refunded ?? 0) }, bad);
}

/**
 * The hub never runs ahead of its suppliers, and they hold nothing it does not know: every supplier
 * order belongs to a hub attempt; a line the hub calls delivered / shipped / issued is so at the
 * supplier; an order held (not billed) for a line the hub gave up or moved elsewhere is a leak.
 */
function hubAgreesWithSuppliers(o: Observed): Invariant {
  const title = 'the hub agrees with the suppliers (no unknown supplier order, hub never ahead, nothing left held)';
  const { byLine, byRef, unread } = supplierOrdersByLine(o);
  if (unread.length) return notChecked('hub-agrees-with-suppliers', title, `ledgers not read: ${unread.join('; ')}`);
  const known = new Set(o.attempts.map((a) => `${a.supplier_id}|${a.reference}`));
  const orphans = [...byRef.entries()].filter(([k]) => !known.has(k));
  const bad: string[] = orphans.map(([k, v]) => `supplier order ${v.map((x) => x.supplierOrderId).join(',')} under ${k} matches no hub attempt`);
  let ahead = 0;
  let held = 0;
  for (const l of o.lines) {
    const orders = byLine.get(l.id) ?? [];
    const need = l.status === 'delivered' ? (x: LedgerOrder) => x.delivered || (l.kind === 'service' && x.issued)
      : l.status === 'shipped' ? (x: LedgerOrder) => x.shipped
      : l.status === 'issued' ? (x: LedgerOrder) => x.issued : null;
    if (need && !orders.some((x) => need(x.order))) {
      ahead++;
      bad.push(`line ${l.line_id} of ${l.order_id} (${l.id}) is ${l.status} in the hub but not at the supplier: ${orders.length ? orders.map(showOrder).join(' | ') : 'no supplier order'}`);
    }
    // Held: a live order nobody bills or ships, of an attempt the hub is not using (gave up, moved on).
    const current = o.attempts.filter((a) => a.line_id === l.id).at(-1);
    for (const x of orders) {
      if (x.order.live && !x.order.charged && !x.order.shipped && !x.order.issued && (GIVEN_UP.has(l.status) || x.attempt.id !== current?.id)) {
        held++;
        bad.push(`line ${l.line_id} of ${l.order_id} (${l.id}, hub ${l.status}) left an order held at ${showOrder(x)}`);
      }
    }
  }
  return inv('hub-agrees-with-suppliers', title, orphans.length + ahead + held,
    { 'supplier orders without a hub attempt': orphans.length, 'lines ahead of their supplier': ahead, 'orders left held for a line given up or moved': held }, bad);
}

/**
 * After settling, a line whose supplier has finished with it (delivered, codes issued, recharge
 * done or failed, cancelled) is finished in the hub too: polls and callbacks had the time to tell it.
 */
function hubCaughtUp(o: Observed, r: RunRecord): Invariant {
  const title = 'every line its supplier finished is finished in the hub after settling';
  const { byLine, unread } = supplierOrdersByLine(o);
  if (unread.length) return notChecked('hub-caught-up', title, `ledgers not read: ${unread.join('; ')}`);
  const bad: string[] = [];
  const byKind: Record<string, number> = {};
  for (const l of o.lines) {
    if (TERMINAL.has(l.status)) continue;
    const current = o.attempts.filter((a) => a.line_id === l.id).at(-1);
    const order = (byLine.get(l.id) ?? []).find((x) => x.attempt.id === current?.id);
    if (!order) continue;
    const x = order.order;
    const finished = x.cancelled || !x.live || x.delivered || (x.issued && l.kind !== 'physical');
    if (!finished) continue;
    byKind[l.kind] = (byKind[l.kind] ?? 0) + 1;
    bad.push(`line ${l.line_id} of ${l.order_id} (${l.id}, ${l.kind}) is ${l.status} in the hub while ${showOrder(order)}`);
  }
  const behind = Object.values(byKind).reduce((a, b) => a + b, 0);
  return inv('hub-caught-up', title, behind,
    { 'lines in progress in the hub': o.lines.filter((l) => !TERMINAL.has(l.status)).length, 'finished at the supplier, not in the hub': behind, ...Object.fromEntries(Object.entries(byKind).map(([k, v]) => [`of kind ${k}`, v])), settling: r.settleOutcome }, bad);
}

/** The events that tell the mall an order ended (order.completed, …). */
const FINAL_EVENTS: ReadonlySet<string> = new Set(['order.completed', 'order.partially_failed', 'order.failed', 'order.cancelled']);

/** The event that tells the mall a line's outcome (a failure also asks for the refund). */
const OUTCOME_EVENTS: Record<string, string[]> = { delivered: ['line.delivered'], issued: ['line.issued'], cancelled: ['line.cancelled'], failed: ['line.failed', 'refund.required'] };

/** The mall is told every outcome (each finished line has its event), and each order's status is the one its lines give (the contract's table). */
function outcomesTold(o: Observed): Invariant {
  const told = new Set(o.events.filter((e) => e.order_id && e.line_id).map((e) => `${e.order_id}|${e.line_id}|${e.type}`));
  const bad: string[] = [];
  let untold = 0;
  for (const l of o.lines) {
    const lacking = (OUTCOME_EVENTS[l.status] ?? []).filter((t) => !told.has(`${l.order_id}|${l.line_id}|${t}`));
    if (!lacking.length) continue;
    untold++;
    bad.push(`line ${l.line_id} of ${l.order_id} (${l.id}) is ${l.status} but no ${lacking.join(' / ')} event was written`);
  }
  const lines = groupBy(o.lines, (l) => l.order_id);
  let wrongStatus = 0;
  for (const order of o.orders) {
    const statuses = (lines.get(order.id) ?? []).map((l) => l.status as LineStatus);
    if (!statuses.length) continue;
    const expected = orderStatusOf(statuses);
    if (expected === order.status) continue;
    wrongStatus++;
    bad.push(`order ${order.id} is ${order.status}; its lines (${statuses.join(', ')}) make it ${expected}`);
  }
  // An order that ended has its final event once, as its last; one still going has none (no
  // after-sales in a chaos run, so no order moves on from a final status).
  const eventsOf = groupBy(o.events.filter((e) => e.order_id), (e) => e.order_id as string);
  let finalWrong = 0;
  for (const order of o.orders) {
    const events = [...(eventsOf.get(order.id) ?? [])].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    const finals = events.filter((e) => FINAL_EVENTS.has(e.type)).map((e) => e.type);
    const expected = FINAL_EVENTS.has(`order.${order.status}`) ? [`order.${order.status}`] : [];
    if (JSON.stringify(finals) === JSON.stringify(expected) && (!expected.length || events.at(-1)?.type === expected[0])) continue;
    finalWrong++;
    bad.push(`order ${order.id} is ${order.status} with final events [${finals.join(', ')}] (last event ${events.at(-1)?.type ?? 'none'})`);
  }
  return inv('outcomes-told', 'every finished line\'s outcome is told to the mall, every order\'s status follows its lines, and an order that ended says so once, last', untold + wrongStatus + finalWrong,
    { 'finished lines': o.lines.filter((l) => OUTCOME_EVENTS[l.status]).length, 'without their event': untold, orders: o.orders.length, 'order status not the one its lines give': wrongStatus, 'orders without their one final event last': finalWrong }, bad);
}

/** Every mall event reached its own mall's endpoint at least once, signed; none reached the other mall. */
function webhooksDelivered(o: Observed, r: RunRecord): Invariant {
  const title = 'every mall event delivered at least once to its own mall (signatures valid)';
  const unread = [...o.received.entries()].filter(([, v]) => !v.ok).map(([k, v]) => `${k}: ${v.ok ? '' : v.error}`);
  if (unread.length) return notChecked('webhooks-delivered', title, `receivers not read: ${unread.join('; ')}`);
  const numbers: Invariant['numbers'] = {};
  const bad: string[] = [];
  let failures = 0;
  const eventsById = new Map(o.events.map((e) => [e.id, e]));
  for (const mall of r.malls) {
    const rec = o.received.get(mall.name);
    if (!rec?.ok) continue;
    const got = new Map(rec.value.events.map((e) => [e.id, e]));
    const mine = o.events.filter((e) => e.mall_id === mall.mallId);
    const missing = mine.filter((e) => !got.has(e.id));
    const foreign = rec.value.events.filter((e) => eventsById.get(e.id)?.mall_id !== mall.mallId);
    const byDelivery = groupBy(missing, (e) => e.delivery_status ?? 'no delivery row');
    numbers[`${mall.name} events`] = mine.length;
    numbers[`${mall.name} received`] = mine.length - missing.length;
    numbers[`${mall.name} missing`] = missing.length;
    for (const [status, list] of byDelivery) numbers[`${mall.name} missing, delivery ${status}`] = list.length;
    numbers[`${mall.name} received more than once`] = rec.value.events.filter((e) => e.count > 1).length;
    numbers[`${mall.name} not its own`] = foreign.length;
    numbers[`${mall.name} refused while down`] = rec.value.refused;
    numbers[`${mall.name} bad signatures`] = rec.value.badSignatures;
    failures += missing.length + foreign.length + rec.value.badSignatures;
    for (const e of missing.slice(0, 10)) bad.push(`${mall.name}: event ${e.id} (${e.type}, order ${e.order_id ?? '-'} seq ${e.seq ?? '-'}) not received; delivery ${e.delivery_status ?? 'none'} after ${e.delivery_attempts ?? 0} attempts, last ${e.last_status ?? e.last_error ?? '-'}`);
    for (const e of foreign.slice(0, 10)) bad.push(`${mall.name} received event ${e.id} (${e.type}) of ${eventsById.get(e.id)?.mall_id ?? 'no known mall'}`);
  }
  return inv('webhooks-delivered', title, failures, numbers, bad);
}

/** Order events are numbered 1, 2, 3… per order without a gap, in the hub and as the mall received them. */
function seqGapless(o: Observed, r: RunRecord): Invariant {
  const title = 'gapless seq per order in every mall\'s events (stored and received)';
  const received = new Map<string, Set<number>>();
  for (const mall of r.malls) {
    const rec = o.received.get(mall.name);
    if (!rec?.ok) return notChecked('seq-gapless', title, `receiver of ${mall.name} not read`);
    for (const e of rec.value.events) {
      if (e.orderId === null || e.seq === null) continue;
      const s = received.get(e.orderId) ?? new Set<number>();
      s.add(e.seq);
      received.set(e.orderId, s);
    }
  }
  const byOrder = groupBy(o.events.filter((e) => e.order_id !== null), (e) => e.order_id as string);
  const bad: string[] = [];
  let storedGaps = 0;
  let receivedGaps = 0;
  for (const [orderId, events] of byOrder) {
    const seqs = events.map((e) => e.seq ?? 0).sort((a, b) => a - b);
    if (seqs.some((s, i) => s !== i + 1)) {
      storedGaps++;
      bad.push(`order ${orderId}: stored seqs ${seqs.join(',')}`);
    }
    const got = received.get(orderId) ?? new Set<number>();
    const lacking = seqs.filter((s) => !got.has(s));
    if (lacking.length) {
      receivedGaps++;
      bad.push(`order ${orderId}: the mall lacks seq ${lacking.join(',')} of the ${seqs.length} stored`);
    }
  }
  return inv('seq-gapless', title, storedGaps + receivedGaps,
    { orders: byOrder.size, 'order events': o.events.filter((e) => e.order_id !== null).length, 'orders with a gap or repeat in PostgreSQL': storedGaps, 'orders with a seq the mall lacks': receivedGaps }, bad);
}

/**
 * One Idempotency-Key, one order: repeats and racers with the same body get that order, another
 * body under the key and another key with the same mallOrderId are refused (409), and PostgreSQL
 * holds no key or mallOrderId twice.
 */
function idempotency(o: Observed, r: RunRecord): Invariant {
  const bad: string[] = [];
  let twoOrders = 0;
  let refusedSame = 0;
  let twoCreated = 0;
  let conflictAccepted = 0;
  let dupAccepted = 0;
  const ok = (s: number | null) => s === 200 || s === 201;
  for (const s of r.sent) {
    const ids = new Set(s.sameBody.filter((a) => ok(a.status)).map((a) => a.orderId));
    if (ids.size > 1) {
      twoOrders++;
      bad.push(`key ${s.key} (${s.mall}) answered orders ${[...ids].join(', ')}`);
    }
    if (ids.size === 1 && s.sameBody.some((a) => a.status === 409)) {
      refusedSame++;
      bad.push(`key ${s.key} (${s.mall}, ${s.variant}): same body answered ${s.sameBody.map((a) => `${a.status}${a.code ? ` ${a.code}` : ''}`).join(' / ')}`);
    }
    if (s.sameBody.filter((a) => a.status === 201).length > 1) {
      twoCreated++;
      bad.push(`key ${s.key} (${s.mall}): 201 Created answered ${s.sameBody.filter((a) => a.status === 201).length} times`);
    }
    // Only a key that holds an order must refuse another body (if the first send was refused, the key is free).
    for (const a of s.orderId ? s.otherBody : []) {
      if (ok(a.status)) {
        conflictAccepted++;
        bad.push(`key ${s.key} (${s.mall}) with another body answered ${a.status} (order ${a.orderId}); expected 409 idempotency_conflict`);
      }
    }
    for (const a of s.dupMallOrder) {
      if (ok(a.status) && s.orderId && a.orderId !== s.orderId) {
        dupAccepted++;
        bad.push(`mallOrderId ${s.mallOrderId} (${s.mall}) under a second key answered ${a.status} with another order ${a.orderId} (first ${s.orderId})`);
      }
    }
  }
  const answered = (list: SentOrder[], pick: (s: SentOrder) => { status: number | null; code?: string }[]) =>
    list.flatMap(pick).reduce<Record<string, number>>((m, a) => ({ ...m, [`${a.status}${a.code ? ` ${a.code}` : ''}`]: (m[`${a.status}${a.code ? ` ${a.code}` : ''}`] ?? 0) + 1 }), {});
  const acceptedFirst = (v: string) => r.sent.filter((s) => s.variant === v && s.orderId);
  return inv('idempotency', 'no idempotency key with two orders (repeats and races get the same order)',
    twoOrders + refusedSame + twoCreated + conflictAccepted + dupAccepted + o.keyDupes + o.mallOrderDupes,
    {
      keys: r.sent.length,
      'repeated keys': r.sent.filter((s) => s.variant === 'repeat').length,
      'raced keys (3 at once)': r.sent.filter((s) => s.variant === 'race').length,
      'keys answered with two orders': twoOrders,
      'same body refused (409)': refusedSame,
      'created (201) twice': twoCreated,
      'another body accepted': conflictAccepted,
      'mallOrderId reused for a second order': dupAccepted,
      'keys held by two orders in PostgreSQL': o.keyDupes,
      'mallOrderIds held by two orders in PostgreSQL': o.mallOrderDupes,
      'another body answered': JSON.stringify(answered(acceptedFirst('conflict'), (s) => s.otherBody)),
      'reused mallOrderId answered': JSON.stringify(answered(acceptedFirst('dup-mall-order'), (s) => s.dupMallOrder)),
    }, bad);
}

function noCrossMallRead(r: RunRecord): Invariant {
  const leaks = r.probes.filter((p) => p.leaked);
  const other = r.probes.filter((p) => !p.leaked && p.status !== 404 && !(p.route === 'GET /v1/orders?mallOrderId' && p.status === 200));
  const byRoute = Object.fromEntries([...groupBy(r.probes, (p) => p.route)].map(([k, v]) => [k, `${v.length} probes, answers ${[...new Set(v.map((p) => p.status ?? 'none'))].join('/')}`]));
  return inv('no-cross-mall-read', 'no cross-mall read (a mall asking for another mall\'s order gets 404)', leaks.length,
    { probes: r.probes.length, leaks: leaks.length, 'answered neither 404 nor data (errors, counted under 5xx)': other.length, ...byRoute },
    leaks.map((p) => `${p.reader} reading ${p.owner}'s order via ${p.route} answered ${p.status}`),
    r.probes.length === 0 ? 'no probe ran (no order was accepted)' : undefined);
}

/** The only 5xx the hub may answer is 503 with Retry-After, and only while a dependency was down (plus the grace to reconnect). */
function only503DuringOutage(r: RunRecord): Invariant {
  const fives = r.answers.filter((a) => a.status !== null && a.status >= 500);
  // In an outage when the request was in flight during it: sent before the cut and answered during it counts.
  const inOutage = (a: Answer) => r.outages.some((w) => (a.doneMs ?? a.atMs) >= w.fromMs && a.atMs <= w.toMs && (!w.routes || w.routes.includes(a.route)));
  const wrongStatus = fives.filter((a) => a.status !== 503);
  const noRetryAfter = fives.filter((a) => a.status === 503 && !a.retryAfter);
  const outside = fives.filter((a) => !inOutage(a));
  const bad = new Set([...wrongStatus, ...noRetryAfter, ...outside]);
  const near = (a: Answer) => {
    const f = [...r.injected].filter((x) => x.kind !== 'supplier-faults').sort((x, y) => Math.abs(a.atMs - x.startMs) - Math.abs(a.atMs - y.startMs))[0];
    return f ? `${((a.atMs - f.startMs) / 1000).toFixed(1)} s after ${f.kind}${f.target ? ` ${f.target}` : ''} started` : 'no fault injected';
  };
  const byKind = groupBy([...bad], (a) => `${a.status} ${a.code ?? ''} ${a.route}${inOutage(a) ? ' (during an outage)' : ' (no outage)'}`);
  return inv('only-503-during-outage', 'no 5xx but 503 with Retry-After, and only while an outage was injected', bad.size,
    {
      answers: r.answers.length,
      unanswered: r.answers.filter((a) => a.status === null).length,
      '5xx': fives.length,
      '503 with Retry-After during an outage': fives.length - bad.size,
      '5xx other than 503': wrongStatus.length,
      '503 without Retry-After': noRetryAfter.length,
      '5xx outside an outage': outside.length,
    },
    [...byKind].map(([k, v]) => `${v.length}× ${k}; first at ${new Date(v[0]?.atMs ?? 0).toISOString()} (${v[0] ? near(v[0]) : ''}) on ${v[0]?.api}`));
}

/** The hub's own books: one supplier cost per attempt, and never more units refunded than a line has. */
function hubLedger(o: Observed): Invariant {
  const lines = new Map(o.lines.map((l) => [l.id, l]));
  const costTwice = o.ledger.filter((x) => x.entry === 'supplier_cost' && x.attempt_id !== null && x.rows > 1);
  const refunds = groupBy(o.ledger.filter((x) => x.entry === 'refund'), (x) => x.line_id);
  const overRefunded = [...refunds].filter(([lineId, rows]) => rows.reduce((n, x) => n + x.units, 0) > (lines.get(lineId)?.quantity ?? 0));
  const bad = [
    ...costTwice.map((x) => `line ${x.line_id}: ${x.rows} supplier_cost rows for attempt ${x.attempt_id}`),
    ...overRefunded.map(([lineId, rows]) => `line ${lineId} (${lines.get(lineId)?.status}, quantity ${lines.get(lineId)?.quantity}): ${rows.reduce((n, x) => n + x.units, 0)} units refunded in ${rows.reduce((n, x) => n + x.rows, 0)} rows`),
  ];
  return inv('hub-ledger', 'the hub\'s ledger charges each attempt once and refunds no line beyond its quantity', costTwice.length + overRefunded.length,
    { 'attempts with a supplier cost': o.ledger.filter((x) => x.entry === 'supplier_cost').length, 'lines refunded': refunds.size, 'attempts costed twice': costTwice.length, 'lines refunded beyond their quantity': overRefunded.length }, bad);
}

function processesStayedUp(r: RunRecord): Invariant {
  return inv('processes-stayed-up', 'no hub process died on its own (only the run\'s SIGKILLs)', r.unexpectedExits.length,
    { 'unexpected exits': r.unexpectedExits.length },
    r.unexpectedExits.map((e) => `${e.name} (pid ${e.pid}) exited with code ${e.code} signal ${e.signal} at ${e.atSeconds} s; see its log`));
}
