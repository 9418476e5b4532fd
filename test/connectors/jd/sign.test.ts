import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jdSignedString, signJd, verifyJdSign } from '../../../connectors/jd/sign.ts';
import { entriesWithIndexArb, itBehavesLikeSortedParamsSigning, secretArb, toParams, valueArb } from '../shared/param-arbitraries.ts';

// The worked example in design/suppliers.md.
const params = {
  app_key: 'jd-app',
  access_token: 'tok-1',
  method: 'biz.order.unite.submit',
  timestamp: '2026-11-23 10:00:00',
  v: '2.0',
  '360buy_param_json': '{"thirdOrder":"H1-L1-1"}',
};

describe('JD request signing', () => {
  it('reproduces the worked example: signed string and sign', () => {
    expect(jdSignedString(params, 'jd-secret')).toBe(
      'jd-secret360buy_param_json{"thirdOrder":"H1-L1-1"}access_tokentok-1app_keyjd-appmethodbiz.order.unite.submittimestamp2026-11-23 10:00:00v2.0jd-secret',
    );
    expect(signJd(params, 'jd-secret')).toBe('F33A2105EC0F81E2A652EB8F61B2CB51');
  });

  it('accepts its own sign and rejects a missing or altered one', () => {
    const signed = { ...params, sign: signJd(params, 'jd-secret') };
    expect(verifyJdSign(signed, 'jd-secret')).toBe(true);
    expect(verifyJdSign({ ...signed, sign: signed.sign.toLowerCase() }, 'jd-secret')).toBe(true);
    expect(verifyJdSign(params, 'jd-secret')).toBe(false);
    expect(verifyJdSign({ ...signed, sign: '' }, 'jd-secret')).toBe(false);
    expect(verifyJdSign({ ...signed, v: '2.1' }, 'jd-secret')).toBe(false);
    expect(verifyJdSign(signed, 'other-secret')).toBe(false);
  });

  it('always yields 32 upper-case hex digits', () => {
    fc.assert(fc.property(entriesWithIndexArb, secretArb, ([entries], secret) => {
      expect(signJd(toParams(entries), secret)).toMatch(/^[0-9A-F]{32}$/);
    }));
  });

  it('fails verification after any signed value changes', () => {
    fc.assert(
      fc.property(entriesWithIndexArb, valueArb, secretArb, ([entries, i], newValue, secret) => {
        const [key, oldValue] = entries[i] as [string, string];
        fc.pre(newValue !== oldValue);
        const signed = { ...toParams(entries), sign: signJd(toParams(entries), secret) };
        expect(verifyJdSign(signed, secret)).toBe(true);
        expect(verifyJdSign({ ...signed, [key]: newValue }, secret)).toBe(false);
      }),
    );
  });

  itBehavesLikeSortedParamsSigning(signJd);
});
