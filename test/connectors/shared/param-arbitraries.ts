// fast-check arbitraries and the property suite every "sorted params" signing scheme must pass.
import fc from 'fast-check';
import { expect, it } from 'vitest';

type Params = Record<string, string>;
export type SignFn = (params: Params, secret: string) => string;

// Unicode graphemes so byte-order sorting of non-ASCII keys is exercised; `__proto__` would
// set the prototype instead of a key when assigned, and `sign` is never signed by definition.
export const keyArb = fc
  .string({ minLength: 1, maxLength: 10, unit: 'grapheme' })
  .filter((k) => k !== 'sign' && k !== '__proto__');
export const valueArb = fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' });
// Printable ASCII: HMAC zero-pads short keys, so secrets differing only by trailing NULs are the same key.
export const secretArb = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme-ascii' });

export const entriesArb = fc.uniqueArray(fc.tuple(keyArb, valueArb), {
  selector: ([k]) => k,
  minLength: 1,
  maxLength: 8,
});

/** Entries together with one chosen index into them. */
export const entriesWithIndexArb = entriesArb.chain((entries) =>
  fc.tuple(fc.constant(entries), fc.nat({ max: entries.length - 1 })),
);

export const toParams = (entries: ReadonlyArray<readonly [string, string]>): Params => Object.fromEntries(entries);

/** Registers the properties shared by the JD, Taobao and top-up request signatures. */
export function itBehavesLikeSortedParamsSigning(sign: SignFn): void {
  it('gives the same sign whatever order the parameters were inserted in', () => {
    fc.assert(
      fc.property(
        entriesArb.chain((es) => fc.tuple(fc.constant(es), fc.shuffledSubarray(es, { minLength: es.length }))),
        secretArb,
        ([entries, shuffled], secret) => {
          expect(sign(toParams(shuffled), secret)).toBe(sign(toParams(entries), secret));
        },
      ),
    );
  });

  it('ignores empty values and an existing sign parameter', () => {
    fc.assert(
      fc.property(entriesArb, keyArb, fc.string(), secretArb, (entries, emptyKey, oldSign, secret) => {
        const params = toParams(entries);
        const padded: Record<string, string> = { ...params, sign: oldSign };
        if (!(emptyKey in params)) padded[emptyKey] = '';
        expect(sign(padded, secret)).toBe(sign(params, secret));
      }),
    );
  });

  it('changes when any signed value changes', () => {
    fc.assert(
      fc.property(entriesWithIndexArb, valueArb, secretArb, ([entries, i], newValue, secret) => {
        const [key, oldValue] = entries[i] as [string, string];
        fc.pre(newValue !== oldValue);
        const params = toParams(entries);
        expect(sign({ ...params, [key]: newValue }, secret)).not.toBe(sign(params, secret));
      }),
    );
  });

  it('changes when a non-empty parameter is added or removed', () => {
    fc.assert(
      fc.property(entriesWithIndexArb, secretArb, ([entries, i], secret) => {
        const all = toParams(entries);
        const fewer = toParams(entries.filter((_, j) => j !== i));
        expect(sign(fewer, secret)).not.toBe(sign(all, secret));
      }),
    );
  });

  it('changes when the secret changes', () => {
    fc.assert(
      fc.property(entriesArb, secretArb, secretArb, (entries, a, b) => {
        fc.pre(a !== b);
        expect(sign(toParams(entries), b)).not.toBe(sign(toParams(entries), a));
      }),
    );
  });
}
