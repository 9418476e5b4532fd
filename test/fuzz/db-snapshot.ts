import type { EntityManager } from '@mikro-orm/postgresql';

/** Row count and content checksum of every table, keyed by table name. */
export type DbSnapshot = Record<string, { rows: number; md5: string }>;

/**
 * Every table of the public schema, counted and checksummed in one round trip: rows are cast to
 * text and sorted, so the checksum is the same for the same content whatever the physical order.
 */
export async function snapshotDb(em: EntityManager): Promise<DbSnapshot> {
  const conn = em.getConnection();
  const tables = await conn.execute<{ name: string }[]>(
    "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name",
  );
  const ident = (n: string) => `"${n.replaceAll('"', '""')}"`;
  const parts = tables.map(
    (t) => `select '${t.name.replaceAll("'", "''")}' as name, count(*)::int as rows, coalesce(md5(string_agg(x::text, E'\\n' order by x::text)), '') as md5 from ${ident(t.name)} x`,
  );
  const rows = await conn.execute<{ name: string; rows: number; md5: string }[]>(parts.join('\nunion all\n'));
  return Object.fromEntries(rows.map((r) => [r.name, { rows: r.rows, md5: r.md5 }]));
}

/** The tables whose count or checksum differ between two snapshots. */
export function changedTables(before: DbSnapshot, after: DbSnapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n]?.rows !== after[n]?.rows || before[n]?.md5 !== after[n]?.md5).sort();
}
