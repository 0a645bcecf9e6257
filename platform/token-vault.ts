import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for Salesforce OAuth secrets (docs/contracts.md).
 *
 * AES-256-GCM with a key per FastFollow account, derived by HKDF from a versioned master key.
 * A per-account key means a leaked derived key (or a bug that decrypts with the wrong one) only
 * exposes one account; the version stored beside the ciphertext lets us rotate the master key
 * while old rows stay readable until they are re-encrypted.
 *
 * Messages of every error thrown here are safe to log: they never contain plaintext,
 * ciphertext or key material.
 */

export type SecretPurpose = 'refresh_token' | 'access_token' | 'pkce_verifier';

/** `ciphertext` goes in a text column, `keyVersion` in an int column beside it. */
export interface EncryptedSecret {
  ciphertext: string;
  keyVersion: number;
}

export class TokenVaultError extends Error {
  override name = 'TokenVaultError';
}

const KEY_BYTES = 32;
const IV_BYTES = 12; // the GCM standard nonce size; random per encryption, so never reused in practice
const TAG_BYTES = 16;
const HKDF_SALT = 'fastfollow/salesforce-token-vault/v1';
const MAX_CACHED_KEYS = 1_000;
const MAX_KEY_VERSION = 2 ** 31 - 1; // keyVersion lives in a Postgres int column
const PURPOSES: ReadonlySet<string> = new Set<SecretPurpose>(['refresh_token', 'access_token', 'pkce_verifier']);
const BASE64URL = /^[A-Za-z0-9_-]*$/; // data may be empty (empty plaintext)
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class TokenVault {
  readonly #keys: ReadonlyMap<number, Buffer>;
  readonly #currentVersion: number;
  /** HKDF runs on every call otherwise; insertion order doubles as LRU order. */
  readonly #derivedKeys = new Map<string, Buffer>();

  /** `keys`: master keys by version (32 bytes each); `currentVersion`: the one new secrets use. */
  constructor(options: { keys: ReadonlyMap<number, Buffer>; currentVersion: number }) {
    const keys = new Map<number, Buffer>();
    for (const [version, key] of options.keys) {
      if (!isKeyVersion(version)) {
        throw new TokenVaultError(`Token vault key version ${String(version)} must be an integer from 1 to ${MAX_KEY_VERSION}`);
      }
      if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
        throw new TokenVaultError(`Token vault master key version ${version} must be ${KEY_BYTES} bytes`);
      }
      keys.set(version, Buffer.from(key)); // copy: the caller's buffer may be reused or zeroed later
    }
    if (!keys.has(options.currentVersion)) {
      throw new TokenVaultError(`Token vault has no master key for the current version ${String(options.currentVersion)}`);
    }
    this.#keys = keys;
    this.#currentVersion = options.currentVersion;
  }

  /**
   * Builds a vault from the environment: TOKEN_ENCRYPTION_KEY (current, base64, 32 bytes) with version
   * TOKEN_ENCRYPTION_KEY_VERSION (default 1), plus decrypt-only keys: TOKEN_ENCRYPTION_PREVIOUS_KEYS, a
   * comma-separated `version:base64key` list of retired keys, and TOKEN_ENCRYPTION_NEXT_KEY, one
   * `version:base64key` staged before it becomes current. Staging it on every replica first is what makes
   * a rolling rotation safe: a replica still writing with the old key can read what a replica already
   * switched to the new key wrote (README, "Rotating the master key").
   */
  static fromConfig(config: {
    TOKEN_ENCRYPTION_KEY: string;
    TOKEN_ENCRYPTION_KEY_VERSION?: number;
    TOKEN_ENCRYPTION_PREVIOUS_KEYS?: string | undefined;
    TOKEN_ENCRYPTION_NEXT_KEY?: string | undefined;
  }): TokenVault {
    const currentVersion = config.TOKEN_ENCRYPTION_KEY_VERSION ?? 1;
    if (!isKeyVersion(currentVersion)) {
      throw new TokenVaultError(`TOKEN_ENCRYPTION_KEY_VERSION must be an integer from 1 to ${MAX_KEY_VERSION}`);
    }
    const keys = new Map<number, Buffer>([[currentVersion, parseKey(config.TOKEN_ENCRYPTION_KEY, 'TOKEN_ENCRYPTION_KEY')]]);

    const entries = (config.TOKEN_ENCRYPTION_PREVIOUS_KEYS ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''); // tolerate a trailing comma or an empty variable
    // Errors name the entry by position only: the text itself may be (part of) a key.
    entries.forEach((entry, index) => addDecryptOnlyKey(keys, currentVersion, entry, `TOKEN_ENCRYPTION_PREVIOUS_KEYS entry ${index + 1}`));
    const next = config.TOKEN_ENCRYPTION_NEXT_KEY?.trim();
    if (next) addDecryptOnlyKey(keys, currentVersion, next, 'TOKEN_ENCRYPTION_NEXT_KEY');

    return new TokenVault({ keys, currentVersion });
  }

  encrypt(accountId: string, purpose: SecretPurpose, plaintext: string): EncryptedSecret {
    checkContext(accountId, purpose);
    const keyVersion = this.#currentVersion;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#accountKey(accountId, keyVersion), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(accountId, purpose, keyVersion));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return { ciphertext: [iv, tag, data].map((part) => part.toString('base64url')).join('.'), keyVersion };
  }

  /** Throws TokenVaultError when the secret was tampered with, or belongs to another account, purpose or key version. */
  decrypt(accountId: string, purpose: SecretPurpose, secret: EncryptedSecret): string {
    checkContext(accountId, purpose);
    const { keyVersion } = secret;
    if (!this.#keys.has(keyVersion)) {
      const known = [...this.#keys.keys()].sort((a, b) => a - b).join(', ');
      throw new TokenVaultError(
        `Cannot decrypt token: unknown key version ${String(keyVersion)} (known: ${known}); is a newer key not staged in TOKEN_ENCRYPTION_NEXT_KEY, or an older one missing from TOKEN_ENCRYPTION_PREVIOUS_KEYS?`,
      );
    }
    const { iv, tag, data } = parseCiphertext(secret.ciphertext);
    // authTagLength pins the tag size, so a truncated (easier to forge) tag is rejected.
    const decipher = createDecipheriv('aes-256-gcm', this.#accountKey(accountId, keyVersion), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(accountId, purpose, keyVersion));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      // Deliberately drops Node's error: one generic, log-safe reason for every authentication failure.
      throw new TokenVaultError(
        'Cannot decrypt token: authentication failed (tampered, or encrypted for another account or purpose)',
      );
    }
  }

  /** True for secrets written under an older master key; callers re-encrypt them when convenient. */
  needsReencryption(secret: EncryptedSecret): boolean {
    return secret.keyVersion !== this.#currentVersion;
  }

  /** Decrypts with whatever version the secret names and encrypts again under the current key. */
  reencrypt(accountId: string, purpose: SecretPurpose, secret: EncryptedSecret): EncryptedSecret {
    return this.encrypt(accountId, purpose, this.decrypt(accountId, purpose, secret));
  }

  #accountKey(accountId: string, keyVersion: number): Buffer {
    const cacheKey = `${keyVersion}:${accountId}`;
    const cached = this.#derivedKeys.get(cacheKey);
    if (cached) {
      this.#derivedKeys.delete(cacheKey); // move to the most recently used end
      this.#derivedKeys.set(cacheKey, cached);
      return cached;
    }
    const master = this.#keys.get(keyVersion);
    if (!master) throw new TokenVaultError(`Token vault has no master key version ${keyVersion}`);
    const derived = Buffer.from(hkdfSync('sha256', master, HKDF_SALT, `account:${accountId}`, KEY_BYTES));
    if (this.#derivedKeys.size >= MAX_CACHED_KEYS) {
      const oldest = this.#derivedKeys.keys().next();
      if (!oldest.done) this.#derivedKeys.delete(oldest.value);
    }
    this.#derivedKeys.set(cacheKey, derived);
    return derived;
  }
}

