import type { AuditEntry, Page } from '../api-types.ts';
import { field, input, pager, table } from '../components.ts';
import { dateTime } from '../format.ts';
import { h, type JSXNode } from '../html.ts';
import type { Translate } from '../i18n/index.ts';

export interface AuditFilters {
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  mallId?: string;
}

/** What changed, as the entry recorded it (before → after), shown as text on demand. */
function change(e: AuditEntry): JSXNode {
  const text = JSON.stringify({ before: e.before ?? null, after: e.after ?? null }, null, 1);
  return h('details', null, h('summary', null, e.action), h('pre', { class: 'json' }, text.length > 4000 ? `${text.slice(0, 4000)}…` : text));
}

/** The audit log, newest first, with its filters. */
export function auditPage(t: Translate, q: AuditFilters, list: Page<AuditEntry>): JSXNode {
  const filters = h(
    'form',
    { method: 'get', action: '/console/audit', class: 'filters', role: 'search' },
    field(t('audit.actorId'), input({ type: 'text', name: 'actorId', value: q.actorId ?? '', maxlength: 100 })),
    field(t('audit.resourceType'), input({ type: 'text', name: 'resourceType', value: q.resourceType ?? '', maxlength: 100 })),
    field(t('audit.resourceId'), input({ type: 'text', name: 'resourceId', value: q.resourceId ?? '', maxlength: 100 })),
    field(t('col.mall'), input({ type: 'text', name: 'mallId', value: q.mallId ?? '', maxlength: 64 })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('common.filter'))),
  );
  const rows = list.items.map((e) => [dateTime(e.at), `${e.actorType} ${e.actorId}`, e.action, `${e.resourceType} ${e.resourceId}`, e.mallId ?? t('common.none'), h('span', { class: 'mono' }, e.requestId ?? ''), change(e)]);
  return h('div', null, filters, table([t('col.at'), t('col.actor'), t('col.action'), t('col.resource'), t('col.mall'), t('col.requestId'), t('col.change')], rows, { empty: t('audit.empty'), id: 'audit' }), pager('/console/audit', { ...q }, list.nextCursor, t));
}
