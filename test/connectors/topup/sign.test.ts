import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toSignableParams } from '../../../connectors/shared/sorted-params.ts';
import {
  decryptTopupCard,
  encryptTopupCard,
  signTopup,
  TopupCardDecryptError,
  topupSignedString,
  verifyTopupCallback,
  verifyTopupSign,
} from '../../../connectors/topup/sign.ts';
import { itBehavesLikeSortedParamsSigning, keyArb, secretArb, valueArb } from '../shared/param-arbitraries.ts';

const SECRET = 'tu-secret';
const NOW = new Date('2026-11-23T02:00:00Z'); // 2026-11-23 10:00:00 in UTC+8
const BIZ = '{"customer_order_no":"H1-L1-1","product_id":"CMCC-50","charge_account":"13800138000","buy_num":1}';

// The worked example in design/suppliers.md.
const params = { app_key: 'tu-app', method: 'order.direct.add', timestamp: '2026-11-23 10:00:00', version: '2.0', biz_content: BIZ };

const callback = {
  order_id: 'TU-1',
  customer_order_no: 'H1-L1-1',
  order_status: 'success',
  recharge_description: '充值成功',
  charge_finish_time: '2026-11-23 09:58:00',
  timestamp: '2026-11-23 09:58:05',
};

function signedCallback(fields: Record<string, unknown>, secret = SECRET): Record<string, unknown> {
  return { ...fields, sign: signTopup(toSignableParams(fields) ?? {}, secret) };
}

describe('top-up request signing', () => {
  it('reproduces the worked example: signed string and sign', () => {
    expect(topupSignedString(params, SECRET)).toBe(
      `app_key=tu-app&biz_content=${BIZ}&method=order.direct.add&timestamp=2026-11-23 10:00:00&version=2.0&key=tu-secret`,
    );
    expect(signTopup(params, SECRET)).toBe('7cfc25432f911f5614210c46d3c6bfb0');
  });

  it('verifies its own sign and rejects an altered request', () => {
    const signed = { ...params, sign: signTopup(params, SECRET) };
    expect(verifyTopupSign(signed, SECRET)).toBe(true);
    expect(verifyTopupSign({ ...signed, biz_content: BIZ.replace('CMCC-50', 'CMCC-100') }, SECRET)).toBe(false);
  });

  itBehavesLikeSortedParamsSigning(signTopup);
});

describe('top-up callback verification', () => {
  it('accepts an authentic, fresh callback', () => {
    expect(verifyTopupCallback(signedCallback(callback), SECRET, NOW)).toEqual({ ok: true });
  });

  it('calls a callback more than 10 minutes off stale', () => {
    const old = signedCallback({ ...callback, timestamp: '2026-11-23 09:49:59' });
    expect(verifyTopupCallback(old, SECRET, NOW)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyTopupCallback(signedCallback({ ...callback, timestamp: '2026-11-23 10:10:01' }), SECRET, NOW)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyTopupCallback(old, SECRET, NOW, 11 * 60_000)).toEqual({ ok: true });
  });

  it.each([
    ['null', null],
    ['no sign', callback],
    ['no order_status', signedCallback({ ...callback, order_status: '' })],
    ['a nested value', signedCallback({ ...callback, recharge_description: ['x'] })],
    ['a bad timestamp', signedCallback({ ...callback, timestamp: '1795399200' })],
  ])('calls a callback with %s malformed', (_name, body) => {
    expect(verifyTopupCallback(body, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects a callback after any signed field changes', () => {
    const fields = ['order_id', 'customer_order_no', 'order_status', 'recharge_description', 'charge_finish_time'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), valueArb, (field, value) => {
        fc.pre(callback[field] !== value);
        expect(verifyTopupCallback({ ...signedCallback(callback), [field]: value }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
      }),
    );
  });

  it('rejects a callback whose timestamp changed, or with a field added, or signed with another secret', () => {
    fc.assert(
      fc.property(keyArb.filter((k) => !(k in callback)), valueArb, secretArb.filter((s) => s !== SECRET), (key, value, other) => {
        const signed = signedCallback(callback);
        const bad = { ok: false, reason: 'bad_signature' };
        expect(verifyTopupCallback({ ...signed, timestamp: '2026-11-23 09:58:06' }, SECRET, NOW)).toEqual(bad);
        expect(verifyTopupCallback({ ...signed, [key]: value }, SECRET, NOW)).toEqual(bad);
        expect(verifyTopupCallback(signedCallback(callback, other), SECRET, NOW)).toEqual(bad);
      }),
    );
  });
});

describe('top-up voucher crypto', () => {
  const iv = Buffer.from('000102030405060708090a0b', 'hex');

  it('lays out base64(IV ‖ ciphertext ‖ tag) and is deterministic for a fixed IV', () => {
    const blob = Buffer.from(encryptTopupCard('CARD-1234', SECRET, iv), 'base64');
    expect(blob.subarray(0, 12)).toEqual(iv);
    expect(blob.length).toBe(12 + 'CARD-1234'.length + 16);
    expect(encryptTopupCard('CARD-1234', SECRET, iv)).toBe(encryptTopupCard('CARD-1234', SECRET, iv));
  });

  it('round-trips any code with a random IV', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64, unit: 'grapheme' }), secretArb, (plain, secret) => {
        expect(decryptTopupCard(encryptTopupCard(plain, secret), secret)).toBe(plain);
      }),
    );
  });

  it('rejects a blob with any single byte altered', () => {
    const good = encryptTopupCard('PASS-987654', SECRET, iv);
    const bytes = Buffer.from(good, 'base64');
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const tampered = Buffer.from(bytes);
        tampered[index] = (tampered[index] ?? 0) ^ mask;
        expect(() => decryptTopupCard(tampered.toString('base64'), SECRET)).toThrow(TopupCardDecryptError);
      }),
    );
  });

  it('rejects the wrong secret, non-base64 and too-short blobs', () => {
    const good = encryptTopupCard('PASS-987654', SECRET, iv);
    expect(() => decryptTopupCard(good, 'other-secret')).toThrow(TopupCardDecryptError);
    expect(() => decryptTopupCard(`${good}!`, SECRET)).toThrow(TopupCardDecryptError);
    expect(() => decryptTopupCard(Buffer.alloc(27).toString('base64'), SECRET)).toThrow(TopupCardDecryptError);
    expect(() => encryptTopupCard('x', SECRET, Buffer.alloc(16))).toThrow(RangeError);
  });
});
