import { SupplierError } from '../../connectors/errors.ts';
import { AppError } from '../domain/errors.ts';

/**
 * Retry-After (ms) told to a caller when a dependency is down: long enough for a pool to
 * reconnect or a supplier breaker to half-open, short enough that a mall's retry is not idle long.
 */
export const DEPENDENCY_RETRY_AFTER_MS = 5_000;

export type Dependency = 'postgres' | 'redis' | 'supplier' | 'network';

/** What went down and a short, secret-free reason (an error code or SQLSTATE, never a message). */
export interface DependencyFailure {
  dependency: Dependency;
  reason: string;
  /** host:port of a socket that failed, so operators can tell which dependency a bare socket error came from. */
  target?: string;
  retryAfterMs: number;
}

/** A 503 `unavailable` raised for a dependency failure; `failure` is what onError logs. */
export class DependencyUnavailableError extends AppError {
  readonly failure: DependencyFailure;

  constructor(failure: DependencyFailure, cause: unknown) {
    super('unavailable', `a dependency (${failure.dependency}) is unavailable; retry later`, {
      details: { dependency: failure.dependency },
      retryAfterMs: failure.retryAfterMs,
      cause,
    });
    this.name = 'DependencyUnavailableError';
    this.failure = failure;
  }
}

// Socket errors of a dependency that cannot be reached or dropped the connection.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * PostgreSQL SQLSTATEs that say "the server cannot serve you now", not "your query is wrong":
 * 08xxx connection exceptions, 57P01-57P03 admin/crash shutdown and cannot-connect-now, 53300
 * too many connections, 3D000 the database is gone (dropped or not yet restored). Not 08P01, a
 * protocol violation: that is what a NUL inside a query MikroORM inlined its parameters into
 * gets (see storable-input.ts), input or a bug, never an outage. Also the transient ones a
 * repeat of the same request gets past: 40001 serialization failure, 40P01 deadlock, 55P03 lock
 * not available, 57014 statement timeout (the database too busy to answer in time).
 */
const PG_UNAVAILABLE = /^(08(?!P01)[0-9A-Z]{3}|57P0[123]|53300|3D000|40001|40P01|55P03|57014)$/;

// node-postgres and pg-pool raise these without a SQLSTATE when a connection dies or cannot be had.
const PG_MESSAGES: [RegExp, string][] = [
  [/^Connection terminated/, 'connection terminated'],
  [/timeout exceeded when trying to connect/, 'pool acquire timeout'],
  [/Client has encountered a connection error and is not queryable/, 'connection error'],
  [/Cannot use a pool after calling end on the pool/, 'pool closed'],
  // SQLSTATE 55000 is generic; with this text it is a database closed to connections (ALLOW_CONNECTIONS false).
  [/is not currently accepting connections/, 'database not accepting connections'],
];

// ioredis: a command on a closed connection, one that ran out of retries, or one that timed out.
const REDIS_MESSAGES: [RegExp, string][] = [
  [/^Connection is closed\.?$/, 'connection closed'],
  [/^Command timed out$/, 'command timeout'],
  [/^Stream isn't writeable/, 'stream not writeable'],
];

const MAX_DEPTH = 6;

/**
 * Whether `err` (or what it wraps, through `cause` and AggregateError) says a dependency is down
 * rather than that the hub has a bug. A SupplierError decides by its own `retryable` flag: a
 * retryable one (timeout, open circuit, 5xx) is an outage, any other escaping one is a bug.
 */
export function dependencyFailure(err: unknown, depth = 0): DependencyFailure | null {
  if (!(err instanceof Error) || depth > MAX_DEPTH) return null;
  if (err instanceof SupplierError) {
    if (!err.retryable) return null;
    return { dependency: 'supplier', reason: `${err.supplier} ${err.code}`, retryAfterMs: Math.max(DEPENDENCY_RETRY_AFTER_MS, err.retryAfterMs ?? 0) };
  }
  const own = classify(err);
  if (own) return { ...own, retryAfterMs: DEPENDENCY_RETRY_AFTER_MS };
  const inner = [err.cause, ...(err instanceof AggregateError ? err.errors : [])];
  for (const e of inner) {
    const found = dependencyFailure(e, depth + 1);
    if (found) return found;
  }
  return null;
}

function classify(err: Error): Omit<DependencyFailure, 'retryAfterMs'> | null {
  const raw = (err as Error & { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : undefined;
  // MikroORM wraps driver errors in DriverException (ConnectionException for some), copying `code`.
  const fromOrm = err.name === 'DriverException' || err.name === 'ConnectionException';
  if (code && PG_UNAVAILABLE.test(code) && (fromOrm || 'severity' in err)) return { dependency: 'postgres', reason: `sqlstate ${code}` };
  if (err.name === 'ConnectionException') return { dependency: 'postgres', reason: code ?? 'connection exception' };
  if (err.name === 'MaxRetriesPerRequestError') return { dependency: 'redis', reason: 'max retries per request' };
  for (const [re, reason] of REDIS_MESSAGES) if (re.test(err.message)) return { dependency: 'redis', reason };
  for (const [re, reason] of PG_MESSAGES) if (re.test(err.message)) return { dependency: 'postgres', reason };
  if (code && SOCKET_CODES.has(code)) {
    const { address, port } = err as Error & { address?: unknown; port?: unknown };
    return { dependency: fromOrm ? 'postgres' : 'network', reason: code, ...(typeof address === 'string' ? { target: `${address}:${String(port)}` } : {}) };
  }
  return null;
}
