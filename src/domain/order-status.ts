/**
 * Line and order statuses as the contract names them, and the order status derived from its
 * lines (never stored on its own authority: always recomputed from the lines).
 */
export const LINE_STATUSES = ['pending', 'submitted', 'accepted', 'shipped', 'delivered', 'issuing', 'issued', 'cancelled', 'failed', 'returned', 'refunded'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

export type OrderStatus = 'accepted' | 'in_progress' | 'completed' | 'partially_failed' | 'failed' | 'cancelled';

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
