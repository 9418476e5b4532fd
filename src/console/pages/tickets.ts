import type { Mall, Page, Ticket } from '../api-types.ts';
import { badge, checkbox, field, input, pager, select, table } from '../components.ts';
import { dateTime } from '../format.ts';
import { h, type JSXNode } from '../html.ts';
import type { Translate } from '../i18n/index.ts';
import { slaBadge } from '../sla.ts';

/** The queue's filters as the URL carries them. */
export interface QueueFilters {
  status?: string;
  type?: string;
  mallId?: string;
  assignee?: string;
  mine?: string;
  overdue?: string;
  cursor?: string;
}

export const TICKET_STATUSES = ['open', 'in_progress', 'resolved', 'rejected', 'withdrawn'] as const;
export const TICKET_TYPES = ['return', 'exchange', 'damaged', 'missing_item', 'wrong_item', 'not_received', 'virtual_not_received'] as const;

export const statusBadge = (status: Ticket['status'], t: Translate): JSXNode =>
  badge(status === 'resolved' ? 'ok' : status === 'rejected' || status === 'withdrawn' ? 'muted' : status === 'open' ? 'warn' : 'info', t(`ticketStatus.${status}`), { 'data-status': status });

/** The ticket queue: filters (status, type, mall, assignee, mine, overdue), then one row per ticket with its SLA badge. */
export function ticketQueue(t: Translate, q: QueueFilters, malls: Mall[], list: Page<Ticket>, now: Date): JSXNode {
  const mallName = new Map(malls.map((m) => [m.mallId, m.name]));
  const filters = h(
    'form',
    { method: 'get', action: '/console/tickets', class: 'filters', role: 'search' },
    field(t('col.status'), select('status', TICKET_STATUSES.map((s) => [s, t(`ticketStatus.${s}`)]), q.status, { any: t('common.any') })),
    field(t('col.type'), select('type', TICKET_TYPES.map((s) => [s, t(`ticketType.${s}`)]), q.type, { any: t('common.any') })),
    field(t('col.mall'), select('mallId', malls.map((m) => [m.mallId, m.name]), q.mallId, { any: t('common.any') })),
    field(t('col.assignee'), input({ type: 'text', name: 'assignee', value: q.assignee ?? '', maxlength: 100 })),
    h('div', { class: 'checks' }, checkbox('mine', t('tickets.mine'), q.mine === '1'), checkbox('overdue', t('tickets.overdue'), q.overdue === '1')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('common.filter')), h('a', { href: '/console/tickets', class: 'button subtle' }, t('common.clear'))),
  );
  const rows = list.items.map((x) => [
    h('a', { href: `/console/tickets/${encodeURIComponent(x.ticketId)}`, 'data-ticket': x.ticketId }, x.ticketId),
    x.mallOrderId,
    mallName.get(x.mallId) ?? x.mallId,
    t(`ticketType.${x.type}`),
    statusBadge(x.status, t),
    x.waitingOn ? t(`waitingOn.${x.waitingOn}`) : t('common.none'),
    x.assignee ?? t('common.none'),
    slaBadge(x, now, t) ?? t('common.none'),
    dateTime(x.createdAt),
  ]);
  const { cursor: _cursor, ...rest } = q;
  return h(
    'div',
    null,
    filters,
    table([t('col.ticket'), t('col.mallOrder'), t('col.mall'), t('col.type'), t('col.status'), t('col.waitingOn'), t('col.assignee'), t('col.sla'), t('col.created')], rows, { empty: t('tickets.empty'), id: 'ticket-queue' }),
    pager('/console/tickets', rest as Record<string, string | undefined>, list.nextCursor, t),
  );
}
