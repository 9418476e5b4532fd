/**
 * The sandbox's opaque catalog cursor: the next index to scan, the revision the listing started
 * at (so a listing is one consistent snapshot even when the catalog moves mid-way) and the
 * revision changes are reported from (-1: a full listing).
 */
export interface CatalogCursor {
  index: number;
  revision: number;
  fromRevision: number;
}

/** Encodes a cursor as base64url JSON. */
export function encodeCursor(c: CatalogCursor): string {
  return Buffer.from(JSON.stringify([c.index, c.revision, c.fromRevision])).toString('base64url');
}

/** Decodes a cursor, or undefined when it is not one of ours. */
export function decodeCursor(text: string): CatalogCursor | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 3 || !v.every((n) => Number.isSafeInteger(n))) return undefined;
    const [index, revision, fromRevision] = v as [number, number, number];
    return index >= 0 && revision >= 0 && fromRevision >= -1 ? { index, revision, fromRevision } : undefined;
  } catch {
    return undefined;
  }
}
