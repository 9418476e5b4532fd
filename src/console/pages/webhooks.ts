import type { DeliveryStatus, Mall, Page, StaffSession, WebhookDelivery, WebhookHealth } from '../api-types.ts';
import { badge, facts, field, input, pager, postButton, section, select, table } from '../components.ts';
import { dateTime } from '../format.ts';
import { h, type JSXNode } from '../html.ts';
import type { Translate } from '../i18n/index.ts';

export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed', 'dead'];
export interface DeliveryFilters {
  mallId?: string;
  status?: string;
  orderId?: string;
}

function healthPanel(t: Translate, mall: Mall | undefined, health: WebhookHealth, me: StaffSession, csrf: string): JSXNode {
  const base = `/console/malls/${encodeURIComponent(health.mallId)}`;
  return section(
    t('webhooks.health', { mall: mall?.name ?? health.mallId }),
    facts([
      [t('col.status'), health.enabled ? badge('ok', t('webhooks.enabled'), { 'data-endpoint': 'enabled' }) : badge('bad', t('webhooks.disabled', { reason: health.disabledReason ?? '' }), { 'data-endpoint': 'disabled' })],
      [t('col.webhook'), mall?.webhookUrl ?? '—'],
      [t('col.attempts'), t('webhooks.failures', { n: health.consecutiveFailures })],
      ['', health.failingSince ? t('webhooks.failingSince', { at: dateTime(health.failingSince) }) : t('webhooks.lastSuccess', { at: dateTime(health.lastSuccessAt) })],
      ['', t('webhooks.backlog', { pending: health.pending, failed: health.failed, dead: health.dead })],
    ]),
    me.role === 'admin'
      ? h('div', { class: 'row' }, health.enabled ? null : postButton(`${base}/webhook/enable`, t('webhooks.enable'), csrf), postButton(`${base}/webhook/replay-failed`, t('webhooks.replayFailed'), csrf))
      : null,
  );
}

/** Deliveries of events to malls, filtered; a mall's endpoint health when one mall is chosen. */
export function webhooksPage(t: Translate, q: DeliveryFilters, malls: Mall[], list: Page<WebhookDelivery>, health: WebhookHealth | null, me: StaffSession, csrf: string): JSXNode {
  const filters = h(
    'form',
    { method: 'get', action: '/console/webhooks', class: 'filters', role: 'search' },
    field(t('col.mall'), select('mallId', malls.map((m) => [m.mallId, m.name]), q.mallId, { any: t('common.any') })),
    field(t('col.status'), select('status', DELIVERY_STATUSES.map((s) => [s, t(`deliveryStatus.${s}`)]), q.status, { any: t('common.any') })),
    field(t('webhooks.order'), input({ type: 'text', name: 'orderId', value: q.orderId ?? '', maxlength: 64 })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('common.filter'))),
  );
  const rows = list.items.map((d) => [
    h('span', { class: 'mono' }, d.id),
    d.type,
    d.orderId ? h('a', { href: `/console/orders/${encodeURIComponent(d.orderId)}` }, d.orderId) : t('common.none'),
    badge(d.status === 'delivered' ? 'ok' : d.status === 'pending' ? 'info' : 'bad', t(`deliveryStatus.${d.status}`), { 'data-delivery-status': d.status }),
    String(d.attempts),
    d.lastStatus !== null ? String(d.lastStatus) : (d.lastError ?? t('common.none')),
    dateTime(d.nextAttemptAt),
    dateTime(d.createdAt),
    me.role === 'admin' && d.status !== 'pending' ? postButton(`/console/webhooks/${encodeURIComponent(d.id)}/replay`, t('webhooks.replay'), csrf) : t('common.none'),
  ]);
  return h(
    'div',
    null,
    filters,
    health ? healthPanel(t, malls.find((m) => m.mallId === health.mallId), health, me, csrf) : null,
    table([t('col.delivery'), t('col.event'), t('col.order'), t('col.status'), t('col.attempts'), t('col.lastStatus'), t('col.nextAttempt'), t('col.created'), t('col.actions')], rows, { empty: t('webhooks.empty'), id: 'deliveries' }),
    pager('/console/webhooks', { ...q }, list.nextCursor, t),
  );
}
