import type { Context } from 'hono';
import { assetUrl } from './assets.ts';
import { notice } from './components.ts';
import { CSRF_HEADER } from './csrf.ts';
import type { ConsoleEnv, Signed } from './env.ts';
import { type Child, h, type JSXNode, renderDocument } from './html.ts';
import { htmlLang, type MessageKey, type Translate } from './i18n/index.ts';

/*
 * The page around every console page: the stylesheet and scripts (files served by the hub: no
 * inline script or style, as the CSP demands), the navigation, who is signed in, the language
 * toggle and sign-out, then the page itself in <main>.
 *
 * htmx: <body hx-boost> turns links and forms into requests that swap the body (the URL and
 * history follow), and `hx-headers` on <body> sends the session's CSRF token with each of them.
 * Its configuration (a meta tag it reads, not a script) keeps it within the CSP: no indicator
 * <style> of its own, no eval, and no page kept in localStorage (pages carry personal data).
 */

const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  selfRequestsOnly: true,
  // Error pages (a refused CSRF check, a 404) are shown like any other page.
  responseHandling: [
    { code: '204', swap: false },
    { code: '...', swap: true },
  ],
});

export type NavKey = 'tickets' | 'orders' | 'suppliers' | 'deadLetters' | 'webhooks' | 'audit' | 'malls' | 'board' | 'queues';

const NAV: { key: NavKey; href: string; label: MessageKey; adminOnly?: boolean; external?: boolean }[] = [
  { key: 'tickets', href: '/console/tickets', label: 'nav.tickets' },
  { key: 'orders', href: '/console/orders', label: 'nav.orders' },
  { key: 'suppliers', href: '/console/suppliers', label: 'nav.suppliers' },
  { key: 'deadLetters', href: '/console/dead-letters', label: 'nav.deadLetters' },
  { key: 'webhooks', href: '/console/webhooks', label: 'nav.webhooks' },
  { key: 'board', href: '/console/board', label: 'nav.board' },
  { key: 'audit', href: '/console/audit', label: 'nav.audit', adminOnly: true },
  { key: 'malls', href: '/console/malls', label: 'nav.malls', adminOnly: true },
  // The queue dashboard is bull-board's own page: a full navigation, outside the console.
  { key: 'queues', href: '/admin/queues', label: 'nav.queues', adminOnly: true, external: true },
];

function head(title: string, t: Translate): JSXNode {
  return h(
    'head',
    null,
    h('meta', { charset: 'utf-8' }),
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    h('meta', { name: 'htmx-config', content: HTMX_CONFIG }),
    h('title', null, `${title} · ${t('app.name')}`),
    h('link', { rel: 'stylesheet', href: assetUrl('console.css') }),
    h('link', { rel: 'stylesheet', href: assetUrl('uPlot.min.css') }),
    h('script', { src: assetUrl('htmx.min.js'), defer: true }),
    h('script', { src: assetUrl('uPlot.iife.min.js'), defer: true }),
    h('script', { src: assetUrl('console.js'), defer: true }),
  );
}

/** The path and query of this request, for the language toggle to come back to. */
function here(c: Context<ConsoleEnv>): string {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

function topbar(c: Context<ConsoleEnv>, signed: Signed | null, active: NavKey | undefined): JSXNode {
  const t = c.get('t');
  const lang = c.get('lang');
  const toggle = h('a', { class: 'lang-toggle', href: `/console/lang?to=${lang === 'en' ? 'zh' : 'en'}&back=${encodeURIComponent(here(c))}`, lang: lang === 'en' ? 'zh-CN' : 'en', 'aria-label': t('lang.switchLabel'), 'hx-boost': 'false' }, t('lang.switch'));
  if (!signed) return h('header', { class: 'topbar' }, h('span', { class: 'brand' }, t('app.name')), h('div', { class: 'user' }, toggle));
  const admin = signed.me.role === 'admin';
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '/console/tickets' }, t('app.name')),
    h(
      'nav',
      { 'aria-label': t('nav.label') },
      h(
        'ul',
        null,
        NAV.filter((n) => admin || !n.adminOnly).map((n) =>
          h('li', null, h('a', { href: n.href, 'aria-current': n.key === active ? 'page' : undefined, 'hx-boost': n.external ? 'false' : undefined }, t(n.label))),
        ),
      ),
    ),
    h(
      'div',
      { class: 'user' },
      h('span', { class: 'who', 'data-role': signed.me.role }, t('user.signedIn', { name: signed.me.name, role: t(`role.${signed.me.role}`) })),
      toggle,
      // A full navigation: the sign-in page must not inherit this page's boosted <body>.
      h('form', { method: 'post', action: '/console/sign-out', class: 'inline-form', 'hx-boost': 'false' }, h('input', { type: 'hidden', name: '_csrf', value: signed.csrf }), h('button', { type: 'submit', class: 'button subtle' }, t('user.signOut'))),
    ),
  );
}

/** A whole console page as a response (`status` for error pages). */
export function page(c: Context<ConsoleEnv>, opts: { title: string; body: Child; active?: NavKey; signed?: Signed | null; status?: 200 | 401 | 403 | 404 | 409 | 422 | 500 | 503 }): Response {
  const t = c.get('t');
  const signed = opts.signed === undefined ? (c.get('signed') ?? null) : opts.signed;
  const body = h(
    'body',
    signed ? { 'hx-boost': 'true', 'hx-headers': JSON.stringify({ [CSRF_HEADER]: signed.csrf }), 'data-role': signed.me.role } : {},
    h('a', { class: 'skip-link', href: '#main' }, t('app.skip')),
    topbar(c, signed, opts.active),
    h('main', { id: 'main', tabindex: '-1' }, notice(c.get('flash')), h('h1', null, opts.title), opts.body),
  );
  const doc = h('html', { lang: htmlLang(c.get('lang')) }, head(opts.title, t), body);
  return c.html(renderDocument(doc), opts.status ?? 200);
}
