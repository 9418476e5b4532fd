import { CSRF_FIELD } from './csrf.ts';
import type { Flash } from './flash.ts';
import { type Child, h, type JSXNode, type Props } from './html.ts';
import type { Translate } from './i18n/index.ts';
import { queryString } from './admin-client.ts';

/*
 * The console's building blocks: real links, buttons and labels (so the keyboard and a screen
 * reader work without any script), tables with headers, and forms that carry the CSRF token.
 */

/** A labelled control: the label wraps it, so a click or a screen reader ties them together. */
export function field(label: string, control: JSXNode, opts: { hint?: string; wide?: boolean } = {}): JSXNode {
  return h('label', { class: opts.wide ? 'field field-wide' : 'field' }, h('span', { class: 'field-label' }, label), control, opts.hint ? h('small', { class: 'hint' }, opts.hint) : null);
}

export const input = (props: Props): JSXNode => h('input', props);
export const hidden = (name: string, value: string | number): JSXNode => h('input', { type: 'hidden', name, value: String(value) });
export const csrfInput = (csrf: string): JSXNode => hidden(CSRF_FIELD, csrf);

/** A checkbox with its label after it. */
export function checkbox(name: string, label: string, checked: boolean, value = '1'): JSXNode {
  return h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value, checked }), h('span', null, label));
}

/** A `<select>`: `[value, label]` options, the current one selected; `any` adds an empty first option. */
export function select(name: string, options: [string, string][], selected: string | undefined, opts: { any?: string; required?: boolean } = {}): JSXNode {
  return h(
    'select',
    { name, required: opts.required },
    opts.any !== undefined ? h('option', { value: '' }, opts.any) : null,
    options.map(([value, label]) => h('option', { value, selected: value === selected }, label)),
  );
}

/** A table with a header row; `rows` empty → one row saying `empty`. */
export function table(headers: string[], rows: Child[][], opts: { empty?: string; caption?: string; className?: string; id?: string } = {}): JSXNode {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: opts.className ?? 'grid', id: opts.id },
      opts.caption ? h('caption', null, opts.caption) : null,
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.length ? rows.map((cells) => h('tr', null, cells.map((cell) => h('td', null, cell)))) : h('tr', null, h('td', { colspan: headers.length, class: 'empty' }, opts.empty ?? '—'))),
    ),
  );
}

export type BadgeTone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';
export const badge = (tone: BadgeTone, text: string, extra: Props = {}): JSXNode => h('span', { class: `badge badge-${tone}`, ...extra }, text);

/** The flash of the last action: a status (read out politely) or an alert. */
export function notice(flash: Flash | null): JSXNode | null {
  if (!flash) return null;
  return h('div', { class: `notice notice-${flash.kind}`, role: flash.kind === 'error' ? 'alert' : 'status', 'data-notice': flash.kind }, flash.text);
}

/** A one-button form posting to `action` with the CSRF token and `fields`. */
export function postButton(action: string, label: string, csrf: string, fields: Record<string, string | number> = {}, opts: { danger?: boolean; testId?: string } = {}): JSXNode {
  return h(
    'form',
    { method: 'post', action, class: 'inline-form' },
    csrfInput(csrf),
    Object.entries(fields).map(([k, v]) => hidden(k, v)),
    h('button', { type: 'submit', class: opts.danger ? 'button danger' : 'button', 'data-testid': opts.testId }, label),
  );
}

/** A link to the next page of a list, with the same filters. */
export function pager(path: string, query: Record<string, string | undefined>, nextCursor: string | null, t: Translate): JSXNode | null {
  if (!nextCursor) return null;
  return h('p', { class: 'pager' }, h('a', { href: path + queryString({ ...query, cursor: nextCursor }) }, `${t('common.next')} →`));
}

/** A section with a heading. */
export function section(title: string, ...children: Child[]): JSXNode {
  return h('section', { class: 'panel' }, h('h2', null, title), ...children);
}

/** A definition list of label → value pairs. */
export function facts(pairs: [string, Child][]): JSXNode {
  return h('dl', { class: 'facts' }, pairs.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}
