import { createCipheriv, createDecipheriv, createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

/** AES-256-GCM encryption at rest with key ids, so keys can be rotated without re-encrypting at once. */
export interface Sealed {
  keyId: string;
  /** base64 of IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes). */
  data: string;
}

/** Encrypts and decrypts personal data and secrets; the first configured key encrypts. */
export class CryptoBox {
  // Key objects made once: from a Buffer, every cipher and HMAC would import the key again.
  readonly #keys: Map<string, KeyObject>;
  readonly #activeId: string;

  constructor(keys: { id: string; key: Buffer }[]) {
    const first = keys[0];
    if (!first) throw new Error('CryptoBox needs at least one key');
    this.#keys = new Map(keys.map((k) => [k.id, createSecretKey(k.key)]));
    this.#activeId = first.id;
  }

  /** Id of the key new ciphertexts and keyed hashes use. */
  get activeKeyId(): string {
    return this.#activeId;
  }

  seal(plain: string): Sealed {
    const key = this.#key(this.#activeId);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { keyId: this.#activeId, data: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64') };
  }

  open(sealed: Sealed): string {
    const raw = Buffer.from(sealed.data, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#key(sealed.keyId), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  }

  /** Keyed hash for lookups of personal data (e.g. a phone's last four digits), tagged with its key id. */
  keyedHash(value: string, keyId = this.#activeId): { keyId: string; hash: string } {
    return { keyId, hash: createHmac('sha256', this.#key(keyId)).update(value).digest('hex') };
  }

  #key(id: string): KeyObject {
    const key = this.#keys.get(id);
    if (!key) throw new Error(`encryption key "${id}" is not configured`);
    return key;
  }
}
