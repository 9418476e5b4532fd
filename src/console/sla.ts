import type { Ticket } from './api-types.ts';
import { badge } from './components.ts';
import { duration } from './format.ts';
import type { JSXNode } from './html.ts';
import type { Translate } from './i18n/index.ts';

const FINAL = new Set(['resolved', 'rejected', 'withdrawn']);

/**
 * The SLA a ticket runs against now: its first response until staff first act on it, then its
 * resolution (the earlier of the two while both are open, as the API's `overdue` counts them).
 * Null once the ticket is final.
 */
export function slaDue(t: Ticket): { dueAt: number; which: 'firstResponse' | 'resolution' } | null {
  if (FINAL.has(t.status)) return null;
  const resolution = new Date(t.resolutionDueAt).getTime();
  const first = t.firstRespondedAt ? Number.POSITIVE_INFINITY : new Date(t.firstResponseDueAt).getTime();
  return first < resolution ? { dueAt: first, which: 'firstResponse' } : { dueAt: resolution, which: 'resolution' };
}

/** "due in 3 h 20 min" or "overdue by 2 h", on the hub's clock; nothing for a final ticket. */
export function slaBadge(t: Ticket, now: Date, tr: Translate): JSXNode | null {
  const due = slaDue(t);
  if (!due) return null;
  const left = due.dueAt - now.getTime();
  const label = `${tr(due.which === 'firstResponse' ? 'sla.firstResponse' : 'sla.resolution')} · `;
  if (t.overdue || left <= 0) return badge('bad', label + tr('sla.overdue', { time: duration(-left, tr) }), { 'data-sla': 'overdue' });
  return badge(left < 4 * 3600_000 ? 'warn' : 'info', label + tr('sla.dueIn', { time: duration(left, tr) }), { 'data-sla': 'due' });
}
