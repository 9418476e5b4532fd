import type { LineStatus } from './order-status.ts';
import type { Carrier } from './supplier-shapes.ts';

/**
 * After-sales tickets a mall opens on a line (issue 19, first part): their types, their state
 * machine, and whether a line may have one now. Pure: the store reads the facts, this decides.
 */

export const TICKET_TYPES = ['return', 'exchange', 'damaged', 'missing_item', 'wrong_item', 'not_received', 'virtual_not_received'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export const TICKET_STATUSES = ['open', 'in_progress', 'resolved', 'rejected', 'withdrawn'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Kinds of history entry a ticket keeps. */
export const TICKET_EVENT_KINDS = ['opened', 'evidence_added', 'withdrawn', 'comment', 'assigned', 'status_changed', 'progress', 'decided', 'approval_requested', 'approval_declined', 'resolved', 'rejected'] as const;

/** How a ticket is settled (the contract's actions, and `reissue` for virtual benefits). */
export const RESOLUTION_ACTIONS = ['refund', 'reship', 'reissue', 'return_to_supplier', 'reject'] as const;
export type ResolutionAction = (typeof RESOLUTION_ACTIONS)[number];

/** What a ticket waits on while it is in progress. */
export const WAITING_ON = ['hub', 'supplier', 'carrier', 'agent', 'approval'] as const;
export type WaitingOn = (typeof WAITING_ON)[number];

/** A ticket's settlement as stored on it and told to the mall. */
export interface Resolution {
  action: ResolutionAction;
  units: number;
  by: 'hub' | 'staff';
  refund?: { points: number; cashFen: number };
  shipment?: { supplierOrderId: string; carrier?: Carrier; trackingNo?: string };
  evidence?: { providerOrderId: string; issuedAt?: string; vouchers?: string[] };
  note?: string;
}

/** A decision the ticket's run carries out: taken by the hub on the evidence, or by staff. */
export interface TicketDecision {
  action: ResolutionAction;
  units: number;
  by: 'hub' | 'staff';
  /** Staff id, for staff decisions. */
  actor?: string;
  note?: string;
  /** For `reship`: the source to send from (default: routing chooses). */
  supplierId?: string;
}

/** Refund limits of an agent (src/config.ts: HUB_AGENT_REFUND_LIMIT_*): above either, an admin approves. */
export interface RefundLimits {
  points: number;
  cashFen: number;
}

/** Whether a refund an agent decides needs an admin's approval. Admins never need one. */
export function needsApproval(role: 'agent' | 'admin', refund: { points: number; cashFen: number }, limits: RefundLimits): boolean {
  return role === 'agent' && (refund.points > limits.points || refund.cashFen > limits.cashFen);
}

/** The status a decision settles a ticket in: `reject` rejects it, anything else resolves it. */
export function settledStatus(action: ResolutionAction): 'resolved' | 'rejected' {
  return action === 'reject' ? 'rejected' : 'resolved';
}

/**
 * The remedy the hub applies by itself once the evidence settles a claim of goods that arrived
 * damaged, wrong or short, or never arrived: send the units again when `prefer` is reship and a
 * source has them, otherwise refund them.
 */
export function autoRemedy(prefer: 'reship' | 'refund', reshipPossible: boolean): 'reship' | 'refund' {
  return prefer === 'reship' && reshipPossible ? 'reship' : 'refund';
}
export type TicketEventKind = (typeof TICKET_EVENT_KINDS)[number];

/**
 * The ticket state machine: where a ticket may go from each status. Staying is always allowed.
 *
 *   open ─▶ in_progress ─▶ resolved
 *     │          │   └───▶ rejected
 *     │          └───────▶ withdrawn
 *     ├─▶ resolved / rejected (answered at once)
 *     └─▶ withdrawn (by the mall)
 */
export const TICKET_TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  open: ['in_progress', 'resolved', 'rejected', 'withdrawn'],
  in_progress: ['resolved', 'rejected', 'withdrawn'],
  resolved: [],
  rejected: [],
  withdrawn: [],
};

/** Statuses a ticket does not leave. */
export const TERMINAL_TICKET_STATUSES: ReadonlySet<TicketStatus> = new Set(TICKET_STATUSES.filter((s) => TICKET_TRANSITIONS[s].length === 0));
/** Statuses in which a ticket counts as open (its units held, its type taken on the line). */
export const OPEN_TICKET_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => !TERMINAL_TICKET_STATUSES.has(s));

