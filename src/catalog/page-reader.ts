import type { CatalogPage, CatalogQuery, SupplierConnector } from '../../connectors/connector.ts';

/** Pages asked for at once when a connector can name later pages' cursors and nothing says otherwise. */
export const DEFAULT_READ_AHEAD = 4;

interface Asked {
  cursor: string | null;
  page: Promise<CatalogPage>;
}

/**
 * Reads a supplier's catalog pages in order, from a cursor. Where the connector can name the
 * cursors of the pages after one before they arrive (`cursorsAfter`: pages addressed by number, as
 * Taobao's are), up to `readAhead` pages are asked for at once. Each page's `nextCursor` is checked
 * against the cursor of the page asked for after it: on a mismatch (a JD pool ending, a paging the
 * guess got wrong) the pages read ahead are dropped and reading goes on from `nextCursor`, so the
 * pages handed out are exactly the chain a one-at-a-time reader would follow. Without
 * `cursorsAfter`, each page is asked for as soon as the one before arrives.
 *
 * Why: asked for one after another, a supplier's pages cost a round trip each. Taobao's 2 500 pages
 * of 100 (its largest page) were a chain of 2 500 round trips, the longest part of every sync,
 * stretched further whenever the sync's thread was busy when a page arrived.
 */
export class CatalogPageReader {
  readonly #connector: SupplierConnector;
  readonly #query: Omit<CatalogQuery, 'cursor'>;
  readonly #readAhead: number;
  #asked: Asked[] = [];

  constructor(connector: SupplierConnector, from: string | null, query: Omit<CatalogQuery, 'cursor'>, readAhead = DEFAULT_READ_AHEAD) {
    this.#connector = connector;
    this.#query = query;
    this.#readAhead = Math.max(1, Math.floor(readAhead));
    this.#restart(from);
  }

  /**
   * The next page in order; null after the last one (a page whose nextCursor is null). A page that
   * failed rejects here, in its turn; pages read ahead of it are dropped.
   */
  async next(): Promise<CatalogPage | null> {
    const head = this.#asked.shift();
    if (!head) return null;
    let page: CatalogPage;
    try {
      page = await head.page;
    } catch (err) {
      this.#asked = [];
      throw err;
    }
    if (page.nextCursor === null) this.#asked = [];
    else if (this.#asked[0]?.cursor !== page.nextCursor) this.#restart(page.nextCursor);
    else this.#extend();
    return page;
  }

  #ask(cursor: string | null): Asked {
    const page = this.#connector.listCatalog({ ...this.#query, cursor });
    page.catch(() => undefined); // awaited by next() in its turn, or dropped unread
    return { cursor, page };
  }

  /** Drops what was read ahead (unread pages are simply not awaited) and asks from `cursor` on. */
  #restart(cursor: string | null): void {
    this.#asked = [this.#ask(cursor)];
    this.#extend();
  }

  /** Asks for the pages after the last one asked for, up to readAhead in flight. */
  #extend(): void {
    const last = this.#asked.at(-1);
    const room = this.#readAhead - this.#asked.length;
    if (!last || room <= 0 || !this.#connector.cursorsAfter) return;
    for (const cursor of this.#connector.cursorsAfter({ ...this.#query, cursor: last.cursor }, room)) this.#asked.push(this.#ask(cursor));
  }
}
