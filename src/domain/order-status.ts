import { AppError } from './errors.ts';

/**
 * Line and order statuses as the contract names them, and the order status derived from its
 * lines (never stored on its own authority: always recomputed from the lines).
 */
export const LINE_STATUSES = ['pending', 'submitted', 'accepted', 'shipped', 'delivered', 'issuing', 'issued', 'cancelled', 'failed', 'returned', 'refunded'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

export const ORDER_STATUSES = ['accepted', 'in_progress', 'completed', 'partially_failed', 'failed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses a line does not leave by fulfilment (after-sales aside). */
export const TERMINAL_LINE_STATUSES: ReadonlySet<LineStatus> = new Set(['delivered', 'issued', 'returned', 'cancelled', 'failed', 'refunded']);

/**
 * The line state machine: where a line may go from each status. Every status change goes through
 * it (setLineStatus refuses any other move), so a late or repeated supplier event cannot move a
 * line backwards or out of a terminal state. Staying in a status (a second parcel, a count
 * changing) is always allowed.
 *
 *   pending ─▶ submitted ─▶ accepted ─▶ shipped ─▶ delivered ─▶ returned ─▶ refunded
 *      │            (a supplier's events may skip ahead: pending ─▶ shipped)   ▲
 *      ├─▶ issuing ─▶ issued ────────────────────────────────────────────────┤
 *      └─▶ cancelled (before shipping)      failed ──────────────────────────┘
 */
export const LINE_TRANSITIONS: Readonly<Record<LineStatus, readonly LineStatus[]>> = {
  pending: ['submitted', 'accepted', 'issuing', 'issued', 'shipped', 'delivered', 'cancelled', 'failed'],
  submitted: ['accepted', 'issued', 'shipped', 'delivered', 'cancelled', 'failed'],
  accepted: ['issued', 'shipped', 'delivered', 'cancelled', 'failed'],
  issuing: ['issued', 'failed'],
  shipped: ['delivered', 'failed', 'returned', 'refunded'],
  delivered: ['returned', 'refunded'],
  issued: ['refunded'],
  failed: ['refunded'],
  returned: ['refunded'],
  cancelled: [],
  refunded: [],
};

/** Whether a line may move from one status to another (staying is always allowed). */
export function canMoveLine(from: LineStatus, to: LineStatus): boolean {
  return from === to || LINE_TRANSITIONS[from].includes(to);
}

/** The statuses a line may be in to move to `to` (itself included). */
export function statusesMovingTo(to: LineStatus): LineStatus[] {
  return LINE_STATUSES.filter((from) => canMoveLine(from, to));
}

const LOST: ReadonlySet<LineStatus> = new Set(['failed', 'refunded']);
const DONE: ReadonlySet<LineStatus> = new Set(['delivered', 'issued', 'returned']);

/**
 * The contract's table, in its order:
 *   all cancelled                                              → cancelled
 *   all failed/refunded/cancelled, some failed or refunded     → failed
 *   all terminal, some failed or refunded                      → partially_failed
 *   all delivered/issued/returned, cancelled lines aside       → completed
 *   every line still pending                                   → accepted
 *   otherwise                                                  → in_progress
 */
export function orderStatusOf(lines: readonly LineStatus[]): OrderStatus {
  if (lines.length === 0) throw new RangeError('an order has at least one line');
  const all = (p: (s: LineStatus) => boolean) => lines.every(p);
  const someLost = lines.some((s) => LOST.has(s));
  if (all((s) => s === 'cancelled')) return 'cancelled';
  if (someLost && all((s) => LOST.has(s) || s === 'cancelled')) return 'failed';
  if (someLost && all((s) => TERMINAL_LINE_STATUSES.has(s))) return 'partially_failed';
  if (all((s) => DONE.has(s) || s === 'cancelled')) return 'completed';
  if (all((s) => s === 'pending')) return 'accepted';
  return 'in_progress';
}

/**
 * The order state machine: where an order's status may go from each status, as `orderStatusOf`
 * derives it from its lines when one line makes a move `LINE_TRANSITIONS` allows (setLineStatus
 * moves one line per transaction and recomputes the order under its row lock, so each
 * recomputation is one line move away from the status stored before it). It is not a second
 * authority: it is what the line machine implies, checked exhaustively in
 * test/domain/order-transitions.test.ts (every entry reachable, no other change possible).
 * Staying is always allowed.
 *
 *                      ┌───────────────▶ partially_failed ─┐
 *                      │                      ▲            ▼
 *   accepted ─▶ in_progress ─▶ completed ─────┴────────▶ failed
 *                      │  │                                ▲
 *                      │  └────────────────────────────────┘
 *                      └─▶ cancelled
 *   (a one-line order may also go straight from accepted to completed, failed or cancelled)
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  // Every line pending. One move leaves the other lines pending, so the order is in progress;
  // only a one-line order settles at once (pending ─▶ delivered/issued, failed, cancelled). Never
  // partially_failed: that needs a settled line next to a lost one, i.e. two moves.
  accepted: ['in_progress', 'completed', 'failed', 'cancelled'],
  // Never back to accepted (no line returns to pending); any final status once the last open
  // line settles.
  in_progress: ['completed', 'partially_failed', 'failed', 'cancelled'],
  // Not final: after-sales. A delivered, issued or returned line refunded (delivered ─▶ returned
  // ─▶ refunded, issued ─▶ refunded) makes it partially_failed, or failed when that line was the
  // only one not cancelled. Never back to in_progress: a done line only moves to returned or
  // refunded, both terminal (and a return alone leaves it completed).
  completed: ['partially_failed', 'failed'],
  // Its last delivered/issued/returned line refunded: every line lost or cancelled.
  partially_failed: ['failed'],
  // Final: its lines are failed, refunded or cancelled; a failed line only becomes refunded
  // (still lost), and the others go nowhere.
  failed: [],
  // Final: every line cancelled, and a cancelled line goes nowhere.
  cancelled: [],
};

/** Order statuses nothing moves an order out of (their entries in ORDER_TRANSITIONS are empty). */
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set(ORDER_STATUSES.filter((s) => ORDER_TRANSITIONS[s].length === 0));

/** Whether an order's status may change from one status to another (staying is always allowed). */
export function canMoveOrder(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || ORDER_TRANSITIONS[from].includes(to);
}

/**
 * A recomputed order status the order state machine does not allow from the stored one: the
 * lines and the order disagree (a line moved outside setLineStatus, or a status written by hand).
 * Permanent: recomputing again gives the same answer.
 */
export class IllegalOrderTransition extends AppError {
  readonly from: OrderStatus;
  readonly to: OrderStatus;

  constructor(from: OrderStatus, to: OrderStatus, orderId?: string) {
    super('conflict', `order ${orderId ?? '(unknown)'} cannot move from ${from} to ${to}`, { retryable: false, details: { orderId: orderId ?? null, from, to } });
    this.name = 'IllegalOrderTransition';
    this.from = from;
    this.to = to;
  }
}

/**
 * Asserts that an order may go from its stored status to a recomputed one, and returns the
 * recomputed one (to write); throws IllegalOrderTransition otherwise.
 */
export function orderMove(from: OrderStatus, to: OrderStatus, orderId?: string): OrderStatus {
  if (!canMoveOrder(from, to)) throw new IllegalOrderTransition(from, to, orderId);
  return to;
}
