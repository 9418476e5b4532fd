import { randomUUID } from 'node:crypto';
import type { Mall, Order, OrderLine, OrderSummary, Page, StaffSession } from '../api-types.ts';
import { csrfInput, facts, field, hidden, input, pager, section, select, table } from '../components.ts';
import { dateTime, int, yuan } from '../format.ts';
import { h, type JSXNode } from '../html.ts';
import type { Translate } from '../i18n/index.ts';

export const SEARCH_FIELDS = ['mallOrderId', 'phoneTail', 'trackingNo', 'supplierOrderId'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** An order's merged timeline, oldest first, as the API gives it. */
export function timelineTable(order: Order, t: Translate): JSXNode {
  return table(
    [t('col.at'), t('col.source'), t('col.kind'), t('col.line'), t('col.summary')],
    order.timeline.map((e) => [dateTime(e.at), e.source, e.kind, e.lineId ?? '', e.summary]),
    { id: 'order-timeline', className: 'grid compact' },
  );
}

/** Order search: by one of the four keys, in every mall or one. */
export function orderSearch(t: Translate, q: { by?: string; q?: string; mallId?: string }, malls: Mall[], result: Page<OrderSummary> | null): JSXNode {
  const form = h(
    'form',
    { method: 'get', action: '/console/orders', class: 'filters', role: 'search' },
    field(t('orders.by'), select('by', SEARCH_FIELDS.map((f) => [f, t(`orders.by.${f}`)]), q.by ?? 'mallOrderId')),
    field(t('orders.query'), input({ type: 'search', name: 'q', value: q.q ?? '', required: true, maxlength: 64 })),
    field(t('col.mall'), select('mallId', malls.map((m) => [m.mallId, m.name]), q.mallId, { any: t('common.any') })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('orders.search'))),
  );
  if (!result) return h('div', null, form, h('p', { class: 'muted' }, t('orders.hint')));
  const mallName = new Map(malls.map((m) => [m.mallId, m.name]));
  const rows = result.items.map((o) => [
    h('a', { href: `/console/orders/${encodeURIComponent(o.orderId)}`, 'data-order': o.orderId }, o.orderId),
    o.mallOrderId,
    mallName.get(o.mallId) ?? o.mallId,
    o.status,
    o.recipient ? `${o.recipient.name} · ${o.recipient.phone}` : '—',
    o.lines.map((l) => `${l.lineId}: ${l.skuId} ×${l.quantity} (${l.status})`).join('; '),
    dateTime(o.createdAt),
  ]);
  return h(
    'div',
    null,
    form,
    table([t('col.order'), t('col.mallOrder'), t('col.mall'), t('col.status'), t('col.recipient'), t('col.lines'), t('col.created')], rows, { empty: t('orders.empty'), id: 'order-results' }),
    pager('/console/orders', { by: q.by, q: q.q, mallId: q.mallId }, result.nextCursor, t),
  );
}

function lineActions(order: Order, l: OrderLine, csrf: string, t: Translate): JSXNode {
  const base = `/console/orders/${encodeURIComponent(order.orderId)}`;
  const small = (action: string, label: string, ...fields: JSXNode[]) =>
    h('form', { method: 'post', action: `${base}/${action}`, class: 'line-action', 'data-action': action, 'data-line': l.lineId }, csrfInput(csrf), hidden('lineId', l.lineId), ...fields, h('button', { type: 'submit', class: action === 'refund' || action === 'cancel' ? 'button danger' : 'button' }, label));
  return h(
    'div',
    { class: 'line-actions' },
    small('retry', t('order.retry')),
    small('reroute', t('order.reroute'), field(t('order.supplier'), input({ type: 'text', name: 'supplierId', maxlength: 64, size: 10 })), field(t('order.reason'), input({ type: 'text', name: 'reason', maxlength: 200, size: 14 }))),
    small('cancel', t('order.cancel'), field(t('order.reason'), input({ type: 'text', name: 'reason', required: true, maxlength: 200, size: 14 }))),
    small(
      'refund',
      t('order.refund'),
      // A new id per form shown: the API keys a staff refund by its request id, so a form sent twice refunds once.
      hidden('requestId', randomUUID()),
      field(t('order.units'), input({ type: 'number', name: 'units', min: 1, max: l.quantity, value: 1, required: true, size: 4 })),
      field(t('order.reason'), input({ type: 'text', name: 'reason', required: true, maxlength: 200, size: 14 })),
    ),
  );
}

/** One order: who and what (masked for agents), its lines with their refunds and actions, and the timeline. */
export function orderPage(t: Translate, order: Order, titles: Map<string, string>, me: StaffSession, csrf: string): JSXNode {
  void me;
  const summary = facts([
    [t('col.mallOrder'), order.mallOrderId],
    [t('col.mall'), order.mallId],
    [t('col.status'), order.status],
    [t('col.recipient'), order.recipient ? `${order.recipient.name} · ${order.recipient.phone} · ${order.recipient.province}${order.recipient.city}${order.recipient.district} ${order.recipient.address}` : '—'],
    [t('col.created'), dateTime(order.createdAt)],
  ]);
  const rows = order.lines.map((l) => [
    l.lineId,
    h('span', { class: 'item-title', 'data-field': 'title' }, titles.get(l.skuId) ?? l.skuId),
    h('span', { class: 'mono' }, l.skuId),
    t(`kind.${l.kind}`),
    `${l.quantity}`,
    l.status,
    `${int(l.pointsPaid)} / ${yuan(l.cashPaidFen)}`,
    l.refunds.length
      ? h('ul', { class: 'refunds', 'data-refunds': l.lineId }, l.refunds.map((r) => h('li', { 'data-units': r.units, 'data-points': r.points }, t('order.refundRow', { units: r.units, points: int(r.points), cash: yuan(r.cashFen) }), r.reason ? ` · ${r.reason}` : '')))
      : t('order.noRefunds'),
    lineActions(order, l, csrf, t),
  ]);
  return h(
    'div',
    null,
    section(t('common.summary'), summary),
    section(t('order.lines'), table([t('col.line'), t('col.item'), t('col.sku'), t('col.itemKind'), t('col.qty'), t('col.status'), t('col.paid'), t('col.refunds'), t('col.actions')], rows, { id: 'order-lines' })),
    section(t('order.timeline'), timelineTable(order, t)),
  );
}
