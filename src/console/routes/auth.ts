import type { Context } from 'hono';
import { AdminClient, readResult } from '../admin-client.ts';
import type { CreatedSession } from '../api-types.ts';
import { field, input } from '../components.ts';
import { clearSessionCookies, sessionCredential, setLangCookie, setSessionCookies } from '../cookies.ts';
import { csrfToken, CSRF_FIELD, sameOrigin, tokenMatches } from '../csrf.ts';
import type { ConsoleApp, ConsoleEnv, ConsoleOptions } from '../env.ts';
import { setFlash } from '../flash.ts';
import { h } from '../html.ts';
import { page } from '../layout.ts';
import { forbiddenPage } from '../responses.ts';

/*
 * Sign-in, sign-out and the language toggle: the pages that need no session. Signing in trades the
 * staff token for a session (POST /admin/sessions with the token as the bearer); the token itself
 * is never stored, logged or put in a URL (the form posts it in the body). Signing out ends the
 * session at the API (DELETE /admin/sessions/current), so the cookie is worthless even if kept.
 */

function signInPage(c: Context<ConsoleEnv>, opts: ConsoleOptions, status: 200 | 401 | 403 = 200, error?: string): Response {
  const t = c.get('t');
  return page(c, {
    title: t('signIn.title'),
    signed: null,
    status,
    body: h(
      'form',
      { method: 'post', action: '/console/sign-in', class: 'sign-in', 'hx-boost': 'false', autocomplete: 'off' },
      error ? h('p', { class: 'notice notice-error', role: 'alert' }, error) : null,
      h('p', { class: 'hint' }, t('signIn.hint', { hours: Math.round(opts.sessionMs / 3600_000) })),
      field(t('signIn.token'), input({ type: 'password', name: 'token', required: true, autocomplete: 'off', spellcheck: 'false', autofocus: true, maxlength: 200 })),
      h('button', { type: 'submit', class: 'button primary' }, t('signIn.submit')),
    ),
  });
}

/** Only a path of the console itself, so the toggle cannot be made to send anyone elsewhere. */
function localBack(back: string | undefined): string {
  return back && /^\/console(\/|\?|$)/.test(back) && !back.startsWith('//') ? back : '/console/tickets';
}

export function registerAuthRoutes(app: ConsoleApp, opts: ConsoleOptions): void {
  app.get('/', (c) => c.redirect(sessionCredential(c) ? '/console/tickets' : '/console/sign-in', 303));

  app.get('/lang', (c) => {
    setLangCookie(c, c.req.query('to') === 'en' ? 'en' : 'zh');
    return c.redirect(localBack(c.req.query('back')), 303);
  });

  app.get('/sign-in', (c) => signInPage(c, opts));

  app.post('/sign-in', async (c) => {
    if (!sameOrigin(c, opts.publicUrl)) return forbiddenPage(c);
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    if (!token || token.length > 200 || /\s/.test(token)) return signInPage(c, opts, 401, c.get('t')('signIn.invalid'));
    const res = await opts.fetch('/admin/sessions', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-request-id': c.get('requestId') } });
    const created = await readResult<CreatedSession>(res);
    if (!created.ok) return signInPage(c, opts, 401, c.get('t')('signIn.invalid'));
    const seconds = Math.max(60, Math.floor((new Date(created.data.expiresAt).getTime() - opts.now().getTime()) / 1000));
    setSessionCookies(c, created.data.token, seconds, created.data.role === 'admin');
    return c.redirect('/console/tickets', 303);
  });

  app.post('/sign-out', async (c) => {
    const credential = sessionCredential(c);
    if (credential) {
      // The session's own CSRF token and origin: a page elsewhere cannot sign anyone out.
      const form = await c.req.parseBody();
      const given = typeof form[CSRF_FIELD] === 'string' ? (form[CSRF_FIELD] as string) : c.req.header('x-csrf-token');
      if (!sameOrigin(c, opts.publicUrl) || !tokenMatches(csrfToken(opts.csrfKey, credential), given)) return forbiddenPage(c);
      await new AdminClient(opts.fetch, credential, c.get('requestId')).delete('/admin/sessions/current');
    }
    clearSessionCookies(c);
    setFlash(c, { kind: 'ok', text: c.get('t')('signIn.signedOut') });
    return c.redirect('/console/sign-in', 303);
  });
}
