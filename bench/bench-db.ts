import pg from 'pg';
import { migrate } from '../src/persistence/orm.ts';

/** The database the catalog benches share: catalog-sync fills it, catalog-query reads it (BENCH_DB to use another). */
export const BENCH_DB = process.env.BENCH_DB ?? 'bench_catalog';
if (!/^[a-z_][a-z0-9_]*$/.test(BENCH_DB)) throw new Error(`BENCH_DB must be a plain lower-case identifier, not "${BENCH_DB}"`);

/** SKUs per goods supplier (four of them: 250 000 each makes the 1 000 000 of the catalog issue). */
export const PER_SUPPLIER = Number(process.env.BENCH_SKUS_PER_SUPPLIER ?? 250_000);

// The server the benches use; scripts/env.sh starts a local one on this address.
const SERVER_URL = (process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432').replace(/\/+$/, '');

/** Connection URL of a database on the bench server. */
export const dbUrl = (db = BENCH_DB): string => `${SERVER_URL}/${db}`;

/** Runs `fn` with one client connected to a database, closing it afterwards. */
export async function withClient<T>(fn: (client: pg.Client) => Promise<T>, db = BENCH_DB): Promise<T> {
  const client = new pg.Client({ connectionString: dbUrl(db) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops and recreates the bench database, then applies the hub's own migrations to it. */
export async function recreateBenchDb(): Promise<void> {
  await withClient(async (c) => {
    await c.query(`drop database if exists ${BENCH_DB} with (force)`);
    await c.query(`create database ${BENCH_DB}`);
  }, 'postgres');
  await migrate({ databaseUrl: dbUrl(), dbPoolMax: 2 });
}

/** Rows of the canonical catalog: all of it, the goods part (what COPY compares with), sellable and virtual items. */
export interface CatalogCounts {
  items: number;
  offers: number;
  goodsItems: number;
  goodsOffers: number;
  sellableItems: number;
  virtualItems: number;
}

/** Counts the catalog of the bench database; null when the database does not exist or is not migrated. */
export async function catalogCounts(): Promise<CatalogCounts | null> {
  const exists = await withClient(async (c) => (await c.query('select 1 from pg_database where datname = $1', [BENCH_DB])).rowCount === 1, 'postgres');
  if (!exists) return null;
  return withClient(async (c) => {
    if ((await c.query("select to_regclass('catalog_offer') is not null as ok")).rows[0]?.ok !== true) return null;
    const { rows } = await c.query<Record<keyof CatalogCounts, string>>(
      `select (select count(*) from catalog_item) as items, (select count(*) from catalog_offer) as offers,
              (select count(*) from catalog_item where kind <> 'virtual') as "goodsItems",
              (select count(*) from catalog_offer where supplier_id not like 'topup%') as "goodsOffers",
              (select count(*) from catalog_item where sellable) as "sellableItems",
              (select count(*) from catalog_item where kind = 'virtual') as "virtualItems"`,
    );
    const r = rows[0];
    return r ? (Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as unknown as CatalogCounts) : null;
  });
}

/** Waits until no query runs in the bench database (a load run's stragglers finish before the next run starts). */
/**
 * Writes out what earlier steps left dirty (CHECKPOINT), so a measured phase is not overlapped by
 * the checkpoint a setup step set off: pricing the bench mall writes some 500 MB of WAL, and the
 * checkpoint that follows stalled commits for up to half a second while it synced, at random
 * points of whichever phase it fell in. Checkpoints the phase's own writes cause still count.
 */
export async function checkpoint(): Promise<void> {
  await withClient((c) => c.query('checkpoint'));
}

export async function waitForIdleDb(timeoutMs = 120_000): Promise<void> {
  await withClient(async (c) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const { rows } = await c.query<{ n: string }>("select count(*) as n from pg_stat_activity where datname = $1 and state = 'active' and pid <> pg_backend_pid()", [BENCH_DB]);
      if (Number(rows[0]?.n) === 0) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${BENCH_DB} still runs queries ${timeoutMs / 1000} s after a load run ended`);
  });
}
