import type { EntityManager } from '@mikro-orm/postgresql';
import type { SubjectRunRow } from '../../workflows/engine/index.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Clock } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import type { RunStatus } from '../domain/order-actions.ts';
import type { LineStatus, OrderStatus } from '../domain/order-status.ts';
import type { ActorType } from '../domain/principal.ts';
import { maskPhone, type Recipient, recipientForStaff, type StaffRecipient } from '../domain/recipient.ts';
import type { ItemKind } from '../domain/supplier-shapes.ts';
import { scrubString } from '../observability/scrub.ts';
import type { CryptoBox, Sealed } from '../security/crypto-box.ts';
import { orderTimeline, type TimelineEntry } from './order-timeline.ts';
import { type OrderView, orderView } from './order-store.ts';
import { findOrderForStaff, linesForStaff, searchStaffOrders, type StaffLineRow, type StaffOrderRow } from './staff-order-store.ts';

/**
 * Orders as the hub's staff look them up (issue 19, admin part): search across malls by what a
 * member or a supplier quotes (mall order id, the phone's last four digits, a tracking number, a
 * supplier's order id), and one order with its lines' workflow runs and its whole timeline. Personal
 * data is masked for an agent (`张*`, `138****5678`, the street address and recharge accounts
 * hidden); an admin reads the order's in full, and that read is audited (`order.read_personal_data`)
 * before it is answered. A list always masks: only the order itself shows (and audits) it in full.
 * The timeline never carries the recipient or recharge accounts; for an agent, phone numbers and
 * emails in its free text (supplier errors, carrier scans, comments) are masked too.
 */

export interface StaffOrderDeps {
  em: EntityManager;
  clock: Clock;
  crypto: CryptoBox;
  /** Ids of the configured encryption keys: a phone tail is looked up under each (keys rotate). */
  keyIds: readonly string[];
  /** Workflows whose runs have an order's lines or tickets as subject. */
  workflows: readonly string[];
}

export interface StaffViewer {
  actor: { actorType: ActorType; actorId: string };
  requestId: string;
  role: 'agent' | 'admin';
}

export interface StaffOrderSummary {
  orderId: string;
  mallId: string;
  mallOrderId: string;
  status: OrderStatus;
  member: { id: string; tier: string | null };
  recipient: StaffRecipient | null;
  createdAt: string;
  updatedAt: string;
  lines: { lineId: string; skuId: string; kind: ItemKind; quantity: number; status: LineStatus }[];
}

/** A line's workflow run as staff see it. */
export interface StaffRunView {
  runId: string;
  workflow: string;
  status: RunStatus;
  step: string;
  attempt: number;
  goal: 'fail' | 'cancel' | null;
  lastError: string | null;
  nextRunAt: string | null;
}

export type StaffOrderLine = OrderView['lines'][number] & { rechargeAccount: string | null; run: StaffRunView | null };

export interface StaffOrderDetail extends Omit<OrderView, 'lines'> {
  mallId: string;
  recipient: StaffRecipient | null;
  lines: StaffOrderLine[];
  timeline: TimelineEntry[];
}

export interface OrderSearch {
  mallId?: string | undefined;
  mallOrderId?: string | undefined;
  phoneTail?: string | undefined;
  trackingNo?: string | undefined;
  supplierOrderId?: string | undefined;
  after?: string | undefined;
  limit: number;
}

const iso = (d: Date | string) => new Date(d).toISOString();

function recipientOf(crypto: CryptoBox, sealed: Sealed | null, full: boolean): StaffRecipient | null {
  return sealed ? recipientForStaff(JSON.parse(crypto.open(sealed)) as Recipient, full) : null;
}

/** A recharge account masked: a phone as `138****5678`, anything else to its last four characters. */
export function maskAccount(account: string): string {
  if (/^\+?[\d\s-]{8,}$/.test(account)) return maskPhone(account);
  const chars = [...account];
  return chars.length <= 4 ? '****' : `${'*'.repeat(chars.length - 4)}${chars.slice(-4).join('')}`;
}

