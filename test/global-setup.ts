import { migrate } from '../src/persistence/orm.ts';
import { adminSql, dbUrl, TEMPLATE_DB } from './support/databases.ts';

/** Once per run: a migrated template database that every test file clones. */
export default async function setup(): Promise<() => Promise<void>> {
  await adminSql(`drop database if exists ${TEMPLATE_DB} with (force)`, `create database ${TEMPLATE_DB}`);
  await migrate({ databaseUrl: dbUrl(TEMPLATE_DB), dbPoolMax: 2 });
  // Leftovers of an interrupted run.
  return async () => {
    await adminSql(`drop database if exists ${TEMPLATE_DB} with (force)`);
  };
}
