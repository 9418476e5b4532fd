import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toSignableParams } from '../../../connectors/shared/sorted-params.ts';
import { formatUtc8Timestamp } from '../../../connectors/shared/timestamp.ts';
import { signTaobao, taobaoSignedString, verifyTaobaoPush, verifyTaobaoSign } from '../../../connectors/taobao/sign.ts';
import { itBehavesLikeSortedParamsSigning, keyArb, secretArb, valueArb } from '../shared/param-arbitraries.ts';

const SECRET = 'tb-secret';
const NOW = new Date('2026-11-23T02:00:00Z'); // 2026-11-23 10:00:00 in UTC+8

// The worked example in design/suppliers.md.
const params = {
  app_key: 'tb-app',
  format: 'json',
  method: 'taobao.fenxiao.products.get',
  session: 'sess-1',
  sign_method: 'hmac-sha256',
  timestamp: '2026-11-23 10:00:00',
  v: '2.0',
  page_no: '1',
  page_size: '100',
};

/** A push as Taobao would send it, signed over everything but `sign`. */
function signedPush(fields: Record<string, unknown>, secret = SECRET): Record<string, unknown> {
  return { ...fields, sign: signTaobao(toSignableParams(fields) ?? {}, secret) };
}

const push = {
  topic: 'fenxiao_OrderShipped',
  content: JSON.stringify({ purchase_order_id: 'PO-1', company: '顺丰', waybill: 'SF100' }),
  pub_time: '2026-11-23 09:59:30',
  user_id: 12345, // a JSON number: signed as its decimal text
  nick: '测试分销商',
  msg_id: 'm-1',
};

describe('Taobao request signing', () => {
  it('reproduces the worked example: signed string and sign', () => {
    expect(taobaoSignedString(params)).toBe(
      'app_keytb-appformatjsonmethodtaobao.fenxiao.products.getpage_no1page_size100sessionsess-1sign_methodhmac-sha256timestamp2026-11-23 10:00:00v2.0',
    );
    expect(signTaobao(params, SECRET)).toBe('67173A9AFFA07914EC64256DB14409385E020B318080EC7F17E1E492B8FD9838');
  });

  it('verifies its own sign and rejects an altered request', () => {
    const signed = { ...params, sign: signTaobao(params, SECRET) };
    expect(verifyTaobaoSign(signed, SECRET)).toBe(true);
    expect(verifyTaobaoSign({ ...signed, page_no: '2' }, SECRET)).toBe(false);
    expect(verifyTaobaoSign(params, SECRET)).toBe(false);
  });

  itBehavesLikeSortedParamsSigning(signTaobao);
});

describe('Taobao push verification', () => {
  it('accepts an authentic, fresh push', () => {
    expect(verifyTaobaoPush(signedPush(push), SECRET, NOW)).toEqual({ ok: true });
  });

  it('signs numbers as their decimal text and ignores null fields', () => {
    const asStrings = { ...push, user_id: '12345', sign: signTaobao({ ...push, user_id: '12345' }, SECRET) };
    expect(verifyTaobaoPush(asStrings, SECRET, NOW)).toEqual({ ok: true });
    expect(verifyTaobaoPush({ ...signedPush(push), extra: null, blank: '' }, SECRET, NOW)).toEqual({ ok: true });
  });

  it('calls a push more than 10 minutes off stale, in either direction', () => {
    const old = signedPush({ ...push, pub_time: '2026-11-23 09:49:59' });
    const early = signedPush({ ...push, pub_time: '2026-11-23 10:10:01' });
    expect(verifyTaobaoPush(old, SECRET, NOW)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyTaobaoPush(early, SECRET, NOW)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyTaobaoPush(signedPush({ ...push, pub_time: '2026-11-23 09:50:00' }), SECRET, NOW)).toEqual({ ok: true });
    expect(verifyTaobaoPush(old, SECRET, NOW, 20 * 60_000)).toEqual({ ok: true });
  });

  it('reports a forged stale push as bad_signature, not stale', () => {
    const forged = { ...signedPush({ ...push, pub_time: '2026-11-20 10:00:00' }), sign: 'A'.repeat(64) };
    expect(verifyTaobaoPush(forged, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it.each([
    ['not an object', 'hello'],
    ['an array', [push]],
    ['no sign', push],
    ['no topic', signedPush({ ...push, topic: '' })],
    ['no msg_id', signedPush({ ...push, msg_id: undefined })],
    ['a nested content object', signedPush({ ...push, content: { a: 1 } })],
    ['a bad pub_time', signedPush({ ...push, pub_time: '2026-11-23T10:00:00+08:00' })],
  ])('calls a push with %s malformed', (_name, body) => {
    expect(verifyTaobaoPush(body, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  const signedFields = ['topic', 'content', 'user_id', 'nick', 'msg_id'] as const;

  it('rejects a push after any signed field changes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...signedFields), valueArb, (field, value) => {
        fc.pre(String(push[field]) !== value);
        expect(verifyTaobaoPush({ ...signedPush(push), [field]: value }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
      }),
    );
  });

  it('rejects a push whose pub_time changed, even to another fresh time', () => {
    fc.assert(
      fc.property(fc.integer({ min: -600, max: 600 }).filter((s) => s !== -30), (offsetSeconds) => {
        const pubTime = formatUtc8Timestamp(new Date(NOW.getTime() + offsetSeconds * 1000));
        expect(verifyTaobaoPush({ ...signedPush(push), pub_time: pubTime }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
      }),
    );
  });

  it('rejects a push with a field added or an optional one removed', () => {
    fc.assert(
      fc.property(keyArb.filter((k) => !(k in push)), valueArb, fc.constantFrom('user_id', 'nick'), (key, value, dropped) => {
        expect(verifyTaobaoPush({ ...signedPush(push), [key]: value }, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
        const { [dropped]: _gone, ...rest } = signedPush(push);
        expect(verifyTaobaoPush(rest, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
      }),
    );
  });

  it('rejects a push signed with another secret', () => {
    fc.assert(
      fc.property(secretArb.filter((s) => s !== SECRET), (other) => {
        expect(verifyTaobaoPush(signedPush(push, other), SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
      }),
    );
  });

  it('accepts a push whatever the order of its fields', () => {
    const entries = Object.entries(signedPush(push));
    fc.assert(
      fc.property(fc.shuffledSubarray(entries, { minLength: entries.length }), (shuffled) => {
        expect(verifyTaobaoPush(Object.fromEntries(shuffled), SECRET, NOW)).toEqual({ ok: true });
      }),
    );
  });
});
