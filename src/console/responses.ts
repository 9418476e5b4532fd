import type { Context } from 'hono';
import type { ApiResult } from './admin-client.ts';
import type { ConsoleEnv } from './env.ts';
import { setFlash } from './flash.ts';
import { yuan } from './format.ts';
import { h } from './html.ts';
import type { Translate } from './i18n/index.ts';
import { page } from './layout.ts';

/*
 * How the console answers: an action redirects (303) to the page it came from with a flash of its
 * outcome; an API refusal is told in the person's language, with the API's own message where it
 * says more (an agent's refund above the limit names the limit and that an admin must act).
 */

type Refusal = Extract<ApiResult<unknown>, { ok: false }>;

/** The words for an API refusal. */
export function refusalText(t: Translate, r: Refusal): string {
  const details = (r.error.details ?? {}) as { requiredRole?: string; refund?: { points: number; cashFen: number }; limit?: { points: number; cashFen: number } };
  if (r.status === 403 && details.requiredRole === 'admin' && details.refund && details.limit) {
    return t('error.refundLimit', { points: details.refund.points, cash: yuan(details.refund.cashFen), limitPoints: details.limit.points, limitCash: yuan(details.limit.cashFen) });
  }
  if (r.status === 403) return t('error.forbidden');
  if (r.status === 404) return t('error.notFound', { what: r.error.message });
  if (r.status === 409) return t('error.conflict', { message: r.error.message });
  if (r.status === 422) return t('error.notEligible', { message: r.error.message });
  if (r.status === 400) return t('error.validation', { message: r.error.message });
  if (r.status === 503) return t('error.unavailable');
  return t('error.failed', { status: r.status, message: r.error.message });
}

/** Back to `to` with the outcome of an action. */
export function after(c: Context<ConsoleEnv>, to: string, outcome: { ok: string } | { warn: string } | { error: string }): Response {
  setFlash(c, 'ok' in outcome ? { kind: 'ok', text: outcome.ok } : 'warn' in outcome ? { kind: 'warn', text: outcome.warn } : { kind: 'error', text: outcome.error });
  return c.redirect(to, 303);
}

/** Back to `to` with the words for an API refusal. */
export const refused = (c: Context<ConsoleEnv>, to: string, r: Refusal): Response => after(c, to, { error: refusalText(c.get('t'), r) });

/** A page the API would not fill: its title and why. */
export function refusalPage(c: Context<ConsoleEnv>, title: string, r: Refusal): Response {
  const status = ([401, 403, 404, 409, 422, 503] as const).find((s) => s === r.status) ?? 500;
  return page(c, { title, status: status === 401 ? 403 : status, body: h('p', { class: 'notice notice-error', role: 'alert' }, refusalText(c.get('t'), r)) });
}

/** 403 for a state change without the session's CSRF token or from another origin. */
export function forbiddenPage(c: Context<ConsoleEnv>): Response {
  const t = c.get('t');
  return page(c, { title: t('error.forbidden'), status: 403, signed: null, body: h('p', { class: 'notice notice-error', role: 'alert' }, t('error.csrf')) });
}