/** Whether a ticket may move from one status to another (staying is always allowed). */
export function canMoveTicket(from: TicketStatus, to: TicketStatus): boolean {
  return from === to || TICKET_TRANSITIONS[from].includes(to);
}

/** The windows and SLAs eligibility and due times are computed with (src/config.ts: HUB_AFTERSALE_*). */
export interface AftersaleConfig {
  returnDays: number;
  damageDays: number;
  notReceivedAfterMs: number;
  sla: Readonly<Record<TicketType, { firstResponseMs: number; resolutionMs: number }>>;
  /** How often a supplier's after-sale, a replacement or a reissue is asked about when no callback came. */
  pollMs: number;
  /** How long an approved return may wait for the goods to reach the supplier before an agent looks. */
  returnWaitMs: number;
  /** How long a parcel may go without a tracking event before it counts as lost. */
  lostAfterMs: number;
  /** What the hub does by itself for goods damaged, wrong, short or lost once the evidence settles it. */
  remedy: 'reship' | 'refund';
  /** What an agent may refund on their own; above it an admin approves. */
  agentRefundLimit: RefundLimits;
}

/** What eligibility looks at, read from the line, its shipments, ledger and other tickets. */
export interface EligibilityFacts {
  lineStatus: LineStatus;
  kind: 'physical' | 'virtual' | 'service';
  /** When the line's last parcel was delivered (null: not delivered). */
  deliveredAt: Date | null;
  /** When the line's first parcel was picked up (null: not shipped). */
  shippedAt: Date | null;
  /** When the line was issued (null: not issued). */
  issuedAt: Date | null;
  /** Whether a parcel's tracking says `exception` or `returned_to_sender`. */
  trackingTrouble: boolean;
  /** Units delivered or issued (qty_fulfilled). */
  unitsFulfilled: number;
  /** Units the ledger has refunded. */
  unitsRefunded: number;
  /** Units held by the line's other open tickets. */
  unitsUnderOpenTickets: number;
  /** Types of the line's open tickets. */
  openTypes: readonly TicketType[];
}

export const NOT_ELIGIBLE_REASONS = ['line_status', 'window_passed', 'too_early', 'not_virtual', 'not_physical', 'quantity_exceeded', 'duplicate_open_ticket'] as const;
export type NotEligibleReason = (typeof NOT_ELIGIBLE_REASONS)[number];

export type Eligibility = { ok: true } | { ok: false; reason: NotEligibleReason; message: string };

const DAY_MS = 24 * 3600_000;
const no = (reason: NotEligibleReason, message: string): Eligibility => ({ ok: false, reason, message });

/** Units still open to a new ticket: fulfilled, less refunded, less held by other open tickets (never below 0). */
export function ticketableUnits(f: Pick<EligibilityFacts, 'unitsFulfilled' | 'unitsRefunded' | 'unitsUnderOpenTickets'>): number {
  return Math.max(0, f.unitsFulfilled - f.unitsRefunded - f.unitsUnderOpenTickets);
}

/**
 * Whether a ticket of `type` for `quantity` units may be opened on a line now. Checked in this
 * order, the first failing rule answering: one open ticket per line and type
 * (`duplicate_open_ticket`), the line's kind and status and the type's window
 * (`not_physical`, `not_virtual`, `line_status`, `too_early`, `window_passed`), then the units
 * (`quantity_exceeded`).
 *
 * - return, exchange: a delivered physical line, within `returnDays` of delivery;
 * - damaged, missing_item, wrong_item: a delivered physical line, within `damageDays` of delivery;
 * - not_received: a shipped (not delivered) physical line, `notReceivedAfterMs` after shipping, or
 *   at once when its tracking says exception or returned to sender;
 * - virtual_not_received: a virtual line issued, or stuck issuing.
 *
 * Units: at most what was fulfilled, less what was refunded and what other open tickets hold; a
 * not_received or virtual_not_received ticket (nothing fulfilled reached the member yet) counts
 * the line's units as fulfilled when it is still shipped or issuing.
 */
