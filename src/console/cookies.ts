import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/*
 * The console's cookies. The session cookie holds the session credential (POST /admin/sessions),
 * never the staff token: HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it), Path=/console, Secure whenever the request came over TLS, and a Max-Age that ends with
 * the session. An admin gets the same credential once more for the queue dashboard, whose pages
 * live under /admin/queues (a cookie's path cannot cover both).
 */

export const SESSION_COOKIE = 'rh_console';
export const QUEUES_COOKIE = 'rh_queues';
export const LANG_COOKIE = 'lang';
export const FLASH_COOKIE = 'rh_flash';
export const CONSOLE_PATH = '/console';
export const QUEUES_PATH = '/admin/queues';

/** Whether the browser reached the hub over TLS: the URL itself, or the proxy in front saying so. */
export function overTls(c: Context): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

const base = (c: Context, path: string, maxAge: number) => ({ path, httpOnly: true, sameSite: 'Strict' as const, secure: overTls(c), maxAge });

/** The session cookie (and, for an admin, the queue dashboard's), for the seconds the session has left. */
export function setSessionCookies(c: Context, credential: string, maxAgeSeconds: number, admin: boolean): void {
  setCookie(c, SESSION_COOKIE, credential, base(c, CONSOLE_PATH, maxAgeSeconds));
  if (admin) setCookie(c, QUEUES_COOKIE, credential, base(c, QUEUES_PATH, maxAgeSeconds));
}

/** Both session cookies gone (sign-out, or a session the API no longer accepts). */
export function clearSessionCookies(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, base(c, CONSOLE_PATH, 0));
  deleteCookie(c, QUEUES_COOKIE, base(c, QUEUES_PATH, 0));
}

export const sessionCredential = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE) || undefined;

/** The language chosen with the toggle link: a year, readable by the pages only. */
export function setLangCookie(c: Context, lang: string): void {
  setCookie(c, LANG_COOKIE, lang, base(c, CONSOLE_PATH, 365 * 86_400));
}