/** Parses `version:base64key` into `keys`; `where` names the variable (and entry) in errors. */
function addDecryptOnlyKey(keys: Map<number, Buffer>, currentVersion: number, entry: string, where: string): void {
  const colon = entry.indexOf(':');
  if (colon === -1) throw new TokenVaultError(`${where} must be version:base64key (e.g. 1:<openssl rand -base64 32>)`);
  const versionText = entry.slice(0, colon).trim();
  const version = /^\d{1,10}$/.test(versionText) ? Number(versionText) : Number.NaN;
  if (!isKeyVersion(version)) {
    throw new TokenVaultError(`${where} must start with a key version, an integer from 1 to ${MAX_KEY_VERSION}`);
  }
  if (keys.has(version)) {
    const previousKeys = where === 'TOKEN_ENCRYPTION_NEXT_KEY' ? 'TOKEN_ENCRYPTION_PREVIOUS_KEYS' : 'an earlier entry';
    const clash = version === currentVersion ? 'TOKEN_ENCRYPTION_KEY_VERSION' : previousKeys;
    throw new TokenVaultError(`${where} repeats key version ${version}, already used by ${clash}`);
  }
  keys.set(version, parseKey(entry.slice(colon + 1).trim(), where));
}

function isKeyVersion(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_KEY_VERSION;
}

function parseKey(base64: string, variable: string): Buffer {
  const key = BASE64.test(base64) ? Buffer.from(base64, 'base64') : undefined;
  if (key?.length !== KEY_BYTES) {
    throw new TokenVaultError(`${variable} must be ${KEY_BYTES} random bytes, base64-encoded (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

function checkContext(accountId: string, purpose: SecretPurpose): void {
  // HKDF's info is capped at 1024 bytes; account ids are far shorter in practice.
  if (typeof accountId !== 'string' || accountId === '' || Buffer.byteLength(accountId) > 512) {
    throw new TokenVaultError('Token vault needs a non-empty account id of at most 512 bytes');
  }
  if (!PURPOSES.has(purpose)) throw new TokenVaultError('Token vault got an unknown secret purpose');
}

/**
 * Binds the ciphertext to its row: copied to another account, used as another purpose, or relabelled
 * with another key version, it fails authentication. JSON keeps the fields unambiguous whatever
 * characters the account id contains.
 */
function additionalData(accountId: string, purpose: SecretPurpose, keyVersion: number): Buffer {
  return Buffer.from(JSON.stringify([HKDF_SALT, accountId, purpose, keyVersion]), 'utf8');
}

/** `iv.tag.data`, each base64url. Requires canonical encoding so that every changed character is detected. */
function parseCiphertext(ciphertext: string): { iv: Buffer; tag: Buffer; data: Buffer } {
  const malformed = () => new TokenVaultError('Cannot decrypt token: ciphertext is malformed');
  const parts = typeof ciphertext === 'string' ? ciphertext.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw malformed();
  const [iv, tag, data] = parts.map((part) => {
    const bytes = Buffer.from(part, 'base64url');
    // Node ignores unused trailing bits; re-encoding catches a last character changed within them.
    if (bytes.toString('base64url') !== part) throw malformed();
    return bytes;
  });
  if (!iv || !tag || !data || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw malformed();
  return { iv, tag, data };
}
