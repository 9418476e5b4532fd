import { Migration } from '@mikro-orm/migrations';
import { pinyinSearchKeys } from '../../domain/catalog-search.ts';

/**
 * Pinyin search (issue 21): each item's title and brand as full pinyin and as initials, written by
 * the sync (catalog-store.ts) and matched with LIKE through trigram indexes. Existing rows are
 * backfilled here, in batches by id: the keys need pinyin-pro, so they are computed in JS, once per
 * distinct title and brand.
 */
export class Migration20261215_0023_CatalogPinyin extends Migration {
  override name = '20261215-0023-catalog-pinyin';

  override async up(): Promise<void> {
    await this.execute('create extension if not exists pg_trgm');
    await this.execute("alter table catalog_item add column search_pinyin text not null default '', add column search_initials text not null default ''");
    for (let after = 0; ; ) {
      const rows = (await this.execute('select id::text as id, title, brand from catalog_item where id > ? order by id limit 2000', [after])) as { id: string; title: string; brand: string | null }[];
      if (rows.length === 0) break;
      const keys = rows.map((r) => ({ id: r.id, ...pinyinSearchKeys(r.title, r.brand) }));
      await this.execute(
        `update catalog_item ci set search_pinyin = k.pinyin, search_initials = k.initials
         from jsonb_to_recordset(?::jsonb) as k(id bigint, pinyin text, initials text) where ci.id = k.id`,
        [JSON.stringify(keys)],
      );
      after = Number(rows.at(-1)?.id);
    }
    await this.execute('create index catalog_item_pinyin_idx on catalog_item using gin (search_pinyin gin_trgm_ops)');
    await this.execute('create index catalog_item_initials_idx on catalog_item using gin (search_initials gin_trgm_ops)');
  }

  override down(): void {
    this.addSql('drop index catalog_item_pinyin_idx, catalog_item_initials_idx');
    this.addSql('alter table catalog_item drop column search_pinyin, drop column search_initials');
  }
}
