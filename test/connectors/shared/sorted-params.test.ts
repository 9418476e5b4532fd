import { describe, expect, it } from 'vitest';
import {
  concatKeyValues,
  joinKeyEqualsValues,
  sortedSignableEntries,
  toSignableParams,
} from '../../../connectors/shared/sorted-params.ts';

describe('sorted signable params', () => {
  it('sorts keys by UTF-8 bytes, not by UTF-16 units or locale', () => {
    // U+FF46 sorts after the surrogate pair of U+1F600 in UTF-16 but before it in UTF-8.
    const keys = sortedSignableEntries({ '😀': '1', ｆ: '2', b: '3', B: '4', é: '5', _: '6' }).map(([k]) => k);
    expect(keys).toEqual(['B', '_', 'b', 'é', 'ｆ', '😀']);
  });

  it('leaves out sign and empty values and keeps values as sent', () => {
    const params = { b: 'x y&z=1', a: '中文', sign: 'ABC', c: '' };
    expect(concatKeyValues(params)).toBe('a中文bx y&z=1');
    expect(joinKeyEqualsValues(params)).toBe('a=中文&b=x y&z=1');
  });

  it('stringifies JSON scalars, drops null and refuses nested values', () => {
    expect(toSignableParams({ a: 'x', n: 12345, f: 1.5, t: true, z: null })).toEqual({ a: 'x', n: '12345', f: '1.5', t: 'true' });
    expect(toSignableParams({ a: { b: 1 } })).toBeUndefined();
    expect(toSignableParams({ a: [1] })).toBeUndefined();
  });
});
