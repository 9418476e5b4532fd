import { randomBytes } from 'node:crypto';
import { migrate } from '../src/persistence/orm.ts';
import { adminSql, dbUrl, templateDb } from './support/databases.ts';

/** Once per run: a migrated template database that every test file clones (its name is this run's own). */
export default async function setup(): Promise<() => Promise<void>> {
  // Set before the test processes are forked, so they inherit it.
  process.env.HUB_TEST_TEMPLATE_DB = `hub_test_template_${randomBytes(4).toString('hex')}`;
  const template = templateDb();
  await adminSql(`create database ${template}`);
  await migrate({ databaseUrl: dbUrl(template), dbPoolMax: 2 });
  return async () => {
    await adminSql(`drop database if exists ${template} with (force)`);
  };
}
