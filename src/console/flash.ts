import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { CONSOLE_PATH, FLASH_COOKIE, overTls } from './cookies.ts';

/*
 * The one-line outcome of an action, shown on the page the action redirects to (post, redirect,
 * get: reloading that page repeats nothing). Kept a minute in a cookie of its own rather than in
 * the URL, since an API's message may name an order or a person.
 */

export interface Flash {
  kind: 'ok' | 'warn' | 'error';
  text: string;
}

export function setFlash(c: Context, flash: Flash): void {
  const value = Buffer.from(JSON.stringify({ kind: flash.kind, text: flash.text.slice(0, 600) })).toString('base64url');
  setCookie(c, FLASH_COOKIE, value, { path: CONSOLE_PATH, httpOnly: true, sameSite: 'Strict', secure: overTls(c), maxAge: 60 });
}

/** The flash left for this page, once: it is cleared as it is read. */
export function takeFlash(c: Context): Flash | null {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return null;
  deleteCookie(c, FLASH_COOKIE, { path: CONSOLE_PATH, secure: overTls(c) });
  try {
    const f = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Flash>;
    return (f.kind === 'ok' || f.kind === 'warn' || f.kind === 'error') && typeof f.text === 'string' ? { kind: f.kind, text: f.text } : null;
  } catch {
    return null;
  }
}
