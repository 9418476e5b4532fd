import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { CryptoBox } from '../../src/security/crypto-box.ts';
import { hashSecret, newBearerSecret, safeEqual } from '../../src/security/tokens.ts';
import { checkWebhookUrl, isPublicAddress } from '../../src/security/webhook-url.ts';

const key = (n: number) => Buffer.alloc(32, n);

describe('CryptoBox', () => {
  it('round-trips any string and records the key id', () => {
    const box = new CryptoBox([{ id: 'k1', key: key(1) }]);
    fc.assert(fc.property(fc.string(), (s) => {
      const sealed = box.seal(s);
      expect(sealed.keyId).toBe('k1');
      expect(box.open(sealed)).toBe(s);
    }));
  });

  it('decrypts with an older key after rotation, encrypts with the new one', () => {
    const old = new CryptoBox([{ id: 'k1', key: key(1) }]);
    const sealed = old.seal('13800138000');
    const rotated = new CryptoBox([{ id: 'k2', key: key(2) }, { id: 'k1', key: key(1) }]);
    expect(rotated.open(sealed)).toBe('13800138000');
    expect(rotated.seal('x').keyId).toBe('k2');
  });

  it('rejects tampered ciphertext', () => {
    const box = new CryptoBox([{ id: 'k1', key: key(1) }]);
    const sealed = box.seal('voucher-code-123');
    const raw = Buffer.from(sealed.data, 'base64');
    raw[14] = (raw[14] ?? 0) ^ 1;
    expect(() => box.open({ keyId: 'k1', data: raw.toString('base64') })).toThrow();
  });

  it('makes keyed hashes that depend on the key', () => {
    const a = new CryptoBox([{ id: 'k1', key: key(1) }]).keyedHash('8000');
    const b = new CryptoBox([{ id: 'k2', key: key(2) }]).keyedHash('8000');
    expect(a.hash).not.toBe(b.hash);
    expect(a.keyId).toBe('k1');
  });
});

describe('bearer secrets', () => {
  it('are long, prefixed, unique and hashed with the pepper', () => {
    const a = newBearerSecret('rh_live_');
    expect(a).toMatch(/^rh_live_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(newBearerSecret('rh_live_'));
    expect(hashSecret(a, 'p1')).not.toBe(hashSecret(a, 'p2'));
    expect(safeEqual(hashSecret(a, 'p1'), hashSecret(a, 'p1'))).toBe(true);
  });
});

describe('webhook URL checks', () => {
  it('classifies addresses', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.0.1', '169.254.169.254', '::1', 'fe80::1', 'fd00::1', '0.0.0.0', '100.64.0.1', '::ffff:127.0.0.1']) expect(isPublicAddress(a), a).toBe(false);
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(isPublicAddress(a), a).toBe(true);
  });

  it('refuses a host that resolves to a private address (DNS rebinding at delivery)', async () => {
    const v = await checkWebhookUrl('https://mall.example.com/hook', { allowPrivate: false, resolve: async () => ['93.184.216.34', '10.0.0.5'] });
    expect(v.ok).toBe(false);
    expect((await checkWebhookUrl('https://mall.example.com/hook', { allowPrivate: false, resolve: async () => ['93.184.216.34'] })).ok).toBe(true);
  });
});

describe('configuration', () => {
  it('has defaults that work on a developer machine', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.rateLimit).toEqual({ perSec: 200, burst: 400 });
    expect(c.encryptionKeys[0]?.key.length).toBe(32);
  });

  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ HUB_PORT: 'abc', HUB_SANDBOX: 'maybe' })).toThrow(/HUB_PORT[\s\S]*HUB_SANDBOX|HUB_SANDBOX[\s\S]*HUB_PORT/);
  });

  it('refuses the development secrets in production', () => {
    expect(() => loadConfig({ HUB_ENV: 'production' })).toThrow(/HUB_TOKEN_PEPPER[\s\S]*HUB_ENCRYPTION_KEYS/);
  });
});
