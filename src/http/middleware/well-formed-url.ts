import type { MiddlewareHandler } from 'hono';
import { type FieldIssue, validationFailed } from '../../domain/errors.ts';
import type { HubEnv } from '../context.ts';
import { printable, unstorableReason } from '../storable-input.ts';

const strictDecode = (s: string): string | null => {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
};

/** At most this many issues are reported: a hostile query string can hold thousands. */
const MAX_ISSUES = 20;

/**
 * Problems with the percent-encoding of a URL's path and query: a `%` not followed by two hex
 * digits or bytes that are not UTF-8 (`%zz`, `%E0%A4%A`), and NUL in any query key or value (a
 * NUL in a path parameter is named by the validation hook; elsewhere in the path no route matches).
 */
export function urlIssues(pathname: string, search: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (pathname.split('/').some((segment) => strictDecode(segment) === null)) {
    issues.push({ path: 'path', message: 'the path is not valid percent-encoded UTF-8', code: 'invalid_encoding' });
  }
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (issues.length >= MAX_ISSUES) break;
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = (eq === -1 ? pair : pair.slice(0, eq)).replaceAll('+', ' ');
    const key = strictDecode(rawKey);
    const value = eq === -1 ? '' : strictDecode(pair.slice(eq + 1).replaceAll('+', ' '));
    const field = `query.${printable(key ?? rawKey)}`;
    if (key === null || value === null) issues.push({ path: field, message: 'not valid percent-encoded UTF-8', code: 'invalid_encoding' });
    else {
      const reason = unstorableReason(key) ?? unstorableReason(value);
      if (reason) issues.push({ path: field, message: reason, code: 'invalid_characters' });
    }
  }
  return issues;
}

/**
 * Refuses, with 400 `validation_failed`, a URL whose percent-encoding is broken or decodes to NUL.
 * Hono decodes leniently (a broken `%` stays as it is), so without this such input reaches
 * handlers and PostgreSQL. Only URLs with a `%` are looked at: the common case costs one scan.
 */
export function wellFormedUrl(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const raw = c.req.url;
    if (raw.includes('%')) {
      const url = new URL(raw);
      const issues = urlIssues(url.pathname, url.search);
      if (issues.length > 0) throw validationFailed(issues, 'the request URL is not well-formed');
    }
    await next();
  };
}
