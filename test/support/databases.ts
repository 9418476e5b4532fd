import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where test databases are made: the machine's PostgreSQL (trust auth), via the `test` database. */
export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
/**
 * The migrated template every file clones, one per `vitest` run (global-setup names it), so two
 * runs on one machine (a developer's and CI's, or two partial runs) never drop each other's.
 */
export const templateDb = (): string => process.env.HUB_TEST_TEMPLATE_DB ?? 'hub_test_template';

/** URL of a database on the same server as the admin URL. */
export function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs statements on the admin connection. */
export async function adminSql(...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

/** A fresh database cloned from the migrated template (fast: no migrations per file). */
export async function createTestDatabase(opts: { migrated?: boolean } = {}): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `hub_t_${randomBytes(5).toString('hex')}`;
  const template = opts.migrated === false ? 'template0' : templateDb();
  for (let attempt = 0; ; attempt++) {
    try {
      await adminSql(`create database ${name} template ${template}`);
      break;
    } catch (err) {
      // Two files cloning the template at the same moment can collide; try again shortly.
      if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  return { name, url: dbUrl(name), drop: () => adminSql(`drop database if exists ${name} with (force)`) };
}
