import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { overTls } from './cookies.ts';

/*
 * Cross-site request forgery. Every state change the console takes (a POST) must carry the
 * session's CSRF token, in the form's hidden `_csrf` field or in the `X-CSRF-Token` header htmx
 * sends from `hx-headers` on <body>, and must come from the console's own origin (Origin, or
 * Referer when a browser sends no Origin). The token is an HMAC of the session credential under a
 * key of the hub's: one per session, nothing stored, worthless without the cookie it goes with.
 */

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

/** The CSRF token of a session, under a key of its own derived from the hub's (`key`: HUB_TOKEN_PEPPER). */
export function csrfToken(key: string, credential: string): string {
  const own = createHmac('sha256', key).update('redemption-hub console csrf').digest();
  return createHmac('sha256', own).update(credential).digest('base64url');
}

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The origin this request was made to, as the browser saw it (scheme from the proxy when there is one). */
function ownOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const host = c.req.header('host') ?? url.host;
  return `${overTls(c) ? 'https' : 'http'}://${host}`;
}

function originOf(value: string | undefined): string | null {
  if (!value || value === 'null') return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/** Whether a state-changing request came from a page of the console itself: its own origin or the hub's public URL. */
export function sameOrigin(c: Context, publicUrl: string): boolean {
  const from = originOf(c.req.header('origin')) ?? originOf(c.req.header('referer'));
  if (!from) return false;
  return from === ownOrigin(c) || from === originOf(publicUrl);
}
