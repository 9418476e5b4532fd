import type { MiddlewareHandler } from 'hono';
import { AdminClient } from './admin-client.ts';
import type { StaffSession } from './api-types.ts';
import { clearSessionCookies, sessionCredential } from './cookies.ts';
import { csrfToken } from './csrf.ts';
import type { ConsoleEnv, ConsoleOptions } from './env.ts';
import { setFlash } from './flash.ts';

/*
 * Every console page but sign-in and the assets needs a session the API still accepts. The
 * cookie's credential is checked the way any client's is: GET /admin/sessions/current with it as
 * the bearer (401 once it expired, was ended, or its staff token was revoked). Without one the
 * browser goes to the sign-in page, and a cookie the API refused is cleared.
 */

export function requireSession(opts: ConsoleOptions): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const credential = sessionCredential(c);
    if (!credential) return c.redirect('/console/sign-in', 303);
    const api = new AdminClient(opts.fetch, credential, c.get('requestId'));
    const me = await api.get<StaffSession>('/admin/sessions/current');
    if (!me.ok) {
      if (me.status === 401 || me.status === 409) {
        clearSessionCookies(c);
        setFlash(c, { kind: 'error', text: c.get('t')('signIn.ended') });
        return c.redirect('/console/sign-in', 303);
      }
      throw new Error(`GET /admin/sessions/current answered ${me.status}: ${me.error.code}`);
    }
    c.set('signed', { me: me.data, api, csrf: csrfToken(opts.csrfKey, credential) });
    await next();
  };
}
