import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../src/mall-webhooks/standard-webhooks.ts';

// The worked example in design/suppliers.md.
const SECRET = 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const input = {
  secret: SECRET,
  id: 'msg_1',
  timestampSeconds: 1795399200,
  body: '{"id":"msg_1","type":"order.accepted","createdAt":"2026-11-23T02:00:00Z","data":{"orderId":"o_1","mallOrderId":"M-1","seq":1}}',
};

// Fixed length: HMAC zero-pads short keys, so keys differing only by trailing zero bytes would collide.
const secretArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`);

describe('Standard Webhooks signing for the mall', () => {
  it('reproduces the worked example', () => {
    expect(signStandardWebhook(input)).toBe('v1,zPPlq/5zk7HBlVc8bqK5CXn6eSpHECDfK3bNktkqlEU=');
  });

  it('gives one space-separated signature per secret during rotation', () => {
    const other = 'whsec_c2Vjb25kLXNlY3JldC1rZXktYnl0ZXMtMTIzNA==';
    const both = signStandardWebhook({ ...input, secret: [SECRET, other] });
    expect(both.split(' ')).toEqual([signStandardWebhook(input), signStandardWebhook({ ...input, secret: other })]);
  });

  it.each(['MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=', 'whsec_', 'whsec_not base64!'])('refuses the secret %j', (secret) => {
    expect(() => signStandardWebhook({ ...input, secret })).toThrow(TypeError);
  });

  it('refuses an empty secret list and a fractional timestamp', () => {
    expect(() => signStandardWebhook({ ...input, secret: [] })).toThrow(TypeError);
    expect(() => signStandardWebhook({ ...input, timestampSeconds: 1.5 })).toThrow(RangeError);
  });

  it('changes when the id, timestamp, body or secret changes', () => {
    const textArb = fc.string({ maxLength: 60, unit: 'grapheme' });
    fc.assert(
      fc.property(secretArb, secretArb, textArb, textArb, fc.nat(), fc.nat(), textArb, textArb, (s1, s2, id1, id2, t1, t2, b1, b2) => {
        const base = { secret: s1, id: id1, timestampSeconds: t1, body: b1 };
        const sig = signStandardWebhook(base);
        expect(sig).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
        if (s1 !== s2) expect(signStandardWebhook({ ...base, secret: s2 })).not.toBe(sig);
        if (t1 !== t2) expect(signStandardWebhook({ ...base, timestampSeconds: t2 })).not.toBe(sig);
        if (b1 !== b2) expect(signStandardWebhook({ ...base, body: b2 })).not.toBe(sig);
        if (id1 !== id2) expect(signStandardWebhook({ ...base, id: id2 })).not.toBe(sig);
      }),
    );
  });
});
