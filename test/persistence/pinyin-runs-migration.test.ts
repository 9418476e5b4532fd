import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinyinSearchKeys } from '../../src/domain/catalog-search.ts';
import { rewritePinyinKeys } from '../../src/persistence/migrations/20261220-0028-catalog-pinyin-runs.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.close());

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

describe('migration 20261220-0028: pinyin keys with runs apart', () => {
  it('rewrites keys written before it, once, and leaves keys of one script alone', async () => {
    const item = async (key: string, title: string, brand: string | null, pinyin: string, initials: string) =>
      (await sql<{ id: string }[]>(
        `insert into catalog_item (match_key, kind, title, brand, category_ids, category_path, images, attributes, search_grams, search_text, search_pinyin, search_initials, sellable)
         values (?, 'physical', ?, ?, '{}', '{}', '{}', '{}', '{}', '', ?, ?, false) returning id::text as id`,
        [key, title, brand, pinyin, initials],
      ))[0]?.id as string;
    // As migration 0023 and the sync before 0028 wrote them: runs joined.
    const shirt = await item('m28:shirt', '特步（Xtep）T恤', '特步', 'tebuxteptxu|tebu', 'tbxteptx|tb');
    const fridge = await item('m28:fridge', '双开门冰箱', '海尔', 'shuangkaimenbingxiang|haier', 'skmbx|he');
    const keys = async (id: string) => (await sql<{ search_pinyin: string; search_initials: string }[]>('select search_pinyin, search_initials from catalog_item where id = ?', [id]))[0];
    const execute = (q: string, p: unknown[]) => sql(q, p);

    expect(await rewritePinyinKeys(execute, 1)).toBeGreaterThanOrEqual(1);
    expect(await keys(shirt)).toEqual({ search_pinyin: 'tebu xtept xu|tebu', search_initials: 'tb xtept x|tb' });
    expect(await keys(fridge)).toEqual({ search_pinyin: 'shuangkaimenbingxiang|haier', search_initials: 'skmbx|he' });
    expect({ pinyin: (await keys(shirt))?.search_pinyin, initials: (await keys(shirt))?.search_initials }).toEqual(pinyinSearchKeys('特步（Xtep）T恤', '特步'));
    // Run again: nothing left to change.
    expect(await rewritePinyinKeys(execute)).toBe(0);
  });
});
