/** The opaque catalog cursor: the next page number and the incremental window it belongs to. */
export interface TaobaoCursor {
  page: number;
  since?: Date;
}

/** Encodes a cursor as `p<page>` or `p<page>s<epoch ms>`, so later pages keep the first page's window. */
export function encodeCursor(c: TaobaoCursor): string {
  return c.since ? `p${c.page}s${c.since.getTime()}` : `p${c.page}`;
}

/** Decodes a cursor; none starts at page 1, an unreadable one is undefined (restarting could loop forever). */
export function decodeCursor(cursor: string | null | undefined): TaobaoCursor | undefined {
  if (!cursor) return { page: 1 };
  const m = /^p(\d+)(?:s(\d+))?$/.exec(cursor);
  if (!m) return undefined;
  const page = Math.max(1, Number(m[1]));
  return m[2] ? { page, since: new Date(Number(m[2])) } : { page };
}
