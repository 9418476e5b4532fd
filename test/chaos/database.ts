import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { migrate } from '../../src/persistence/orm.ts';

/** The PostgreSQL server the run uses (scripts/env.sh starts a local one); the chaos database is created on it. */
const SERVER_URL = (process.env.CHAOS_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432').replace(/\/+$/, '');

export const dbUrl = (db: string): string => `${SERVER_URL}/${db}`;

/** One statement on the `postgres` database (create, drop, allow connections), with a connection of its own. */
async function adminSql(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: dbUrl('postgres'), application_name: 'chaos-admin' });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  return name;
};

/** Creates the run's database and applies the hub's migrations to it. */
export async function createDatabase(name: string): Promise<void> {
  await adminSql(`create database ${ident(name)}`);
  await migrate({ databaseUrl: dbUrl(name), dbPoolMax: 2 });
}

export async function dropDatabase(name: string): Promise<void> {
  await adminSql(`drop database if exists ${ident(name)} with (force)`);
}

/**
 * Cuts the hub off PostgreSQL: no new connection to its database is allowed and every backend
 * connected to it is terminated (the server itself stays up for other databases and test runs).
 * Terminated twice: a connection being opened while the first round ran slips through it.
 */
export async function cutPostgres(name: string): Promise<number> {
  await adminSql(`alter database ${ident(name)} with allow_connections false`);
  let terminated = 0;
  for (let round = 0; round < 2; round++) {
    const r = await adminSql('select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    terminated += Number(r.rows[0]?.n ?? 0);
    await new Promise((res) => setTimeout(res, 300));
  }
  return terminated;
}

export async function restorePostgres(name: string): Promise<void> {
  await adminSql(`alter database ${ident(name)} with allow_connections true`);
}

/**
 * The synchronous last resort of the exit handler: connections allowed again whatever happened
 * (psql, since no promise runs once the process is exiting). PostgreSQL is left as it was found.
 */
export function restorePostgresSync(name: string): void {
  spawnSync('psql', [dbUrl('postgres'), '-qAtc', `alter database ${ident(name)} with allow_connections true`], { stdio: 'ignore', timeout: 10_000 });
}

/**
 * Read access to the chaos database for the checks and the progress lines. The pool survives the
 * cut: a terminated connection is dropped and the next query opens a new one.
 */
export class ChaosDb {
  readonly #pool: pg.Pool;

  constructor(name: string) {
    this.#pool = new pg.Pool({ connectionString: dbUrl(name), max: 2, application_name: 'chaos-check', idleTimeoutMillis: 5_000 });
    // An idle connection terminated by the cut emits here; without a listener it would crash the run.
    this.#pool.on('error', () => undefined);
  }

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.#pool.query(sql, params)).rows as T[];
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }
}
