import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBrandSignatureHeader, signBrandWebhook, verifyBrandWebhook } from '../../../connectors/brand/sign.ts';
import { secretArb } from '../shared/param-arbitraries.ts';

// The worked example in design/suppliers.md.
const SECRET = 'brand-secret';
const T = 1795399200;
const BODY = '{"id":"evt_1","type":"order.shipped","created":"2026-11-23T02:00:00Z","data":{"orderId":"B-9"}}';
const EXPECTED = 't=1795399200,v1=4457acf8cfbd22bf490be52be3a6d3f3bd8e5b248670eb734df6cae0f08797c5';
const NOW = new Date(T * 1000 + 30_000);
const OTHER_V1 = `v1=${'0'.repeat(64)}`;

describe('brand webhook signing', () => {
  it('reproduces the worked example header', () => {
    expect(signBrandWebhook(BODY, SECRET, T)).toBe(EXPECTED);
  });

  it('accepts the worked example', () => {
    expect(verifyBrandWebhook(EXPECTED, BODY, SECRET, NOW)).toEqual({ ok: true, timestampSeconds: T });
  });

  it('accepts any one valid v1 among several (secret rotation), and spaces after commas', () => {
    const v1 = EXPECTED.split(',')[1];
    expect(verifyBrandWebhook(`t=${T},${OTHER_V1},${v1}`, BODY, SECRET, NOW).ok).toBe(true);
    expect(verifyBrandWebhook(`t=${T}, ${v1}, ${OTHER_V1}`, BODY, SECRET, NOW).ok).toBe(true);
    expect(verifyBrandWebhook(`${v1},v0=abc,t=${T}`, BODY, SECRET, NOW).ok).toBe(true);
  });

  it('answers missing without a header', () => {
    expect(verifyBrandWebhook(undefined, BODY, SECRET, NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyBrandWebhook('  ', BODY, SECRET, NOW)).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    'garbage',
    `t=${T}`,
    'v1=4457acf8cfbd22bf490be52be3a6d3f3bd8e5b248670eb734df6cae0f08797c5',
    `t=abc,${OTHER_V1}`,
    `t=-5,${OTHER_V1}`,
    `t=1.5,${OTHER_V1}`,
    `t=${T},t=${T},${OTHER_V1}`,
    `t=${T},v1=zz`,
    `t=${T},v1=${'0'.repeat(63)}`,
    `t=${T},,${OTHER_V1}`,
    `t=${T};${OTHER_V1}`,
  ])('calls %j malformed', (header) => {
    expect(parseBrandSignatureHeader(header)).toBeUndefined();
    expect(verifyBrandWebhook(header, BODY, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('calls an event older or newer than 5 minutes stale', () => {
    const at = (ms: number) => new Date(T * 1000 + ms);
    expect(verifyBrandWebhook(EXPECTED, BODY, SECRET, at(300_000)).ok).toBe(true);
    expect(verifyBrandWebhook(EXPECTED, BODY, SECRET, at(300_001))).toEqual({ ok: false, reason: 'stale' });
    expect(verifyBrandWebhook(EXPECTED, BODY, SECRET, at(-300_001))).toEqual({ ok: false, reason: 'stale' });
    expect(verifyBrandWebhook(EXPECTED, BODY, SECRET, at(600_000), 10 * 60_000).ok).toBe(true);
  });

  it('reports a forged old event as bad_signature, not stale', () => {
    expect(verifyBrandWebhook(`t=${T - 3600},${OTHER_V1}`, BODY, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  const bodyArb = fc.string({ maxLength: 200, unit: 'grapheme' });
  const tArb = fc.integer({ min: 0, max: 4_000_000_000 });

  it('verifies whatever it signs', () => {
    fc.assert(
      fc.property(bodyArb, secretArb, tArb, (body, secret, t) => {
        expect(verifyBrandWebhook(signBrandWebhook(body, secret, t), body, secret, new Date(t * 1000))).toEqual({ ok: true, timestampSeconds: t });
      }),
    );
  });

  it('rejects a changed body', () => {
    fc.assert(
      fc.property(bodyArb, bodyArb, secretArb, tArb, (body, other, secret, t) => {
        fc.pre(body !== other);
        const header = signBrandWebhook(body, secret, t);
        expect(verifyBrandWebhook(header, other, secret, new Date(t * 1000))).toEqual({ ok: false, reason: 'bad_signature' });
      }),
    );
  });

  it('rejects another secret', () => {
    fc.assert(
      fc.property(bodyArb, secretArb, secretArb, tArb, (body, a, b, t) => {
        fc.pre(a !== b);
        expect(verifyBrandWebhook(signBrandWebhook(body, a, t), body, b, new Date(t * 1000)).ok).toBe(false);
      }),
    );
  });

  it('rejects a changed timestamp, even one still within tolerance', () => {
    fc.assert(
      fc.property(bodyArb, secretArb, tArb, fc.integer({ min: -300, max: 300 }).filter((d) => d !== 0), (body, secret, t, delta) => {
        fc.pre(t + delta >= 0);
        const v1 = signBrandWebhook(body, secret, t).split(',')[1];
        expect(verifyBrandWebhook(`t=${t + delta},${v1}`, body, secret, new Date(t * 1000))).toEqual({ ok: false, reason: 'bad_signature' });
      }),
    );
  });

  it('refuses to sign a non-integer timestamp', () => {
    expect(() => signBrandWebhook(BODY, SECRET, 1.5)).toThrow(RangeError);
  });
});
