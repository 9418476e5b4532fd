import { AppError, type FieldIssue } from '../domain/errors.ts';

/**
 * Input PostgreSQL cannot store. It refuses the NUL character in text and jsonb (SQLSTATE 22021
 * and 22P05), and a lone UTF-16 surrogate is not Unicode: jsonb rejects its `\ud800` escape and
 * text silently turns it into U+FFFD. Such strings are refused at the edge, naming the field.
 */
export function unstorableReason(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (!s.isWellFormed()) return 'must be well-formed Unicode (no lone surrogates)';
  return null;
}

/** At most this many issues are reported: a hostile body can hold thousands of bad strings. */
const MAX_ISSUES = 20;

/**
 * Every string (value or object key) in `value` that PostgreSQL cannot store, as `validation_failed`
 * field issues under `root` (`body`, `query`, `path`, `header`). Walks with an explicit stack, so
 * a deeply nested body cannot overflow the call stack.
 */
export function unstorableIssues(value: unknown, root: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      const reason = unstorableReason(v);
      if (reason) issues.push({ path, message: reason, code: 'invalid_characters' });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}.${i}`]);
    } else if (v !== null && typeof v === 'object') {
      // Reversed onto the stack, so issues come out in document order.
      for (const key of Object.keys(v).reverse()) {
        const reason = unstorableReason(key);
        if (reason) issues.push({ path: `${path}.${printable(key)}`, message: `key ${reason}`, code: 'invalid_characters' });
        stack.push([(v as Record<string, unknown>)[key], `${path}.${printable(key)}`]);
      }
    }
  }
  return issues;
}

/** A key as it may appear in an issue path: bounded, control characters escaped, lone surrogates replaced. */
export function printable(key: string): string {
  const short = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  let out = '';
  for (const ch of short.toWellFormed()) {
    const n = ch.charCodeAt(0);
    out += n < 0x20 || n === 0x7f ? `\\u${n.toString(16).padStart(4, '0')}` : ch;
  }
  return out;
}

/**
 * The SQLSTATE of a PostgreSQL error raised by text it cannot store, or null: 22021 (a NUL or an
 * invalid byte sequence in a parameter), 22P05 (a `\u0000` escape in jsonb), and 08P01 at ERROR
 * level (MikroORM inlines parameters into the query text, and a NUL there breaks the message).
 * Only reachable when input bypassed the edge checks (e.g. inside an opaque cursor): bad input,
 * not a bug, but worth a warning.
 */
export function unstorableTextSqlState(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const { code, severity } = e as Error & { code?: unknown; severity?: unknown };
    if (code === '22021' || code === '22P05' || (code === '08P01' && severity === 'ERROR')) return code;
  }
  return null;
}

/** A 400 for input PostgreSQL refused as unstorable: the field is unknown by then. */
export class UnstorableInputError extends AppError {
  readonly sqlState: string;

  constructor(sqlState: string, cause: unknown) {
    super('validation_failed', 'the request holds characters that cannot be stored', {
      details: { fields: [{ path: 'request', message: 'contains characters the database cannot store (NUL)', code: 'invalid_characters' }] },
      cause,
    });
    this.name = 'UnstorableInputError';
    this.sqlState = sqlState;
  }
}
