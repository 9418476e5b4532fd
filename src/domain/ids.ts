import { v7 as uuidv7 } from 'uuid';

/** Prefixes of the hub's public ids, so an id says what it names (`mall_…`, `evt_…`). */
export type IdPrefix = 'mall' | 'cred' | 'evt' | 'aud' | 'req' | 'ie' | 'ord' | 'lin' | 'att' | 'wfr' | 'vch' | 'shp';

/** A new time-ordered id (UUIDv7, so inserts stay index-friendly) with its type prefix. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${uuidv7().replaceAll('-', '')}`;
}
