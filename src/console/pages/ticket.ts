import type { Order, StaffSession, TicketDetail, TicketHistoryEntry } from '../api-types.ts';
import { badge, checkbox, csrfInput, facts, field, hidden, input, section, select, table } from '../components.ts';
import { dateTime, int, safeHref, yuan } from '../format.ts';
import { type Child, h, type JSXNode } from '../html.ts';
import type { Translate } from '../i18n/index.ts';
import { slaBadge } from '../sla.ts';
import { timelineTable } from './order.ts';
import { statusBadge } from './tickets.ts';

const ACTIONS = ['reship', 'refund', 'return_to_supplier', 'reject', 'reissue'] as const;

/** A photo as a link a person opens on purpose, never an image this page loads from a member's URL. */
function photoLinks(photos: string[], t: Translate): JSXNode {
  if (!photos.length) return h('span', null, t('ticket.noPhotos'));
  return h(
    'ul',
    { class: 'photos' },
    photos.map((url, i) => {
      const href = safeHref(url);
      return h('li', null, href ? h('a', { href, rel: 'noopener noreferrer nofollow', target: '_blank', 'hx-boost': 'false' }, t('ticket.photo', { n: i + 1 })) : h('span', { class: 'muted' }, url));
    }),
  );
}

/** What a history entry says, as text: its comment, note, assignee, decision or refund. */
function entryText(e: TicketHistoryEntry): string {
  const d = e.data as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of ['comment', 'note', 'reason'] as const) if (typeof d[k] === 'string') parts.push(d[k] as string);
  if (e.kind === 'assigned' && d.assignee) parts.push(`→ ${String(d.assignee)}`);
  const decision = d.decision as { action?: string; units?: number } | undefined;
  if (decision?.action) parts.push(`${decision.action} × ${decision.units ?? ''}`);
  const refund = d.refund as { points?: number; cashFen?: number } | undefined;
  if (refund?.points !== undefined) parts.push(`${refund.points} pts / ${yuan(refund.cashFen ?? 0)}`);
  return parts.length ? parts.join(' · ') : JSON.stringify(d).slice(0, 300);
}

function approvalPanel(x: TicketDetail, me: StaffSession, csrf: string, t: Translate): JSXNode | null {
  if (!x.approval) return null;
  const a = x.approval;
  const text = t('ticket.approvalPending', { points: int(a.refund.points), cash: yuan(a.refund.cashFen), units: a.units });
  if (me.role !== 'admin') return h('div', { class: 'notice notice-warn', role: 'status', 'data-approval': 'pending' }, text);
  const form = (action: 'approve' | 'decline', label: string, danger: boolean) =>
    h(
      'form',
      { method: 'post', action: `/console/tickets/${encodeURIComponent(x.ticketId)}/${action}`, class: 'inline-form' },
      csrfInput(csrf),
      hidden('expectedVersion', x.version),
      field(t('ticket.approvalNote'), input({ type: 'text', name: 'note', maxlength: 500 })),
      h('button', { type: 'submit', class: danger ? 'button danger' : 'button primary' }, label),
    );
  return h('div', { class: 'notice notice-warn', 'data-approval': 'pending' }, h('p', null, text, ' ', t('ticket.approvalAdmin')), h('div', { class: 'row' }, form('approve', t('ticket.approve'), false), form('decline', t('ticket.decline'), true)));
}