/** Orders of any mall (or one) matching every key given, newest first, `limit + 1` (the route cuts the page). Recipients masked. */
export async function searchOrders(deps: StaffOrderDeps, q: OrderSearch): Promise<(StaffOrderSummary & { id: string })[]> {
  const rows = await searchStaffOrders(deps.em, {
    mallId: q.mallId,
    mallOrderId: q.mallOrderId,
    phoneTailHashes: q.phoneTail === undefined ? undefined : deps.keyIds.map((k) => deps.crypto.keyedHash(q.phoneTail as string, k).hash),
    trackingNo: q.trackingNo,
    supplierOrderId: q.supplierOrderId,
    after: q.after,
    limit: q.limit,
  });
  const lines = await linesForStaff(deps.em, rows.map((r) => r.id));
  return rows.map((o) => ({
    id: o.id,
    orderId: o.id,
    mallId: o.mall_id,
    mallOrderId: o.mall_order_id,
    status: o.status,
    member: { id: o.member_id, tier: o.member_tier },
    recipient: recipientOf(deps.crypto, o.recipient, false),
    createdAt: iso(o.created_at),
    updatedAt: iso(o.updated_at),
    lines: lines.filter((l) => l.order_id === o.id).map((l) => ({ lineId: l.line_id, skuId: l.sku_id, kind: l.kind, quantity: l.quantity, status: l.status })),
  }));
}

function runView(r: SubjectRunRow | undefined): StaffRunView | null {
  if (!r) return null;
  return { runId: r.id, workflow: r.workflow, status: r.status as RunStatus, step: r.step, attempt: r.attempt, goal: r.goal, lastError: r.last_error, nextRunAt: r.next_run_at ? iso(r.next_run_at) : null };
}

/**
 * One order of any mall with its lines (each with its recharge account and its workflow run) and
 * its timeline. An agent reads personal data masked; an admin in full, and the read is audited
 * (`order.read_personal_data`, which fields) before anything is answered. 404 for an unknown order.
 */
export async function getStaffOrder(deps: StaffOrderDeps, orderId: string, who: StaffViewer): Promise<StaffOrderDetail> {
  const order = await findOrderForStaff(deps.em, orderId);
  if (!order) throw notFound('order');
  const lines = await linesForStaff(deps.em, [order.id]);
  const full = who.role === 'admin';
  const personal = personalFields(order, lines);
  if (full && personal.length) {
    await deps.em.fork().transactional(async (tx) => {
      recordAudit(tx, deps.clock, { actor: who.actor, action: 'order.read_personal_data', resourceType: 'mall_order', resourceId: order.id, mallId: order.mall_id, after: { fields: personal }, requestId: who.requestId });
    });
  }
  const [view, { timeline, runs }] = await Promise.all([orderView(deps.em.fork(), order), orderTimeline({ em: deps.em, workflows: deps.workflows }, order, lines)]);
  const byLine = new Map(lines.map((l) => [l.line_id, l]));
  return {
    ...view,
    mallId: order.mall_id,
    recipient: recipientOf(deps.crypto, order.recipient, full),
    lines: view.lines.map((l) => {
      const row = byLine.get(l.lineId) as StaffLineRow;
      const account = row.recharge_account ? deps.crypto.open(row.recharge_account) : null;
      // A line's own run (a ticket's run has the ticket as subject).
      const run = runs.filter((r) => r.subject_id === row.id).at(-1);
      return { ...l, rechargeAccount: account === null ? null : full ? account : maskAccount(account), run: runView(run) };
    }),
    // Free text from suppliers, carriers, malls and staff (errors, scans, comments) may hold a phone
    // number or an email: masked for an agent, as the logs mask them.
    timeline: full ? timeline : timeline.map((e) => scrubbed(e)),
  };
}

/**
 * An order's merged timeline as a staff reader sees it, for the pages that show it next to
 * something else (a ticket): it carries no recipient or recharge account, and for an agent its free
 * text is scrubbed as in getStaffOrder. Empty for an unknown order.
 */
export async function staffOrderTimeline(deps: Pick<StaffOrderDeps, 'em' | 'workflows'>, orderId: string, role: 'agent' | 'admin'): Promise<TimelineEntry[]> {
  const order = await findOrderForStaff(deps.em, orderId);
  if (!order) return [];
  const { timeline } = await orderTimeline({ em: deps.em, workflows: deps.workflows }, order, await linesForStaff(deps.em, [order.id]));
  return role === 'admin' ? timeline : timeline.map((e) => scrubbed(e));
}

/** A copy with every string value scrubbed (keys kept). */
function scrubbed<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return scrubString(value) as T;
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrubbed(v, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbed(v, depth + 1)])) as T;
}

/** Which personal fields an order holds (what an admin's read of it discloses). */
function personalFields(order: StaffOrderRow, lines: readonly StaffLineRow[]): string[] {
  return [...(order.recipient ? ['recipient'] : []), ...(lines.some((l) => l.recharge_account) ? ['rechargeAccount'] : [])];
}
