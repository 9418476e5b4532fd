import type { Mall, Page } from '../api-types.ts';
import { badge, checkbox, csrfInput, facts, field, input, pager, section, select, table } from '../components.ts';
import { dateTime } from '../format.ts';
import { h, type JSXNode } from '../html.ts';
import type { Translate } from '../i18n/index.ts';

const KINDS = ['physical', 'virtual', 'service'] as const;

/** Malls with a link to each one's settings, and the form that creates one. */
export function mallsPage(t: Translate, list: Page<Mall>, csrf: string): JSXNode {
  const rows = list.items.map((m) => [
    h('a', { href: `/console/malls/${encodeURIComponent(m.mallId)}`, 'data-mall': m.mallId }, m.name),
    h('span', { class: 'mono' }, m.mallId),
    badge(m.status === 'active' ? 'ok' : 'muted', t(`mallStatus.${m.status}`)),
    m.webhookUrl,
    m.webhookEnabled ? t('common.yes') : t('common.no'),
    t('mall.pricingState', { state: m.pricingStatus.state, version: m.pricingStatus.version }),
    dateTime(m.createdAt),
  ]);
  const create = h(
    'form',
    { method: 'post', action: '/console/malls', class: 'filters', 'aria-label': t('malls.create') },
    csrfInput(csrf),
    field(t('mall.name'), input({ type: 'text', name: 'name', required: true, maxlength: 200 })),
    field(t('mall.webhookUrl'), input({ type: 'url', name: 'webhookUrl', required: true, maxlength: 2000, placeholder: 'https://' })),
    field(t('mall.pointsPerYuan'), input({ type: 'number', name: 'pointsPerYuan', min: 1, value: 100 })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('malls.create'))),
  );
  return h(
    'div',
    null,
    table([t('col.name'), 'ID', t('col.status'), t('col.webhook'), t('mall.webhookEnabled'), t('col.pricing'), t('col.created')], rows, { empty: t('malls.empty'), id: 'malls' }),
    pager('/console/malls', {}, list.nextCursor, t),
    section(t('malls.create'), create),
  );
}

const num = (name: string, label: string, value: number | undefined, min = 0) => field(label, input({ type: 'number', name, min, value: value ?? '' }));

/** One mall's settings (PATCH /admin/malls/{id}): name, webhook, points rate, status, pricing overrides, catalog selection; and its key and secret rotations. */
export function mallPage(t: Translate, m: Mall, csrf: string): JSXNode {
  const p = m.pricing as Record<string, number | undefined>;
  const s = m.catalogSelection;
  const base = `/console/malls/${encodeURIComponent(m.mallId)}`;
  const settings = h(
    'form',
    { method: 'post', action: base, class: 'stack', id: 'mall-settings' },
    csrfInput(csrf),
    h(
      'fieldset',
      null,
      h('legend', null, t('mall.title', { name: m.name })),
      field(t('mall.name'), input({ type: 'text', name: 'name', value: m.name, required: true, maxlength: 200 })),
      field(t('mall.webhookUrl'), input({ type: 'url', name: 'webhookUrl', value: m.webhookUrl, required: true, maxlength: 2000 }), { wide: true }),
      field(t('mall.pointsPerYuan'), input({ type: 'number', name: 'pointsPerYuan', value: m.pointsPerYuan, min: 1 })),
      field(t('mall.status'), select('status', [['active', t('mallStatus.active')], ['suspended', t('mallStatus.suspended')]], m.status)),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, t('mall.pricing')),
      num('markupBp', t('mall.markupBp'), p.markupBp),
      num('step', t('mall.step'), p.step, 1),
      num('floorFromPoints', t('mall.floorFromPoints'), p.floorFromPoints),
      num('floorMaxCostBp', t('mall.floorMaxCostBp'), p.floorMaxCostBp, 1),
      num('cashShareBp', t('mall.cashShareBp'), p.cashShareBp),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, t('mall.selection')),
      h('div', { class: 'checks', role: 'group', 'aria-label': t('mall.kinds') }, h('span', { class: 'field-label' }, t('mall.kinds')), KINDS.map((k) => checkbox('kinds', t(`kind.${k}`), s.kinds?.includes(k) ?? false, k))),
      field(t('mall.categories'), input({ type: 'text', name: 'categories', value: (s.categories ?? []).join(', ') }), { wide: true }),
      field(t('mall.brands'), input({ type: 'text', name: 'brands', value: (s.brands ?? []).join(', ') }), { wide: true }),
      num('pointsMin', t('mall.pointsMin'), s.pointsMin),
      num('pointsMax', t('mall.pointsMax'), s.pointsMax),
    ),
    h('button', { type: 'submit', class: 'button primary' }, t('mall.save')),
  );
  const rotations = h(
    'div',
    { class: 'row' },
    h('form', { method: 'post', action: `${base}/rotate-key`, class: 'inline-form' }, csrfInput(csrf), field(t('mall.graceSeconds'), input({ type: 'number', name: 'graceSeconds', min: 0, value: 86400 })), h('button', { type: 'submit', class: 'button danger' }, t('mall.rotateKey'))),
    h('form', { method: 'post', action: `${base}/rotate-secret`, class: 'inline-form' }, csrfInput(csrf), h('button', { type: 'submit', class: 'button danger' }, t('mall.rotateSecret'))),
  );
  return h(
    'div',
    null,
    section(t('mall.pricing'), facts([[t('col.pricing'), t('mall.pricingState', { state: m.pricingStatus.state, version: m.pricingStatus.version })], [t('col.created'), dateTime(m.createdAt)]])),
    settings,
    section(t('mall.rotateKey'), rotations),
  );
}

/** Secrets the API shows once: shown here once too (the page is never cached, and no URL carries them). */
export function secretsPage(t: Translate, mallId: string, secrets: [string, string][]): JSXNode {
  return h(
    'div',
    null,
    h('p', { class: 'notice notice-warn', role: 'alert' }, t('mall.secretOnce')),
    facts(secrets.map(([label, value]) => [label, h('code', { class: 'secret', 'data-secret': label }, value)])),
    h('p', null, h('a', { href: `/console/malls/${encodeURIComponent(mallId)}` }, t('mall.title', { name: mallId }))),
  );
}