function actionForms(x: TicketDetail, me: StaffSession, csrf: string, t: Translate): JSXNode {
  const final = ['resolved', 'rejected', 'withdrawn'].includes(x.status);
  if (final) return h('p', { class: 'muted' }, t('ticket.closed'));
  const base = `/console/tickets/${encodeURIComponent(x.ticketId)}`;
  const assign = h(
    'form',
    { method: 'post', action: `${base}/assign`, class: 'stack', 'aria-label': t('ticket.assign') },
    csrfInput(csrf),
    hidden('expectedVersion', x.version),
    field(t('ticket.assignee'), input({ type: 'text', name: 'assignee', value: x.assignee ?? me.name, required: true, maxlength: 100 })),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'button' }, t('ticket.assign')), h('button', { type: 'submit', name: 'toMe', value: '1', class: 'button subtle' }, t('ticket.assignToMe'))),
  );
  const comment = h(
    'form',
    { method: 'post', action: `${base}/comment`, class: 'stack', 'aria-label': t('ticket.comment') },
    csrfInput(csrf),
    hidden('expectedVersion', x.version),
    field(t('ticket.commentText'), h('textarea', { name: 'text', rows: 3, required: true, maxlength: 2000 }), { wide: true }),
    checkbox('visibleToMall', t('ticket.visibleToMall'), false),
    h('button', { type: 'submit', class: 'button' }, t('ticket.comment')),
  );
  const resolve = x.approval
    ? null
    : h(
        'form',
        { method: 'post', action: `${base}/resolve`, class: 'stack', 'aria-label': t('ticket.resolve'), id: 'resolve-form' },
        csrfInput(csrf),
        hidden('expectedVersion', x.version),
        field(t('ticket.action'), select('action', ACTIONS.map((a) => [a, t(`action.${a}`)]), undefined, { required: true })),
        field(t('ticket.units'), input({ type: 'number', name: 'units', min: 1, max: x.quantity, value: x.quantity, required: true })),
        field(t('ticket.note'), input({ type: 'text', name: 'note', maxlength: 500 }), { wide: true }),
        field(t('ticket.reshipFrom'), input({ type: 'text', name: 'supplierId', maxlength: 64 })),
        h('button', { type: 'submit', class: 'button primary' }, t('ticket.submitResolve')),
      );
  return h('div', { class: 'columns' }, section(t('ticket.resolve'), resolve ?? h('p', { class: 'muted' }, t('waitingOn.approval'))), section(t('ticket.assign'), assign), section(t('ticket.comment'), comment));
}

/** One ticket: its claim and photos, the line, the actions staff may take, its history, and the order's timeline. */
export function ticketPage(t: Translate, x: TicketDetail, order: Order | null, titles: Map<string, string>, me: StaffSession, csrf: string, now: Date): JSXNode {
  const line = x.order.lines.find((l) => l.lineId === x.lineId);
  const res = x.resolution;
  const summary = facts([
    [t('col.status'), statusBadge(x.status, t)],
    [t('col.type'), t(`ticketType.${x.type}`)],
    [t('col.waitingOn'), x.waitingOn ? t(`waitingOn.${x.waitingOn}`) : t('common.none')],
    [t('col.sla'), slaBadge(x, now, t) ?? t('common.none')],
    [t('col.assignee'), x.assignee ?? t('common.none')],
    [t('col.order'), h('a', { href: `/console/orders/${encodeURIComponent(x.orderId)}` }, t('ticket.toOrder', { id: x.mallOrderId }))],
    [t('col.recipient'), x.order.recipient ? `${x.order.recipient.name} · ${x.order.recipient.phone}` : t('common.none')],
    [t('ticket.version'), String(x.version)],
  ]);
  const claim = facts([
    [t('ticket.reason'), h('span', { 'data-field': 'reason' }, x.reason)],
    [t('ticket.quantity'), String(x.quantity)],
    [t('ticket.line'), line ? h('span', null, h('span', { class: 'item-title', 'data-field': 'title' }, titles.get(line.skuId) ?? line.skuId), ` · ${line.skuId} · ${line.status} · ×${line.quantity}`) : x.lineId],
    [t('ticket.photos'), photoLinks(x.photos, t)],
  ]);
  const resolution: Child = res
    ? h('p', { class: 'notice notice-ok', 'data-resolution': res.action }, t('ticket.resolutionText', { action: t(`action.${res.action}`), units: res.units, points: int(res.refund?.points ?? 0), cash: yuan(res.refund?.cashFen ?? 0) }), res.note ? ` · ${res.note}` : '')
    : null;
  const history = table(
    [t('col.at'), t('col.actor'), t('col.kind'), '', t('col.details')],
    x.history.map((e) => [dateTime(e.at), `${e.actorType}${e.actorId ? ` ${e.actorId}` : ''}`, e.kind, e.visibleToMall ? badge('info', t('ticket.toMall')) : badge('muted', t('ticket.internal')), entryText(e)]),
    { id: 'ticket-history' },
  );
  return h(
    'div',
    null,
    approvalPanel(x, me, csrf, t),
    resolution,
    h('div', { class: 'columns' }, section(t('common.summary'), summary), section(t('ticket.claim'), claim)),
    actionForms(x, me, csrf, t),
    section(t('ticket.history'), history),
    order ? section(t('ticket.timeline'), timelineTable(order, t)) : null,
  );
}
