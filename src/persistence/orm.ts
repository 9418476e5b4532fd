import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from '../config.ts';
import { entities } from './entities/index.ts';
import { migrationsList } from './migrations/index.ts';

export type Orm = MikroORM;

/** Opens the ORM (connection pool, entity metadata, migrator) for one database URL. */
export async function openOrm(config: Pick<Config, 'databaseUrl' | 'dbPoolMax'> & Partial<Pick<Config, 'dbConnectTimeoutMs'>>, appName = 'redemption-hub'): Promise<Orm> {
  return MikroORM.init({
    clientUrl: config.databaseUrl,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: { min: 0, max: config.dbPoolMax },
    // The hub's queries are short OLTP reads and writes: compiling them with JIT (triggered by cost
    // estimates, e.g. a search's materialised step) cost 100-300 ms per catalog page at 1M items.
    // Set at connection start-up, so statements run on the pool directly (prepared intake
    // statements) get it too, not only those the ORM runs.
    // The application name tells operators (pg_stat_activity) which process a connection serves.
    // connectionTimeoutMillis bounds both a new connection and the wait for a pooled one (pg-pool).
    driverOptions: { options: `-c jit=off -c application_name=${appName}`, connectionTimeoutMillis: config.dbConnectTimeoutMs ?? 5_000 },
    // Entities are validated by zod at the edge; the ORM should not guess.
    forceUtcTimezone: true,
    debug: false,
    allowGlobalContext: false,
  });
}

/** Applies pending migrations (creating the database first if it does not exist); returns their names. */
export async function migrate(config: Pick<Config, 'databaseUrl' | 'dbPoolMax'>): Promise<string[]> {
  const orm = await openOrm(config);
  try {
    await orm.schema.ensureDatabase({ create: true });
    const done = await orm.migrator.up();
    return done.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

/** Names of migrations not yet applied (used by /readyz). */
export async function pendingMigrations(orm: Orm): Promise<string[]> {
  return (await orm.migrator.getPending()).map((m) => m.name);
}

/** Whether PostgreSQL answers a trivial statement (used by /readyz). */
export async function pingDatabase(orm: Orm): Promise<void> {
  await orm.em.getConnection().execute('select 1');
}