export function eligibility(type: TicketType, quantity: number, f: EligibilityFacts, now: Date, cfg: Pick<AftersaleConfig, 'returnDays' | 'damageDays' | 'notReceivedAfterMs'>, lineQuantity: number): Eligibility {
  if (f.openTypes.includes(type)) return no('duplicate_open_ticket', `the line already has an open ${type} ticket`);
  const since = (at: Date) => now.getTime() - at.getTime();
  let fulfilled = f.unitsFulfilled;
  switch (type) {
    case 'return':
    case 'exchange':
    case 'damaged':
    case 'missing_item':
    case 'wrong_item': {
      if (f.kind === 'virtual') return no('not_physical', `a ${type} ticket is for goods`);
      if (f.lineStatus !== 'delivered' || !f.deliveredAt) return no('line_status', `a ${type} ticket needs a delivered line; this one is ${f.lineStatus}`);
      const days = type === 'return' || type === 'exchange' ? cfg.returnDays : cfg.damageDays;
      if (since(f.deliveredAt) > days * DAY_MS) return no('window_passed', `a ${type} ticket is opened within ${days} days of delivery`);
      break;
    }
    case 'not_received': {
      if (f.kind === 'virtual') return no('not_physical', 'a not_received ticket is for goods; use virtual_not_received');
      if (f.lineStatus !== 'shipped' || !f.shippedAt) return no('line_status', `a not_received ticket needs a shipped, undelivered line; this one is ${f.lineStatus}`);
      if (!f.trackingTrouble && since(f.shippedAt) < cfg.notReceivedAfterMs) return no('too_early', `a not_received ticket is opened ${Math.round(cfg.notReceivedAfterMs / 3600_000)} h after shipping, or when tracking reports a problem`);
      fulfilled = Math.max(fulfilled, lineQuantity);
      break;
    }
    case 'virtual_not_received': {
      if (f.kind !== 'virtual') return no('not_virtual', 'a virtual_not_received ticket is for virtual goods');
      if (f.lineStatus !== 'issued' && f.lineStatus !== 'issuing') return no('line_status', `a virtual_not_received ticket needs an issued or issuing line; this one is ${f.lineStatus}`);
      if (f.lineStatus === 'issuing') fulfilled = Math.max(fulfilled, lineQuantity);
      break;
    }
  }
  const left = ticketableUnits({ ...f, unitsFulfilled: fulfilled });
  if (quantity > left) return no('quantity_exceeded', `${quantity} units asked, ${left} open to a ticket (fulfilled less refunded less under other open tickets)`);
  return { ok: true };
}

/** When a new ticket's first response and resolution are due. */
export function ticketDueTimes(type: TicketType, openedAt: Date, cfg: Pick<AftersaleConfig, 'sla'>): { firstResponseDueAt: Date; resolutionDueAt: Date } {
  const sla = cfg.sla[type];
  return { firstResponseDueAt: new Date(openedAt.getTime() + sla.firstResponseMs), resolutionDueAt: new Date(openedAt.getTime() + sla.resolutionMs) };
}

/** The status a staff action (a comment, an assignment) leaves a ticket in: the first takes an `open` ticket `in_progress`. */
export function statusAfterStaffAction(status: TicketStatus): TicketStatus {
  return status === 'open' ? 'in_progress' : status;
}

/** Whether a ticket is overdue at `now`: not final, and its resolution due time passed, or its first response due time passed with no staff action yet. */
export function ticketOverdue(t: { status: TicketStatus; firstResponseDueAt: Date; resolutionDueAt: Date; firstRespondedAt: Date | null }, now: Date): boolean {
  if (TERMINAL_TICKET_STATUSES.has(t.status)) return false;
  return t.resolutionDueAt.getTime() < now.getTime() || (t.firstRespondedAt === null && t.firstResponseDueAt.getTime() < now.getTime());
}
