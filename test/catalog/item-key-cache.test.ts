import { describe, expect, it } from 'vitest';
import { ItemKeyCache, itemKeyCache } from '../../src/catalog/item-key-cache.ts';

describe('the item-key cache', () => {
  it('gives back each item as remembered, with or without a category', () => {
    const cache = new ItemKeyCache();
    cache.remember(new Map([['gtin:1', { id: '7', categorized: true }], ['gtin:2', { id: '9007199254740', categorized: false }]]));
    expect(cache.get('gtin:1')).toEqual({ id: '7', categorized: true });
    expect(cache.get('gtin:2')).toEqual({ id: '9007199254740', categorized: false });
    expect(cache.get('gtin:3')).toBeUndefined();
    // An item's category filled in later: the entry follows.
    cache.remember(new Map([['gtin:2', { id: '9007199254740', categorized: true }]]));
    expect(cache.get('gtin:2')).toEqual({ id: '9007199254740', categorized: true });
    expect(cache.size).toBe(2);
  });

  it('starts again empty past its cap, and keeps one cache per database', () => {
    const cache = new ItemKeyCache(3);
    cache.remember(new Map([['a', { id: '1', categorized: true }], ['b', { id: '2', categorized: true }]]));
    cache.remember(new Map([['c', { id: '3', categorized: true }], ['d', { id: '4', categorized: true }]]));
    expect([cache.size, cache.get('a'), cache.get('d')]).toEqual([2, undefined, { id: '4', categorized: true }]);
    const [one, two] = [{}, {}];
    expect(itemKeyCache(one)).toBe(itemKeyCache(one));
    expect(itemKeyCache(one)).not.toBe(itemKeyCache(two));
  });
});
