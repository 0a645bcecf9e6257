import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type EncryptedSecret, TokenVault, TokenVaultError } from '../../platform/token-vault.js';

const keyV1 = randomBytes(32);
const keyV2 = randomBytes(32);
const vaultV1 = new TokenVault({ keys: new Map([[1, keyV1]]), currentVersion: 1 });
const ACCOUNT = 'acct_0001';
const OTHER_ACCOUNT = 'acct_0002';
const TOKEN = '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrPzEHHLHaH0CJ5bM0rRzcIs.3aLz8aSVX7WS7O3CXA7N5Uxyz';

function errorOf(run: () => unknown): TokenVaultError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenVaultError);
    return error as TokenVaultError;
  }
  throw new Error('expected a TokenVaultError');
}

/** No secret may leak through an error message, in any encoding we might plausibly print it in. */
function expectNoSecrets(message: string, ...secrets: Array<string | Buffer>): void {
  for (const secret of secrets) {
    const forms = typeof secret === 'string' ? [secret] : [secret.toString('base64'), secret.toString('base64url'), secret.toString('hex')];
    for (const form of forms) expect(message).not.toContain(form);
  }
}

function parts(secret: EncryptedSecret): Buffer[] {
  return secret.ciphertext.split('.').map((part) => Buffer.from(part, 'base64url'));
}

function withParts(secret: EncryptedSecret, buffers: Buffer[]): EncryptedSecret {
  return { ...secret, ciphertext: buffers.map((buffer) => buffer.toString('base64url')).join('.') };
}

describe('TokenVault encryption', () => {
  it('round-trips a secret, including unicode and the empty string', () => {
    for (const plaintext of [TOKEN, 'päss✓ 🔑', '']) {
      const secret = vaultV1.encrypt(ACCOUNT, 'refresh_token', plaintext);
      expect(secret.keyVersion).toBe(1);
      expect(secret.ciphertext).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/);
      expect(vaultV1.decrypt(ACCOUNT, 'refresh_token', secret)).toBe(plaintext);
    }
  });

  it('uses a fresh IV each time, so equal plaintexts give different ciphertexts', () => {
    const a = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    const b = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    const [ivA, tagA] = parts(a);
    const [ivB] = parts(b);
    expect(ivA).toHaveLength(12);
    expect(tagA).toHaveLength(16);
    expect(ivA?.equals(ivB!)).toBe(false);
  });

  it('never shows the plaintext in the ciphertext', () => {
    const secret = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    expectNoSecrets(secret.ciphertext, TOKEN, Buffer.from(TOKEN));
    for (const part of parts(secret)) expect(part.includes(Buffer.from(TOKEN.slice(0, 8)))).toBe(false);
  });

  it('encrypts with an HKDF-SHA256 key derived per account, not the master key', () => {
    const secret = vaultV1.encrypt(ACCOUNT, 'access_token', TOKEN);
    const [iv, tag, data] = parts(secret);
    // Independent re-implementation of the documented scheme: proves the derivation, salt, info and AAD.
    const decryptWith = (key: Buffer) => {
      const decipher = createDecipheriv('aes-256-gcm', key, iv!, { authTagLength: 16 });
      decipher.setAAD(Buffer.from(JSON.stringify(['fastfollow/salesforce-token-vault/v1', ACCOUNT, 'access_token', 1])));
      decipher.setAuthTag(tag!);
      return Buffer.concat([decipher.update(data!), decipher.final()]).toString('utf8');
    };
    const derive = (account: string) =>
      Buffer.from(hkdfSync('sha256', keyV1, 'fastfollow/salesforce-token-vault/v1', `account:${account}`, 32));
    expect(decryptWith(derive(ACCOUNT))).toBe(TOKEN);
    expect(() => decryptWith(keyV1)).toThrow();
    expect(() => decryptWith(derive(OTHER_ACCOUNT))).toThrow();
    expect(derive(ACCOUNT).equals(derive(OTHER_ACCOUNT))).toBe(false);
  });

  it('refuses a ciphertext copied to another account', () => {
    const secret = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    const error = errorOf(() => vaultV1.decrypt(OTHER_ACCOUNT, 'refresh_token', secret));
    expect(error.message).toMatch(/authentication failed/);
    expectNoSecrets(error.message, TOKEN, keyV1);
  });

  it('refuses a ciphertext used as another purpose', () => {
    const secret = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    expect(() => vaultV1.decrypt(ACCOUNT, 'access_token', secret)).toThrow(TokenVaultError);
    expect(() => vaultV1.decrypt(ACCOUNT, 'pkce_verifier', secret)).toThrow(TokenVaultError);
  });

  it('refuses a secret relabelled with another known key version', () => {
    const vault = new TokenVault({ keys: new Map([[1, keyV1], [2, keyV1]]), currentVersion: 1 });
    const secret = vault.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    // Same master key under both versions: only the AAD's key version can make this fail.
    expect(() => vault.decrypt(ACCOUNT, 'refresh_token', { ...secret, keyVersion: 2 })).toThrow(TokenVaultError);
  });

  it('detects a flipped bit in the IV, the tag or the data, with a log-safe error', () => {
    const secret = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    const original = parts(secret);
    original.forEach((part, partIndex) => {
      for (let byte = 0; byte < part.length; byte++) {
        const tampered = original.map((buffer) => Buffer.from(buffer));
        tampered[partIndex]![byte]! ^= 0x01;
        const error = errorOf(() => vaultV1.decrypt(ACCOUNT, 'refresh_token', withParts(secret, tampered)));
        expectNoSecrets(error.message, TOKEN, keyV1, secret.ciphertext);
      }
    });
  });

  it('detects any changed character of the stored string, including non-canonical base64url', () => {
    const secret = vaultV1.encrypt(ACCOUNT, 'refresh_token', 'short');
    const { ciphertext } = secret;
    for (let i = 0; i < ciphertext.length; i++) {
      const replacement = ciphertext[i] === 'A' ? 'B' : ciphertext[i] === '.' ? '-' : 'A';
      const tampered = ciphertext.slice(0, i) + replacement + ciphertext.slice(i + 1);
      expect(() => vaultV1.decrypt(ACCOUNT, 'refresh_token', { ...secret, ciphertext: tampered })).toThrow(TokenVaultError);
    }
  });

  it('rejects a character changed only in the padding bits base64url decoding ignores', () => {
    const secret = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    const [iv, tag, data] = secret.ciphertext.split('.') as [string, string, string];
    // A 16-byte tag is 22 characters; the last one carries 2 bits, so flipping its lowest bit
    // yields a different string that Node decodes to the very same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(tag.slice(-1));
    const sameBytesTag = tag.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(sameBytesTag, 'base64url').equals(Buffer.from(tag, 'base64url'))).toBe(true);
    const error = errorOf(() => vaultV1.decrypt(ACCOUNT, 'refresh_token', { ...secret, ciphertext: `${iv}.${sameBytesTag}.${data}` }));
    expect(error.message).toMatch(/malformed/);
  });

  it('rejects malformed and truncated ciphertexts', () => {
    const secret = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    const [iv, tag, data] = parts(secret);
    const malformed = [
      '',
      'not-a-ciphertext',
      secret.ciphertext + '.extra',
      secret.ciphertext.replace('.', '+'),
      withParts(secret, [iv!, tag!.subarray(0, 12), data!]).ciphertext, // truncated tag
      withParts(secret, [iv!.subarray(0, 8), tag!, data!]).ciphertext,
    ];
    for (const ciphertext of malformed) {
      const error = errorOf(() => vaultV1.decrypt(ACCOUNT, 'refresh_token', { ...secret, ciphertext }));
      expect(error.message).toMatch(/malformed/);
    }
    expect(() => vaultV1.decrypt(ACCOUNT, 'refresh_token', withParts(secret, [iv!, tag!, data!.subarray(1)]))).toThrow(
      TokenVaultError,
    );
  });

  it('names an unknown key version clearly', () => {
    const secret = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    const error = errorOf(() => vaultV1.decrypt(ACCOUNT, 'refresh_token', { ...secret, keyVersion: 7 }));
    expect(error.message).toContain('unknown key version 7');
    expect(error.message).toContain('known: 1');
    expectNoSecrets(error.message, TOKEN, keyV1);
  });

  it('rejects an empty account id', () => {
    expect(() => vaultV1.encrypt('', 'refresh_token', TOKEN)).toThrow(TokenVaultError);
  });

  it('keeps working beyond the derived-key cache size', () => {
    const vault = new TokenVault({ keys: new Map([[1, keyV1]]), currentVersion: 1 });
    const first = vault.encrypt('acct_first', 'refresh_token', TOKEN);
    for (let i = 0; i < 1_100; i++) vault.encrypt(`acct_${i}`, 'access_token', 'x');
    expect(vault.decrypt('acct_first', 'refresh_token', first)).toBe(TOKEN);
  });
});

describe('TokenVault master-key rotation', () => {
  it('decrypts old secrets, flags them and re-encrypts under the current key', () => {
    const old = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    const rotated = new TokenVault({ keys: new Map([[2, keyV2], [1, keyV1]]), currentVersion: 2 });
    expect(rotated.decrypt(ACCOUNT, 'refresh_token', old)).toBe(TOKEN);
    expect(rotated.needsReencryption(old)).toBe(true);

    const renewed = rotated.reencrypt(ACCOUNT, 'refresh_token', old);
    expect(renewed.keyVersion).toBe(2);
    expect(rotated.needsReencryption(renewed)).toBe(false);
    expect(rotated.encrypt(ACCOUNT, 'refresh_token', TOKEN).keyVersion).toBe(2);

    const onlyV2 = new TokenVault({ keys: new Map([[2, keyV2]]), currentVersion: 2 });
    expect(onlyV2.decrypt(ACCOUNT, 'refresh_token', renewed)).toBe(TOKEN);
    expect(() => onlyV2.decrypt(ACCOUNT, 'refresh_token', old)).toThrow(/unknown key version 1/);
    // Re-encryption keeps the account and purpose binding.
    expect(() => onlyV2.decrypt(OTHER_ACCOUNT, 'refresh_token', renewed)).toThrow(TokenVaultError);
  });
});

describe('TokenVault rolling rotation with a staged next key', () => {
  const b64 = (key: Buffer) => key.toString('base64');
  // Step 1 deploys this to every replica: still writing with v1, already able to read v2.
  const oldReplica = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: b64(keyV1), TOKEN_ENCRYPTION_NEXT_KEY: `2:${b64(keyV2)}` });
  // Step 2 rolls this out: writing with v2, still reading v1.
  const newReplica = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: b64(keyV2), TOKEN_ENCRYPTION_KEY_VERSION: 2, TOKEN_ENCRYPTION_PREVIOUS_KEYS: `1:${b64(keyV1)}` });

  it('an old replica with only the old current key and the staged next key reads what a switched replica wrote', () => {
    const written = newReplica.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    expect(written.keyVersion).toBe(2);
    expect(oldReplica.decrypt(ACCOUNT, 'refresh_token', written)).toBe(TOKEN);
    // …and the other way round, while both run side by side.
    expect(newReplica.decrypt(ACCOUNT, 'access_token', oldReplica.encrypt(ACCOUNT, 'access_token', TOKEN))).toBe(TOKEN);
  });

  it('never writes with the staged key, and does not ask to re-encrypt onto the current one before the switch', () => {
    expect(oldReplica.encrypt(ACCOUNT, 'refresh_token', TOKEN).keyVersion).toBe(1);
    expect(oldReplica.needsReencryption(oldReplica.encrypt(ACCOUNT, 'refresh_token', TOKEN))).toBe(false);
  });

  it('without the staged key an old replica cannot read it, and the error points at TOKEN_ENCRYPTION_NEXT_KEY', () => {
    const unstaged = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: b64(keyV1) });
    const error = errorOf(() => unstaged.decrypt(ACCOUNT, 'refresh_token', newReplica.encrypt(ACCOUNT, 'refresh_token', TOKEN)));
    expect(error.message).toContain('unknown key version 2');
    expect(error.message).toContain('TOKEN_ENCRYPTION_NEXT_KEY');
  });

  it('names TOKEN_ENCRYPTION_NEXT_KEY on malformed input or a version clash, never the key', () => {
    const next = b64(keyV2);
    const cases: Array<[Record<string, string | number>, RegExp]> = [
      [{ TOKEN_ENCRYPTION_NEXT_KEY: next }, /TOKEN_ENCRYPTION_NEXT_KEY must be version:base64key/],
      [{ TOKEN_ENCRYPTION_NEXT_KEY: `x:${next}` }, /TOKEN_ENCRYPTION_NEXT_KEY must start with a key version/],
      [{ TOKEN_ENCRYPTION_NEXT_KEY: `2:${next.slice(4)}` }, /TOKEN_ENCRYPTION_NEXT_KEY must be 32 random bytes/],
      [{ TOKEN_ENCRYPTION_NEXT_KEY: `1:${next}` }, /TOKEN_ENCRYPTION_NEXT_KEY repeats key version 1, already used by TOKEN_ENCRYPTION_KEY_VERSION/],
      [
        { TOKEN_ENCRYPTION_KEY_VERSION: 2, TOKEN_ENCRYPTION_PREVIOUS_KEYS: `3:${b64(randomBytes(32))}`, TOKEN_ENCRYPTION_NEXT_KEY: `3:${next}` },
        /TOKEN_ENCRYPTION_NEXT_KEY repeats key version 3, already used by TOKEN_ENCRYPTION_PREVIOUS_KEYS/,
      ],
    ];
    for (const [settings, expected] of cases) {
      const error = errorOf(() => TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: b64(keyV1), ...settings }));
      expect(error.message).toMatch(expected);
      expectNoSecrets(error.message, next, keyV1, keyV2);
    }
  });
});

describe('TokenVault construction', () => {
  it('requires a key for the current version', () => {
    const error = errorOf(() => new TokenVault({ keys: new Map([[1, keyV1]]), currentVersion: 2 }));
    expect(error.message).toContain('current version 2');
  });

  it('requires 32-byte keys and positive integer versions', () => {
    const short = randomBytes(16);
    const error = errorOf(() => new TokenVault({ keys: new Map([[1, keyV1], [2, short]]), currentVersion: 1 }));
    expect(error.message).toContain('version 2 must be 32 bytes');
    expectNoSecrets(error.message, short);
    expect(() => new TokenVault({ keys: new Map([[0, keyV1]]), currentVersion: 0 })).toThrow(TokenVaultError);
    expect(() => new TokenVault({ keys: new Map([[1.5, keyV1]]), currentVersion: 1.5 })).toThrow(TokenVaultError);
  });

  it('is not affected by later changes to the caller’s key buffer', () => {
    const key = Buffer.from(keyV1);
    const vault = new TokenVault({ keys: new Map([[1, key]]), currentVersion: 1 });
    key.fill(0);
    expect(vaultV1.decrypt(ACCOUNT, 'refresh_token', vault.encrypt(ACCOUNT, 'refresh_token', TOKEN))).toBe(TOKEN);
  });
});

describe('TokenVault.fromConfig', () => {
  const b64 = (key: Buffer) => key.toString('base64');

  it('defaults the current key to version 1', () => {
    const vault = TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: b64(keyV1) });
    const secret = vault.encrypt(ACCOUNT, 'pkce_verifier', TOKEN);
    expect(secret.keyVersion).toBe(1);
    expect(vaultV1.decrypt(ACCOUNT, 'pkce_verifier', secret)).toBe(TOKEN);
  });

  it('parses the current version and previous keys', () => {
    const keyV3 = randomBytes(32);
    const fromV1 = vaultV1.encrypt(ACCOUNT, 'refresh_token', TOKEN);
    const fromV2 = new TokenVault({ keys: new Map([[2, keyV2]]), currentVersion: 2 }).encrypt(ACCOUNT, 'refresh_token', TOKEN);
    const vault = TokenVault.fromConfig({
      TOKEN_ENCRYPTION_KEY: b64(keyV3),
      TOKEN_ENCRYPTION_KEY_VERSION: 3,
      TOKEN_ENCRYPTION_PREVIOUS_KEYS: ` 1:${b64(keyV1)}, 2:${b64(keyV2)},`,
    });
    expect(vault.decrypt(ACCOUNT, 'refresh_token', fromV1)).toBe(TOKEN);
    expect(vault.decrypt(ACCOUNT, 'refresh_token', fromV2)).toBe(TOKEN);
    expect(vault.encrypt(ACCOUNT, 'refresh_token', TOKEN).keyVersion).toBe(3);
  });

  it('names TOKEN_ENCRYPTION_KEY on a bad current key without echoing it', () => {
    for (const bad of [b64(randomBytes(16)), 'not base64 at all!', randomBytes(32).toString('hex')]) {
      const error = errorOf(() => TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: bad }));
      expect(error.message).toContain('TOKEN_ENCRYPTION_KEY must be 32 random bytes');
      expectNoSecrets(error.message, bad);
    }
  });

  it('names TOKEN_ENCRYPTION_KEY_VERSION when it is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      const error = errorOf(() => TokenVault.fromConfig({ TOKEN_ENCRYPTION_KEY: b64(keyV2), TOKEN_ENCRYPTION_KEY_VERSION: bad }));
      expect(error.message).toContain('TOKEN_ENCRYPTION_KEY_VERSION');
    }
  });

  it('names TOKEN_ENCRYPTION_PREVIOUS_KEYS and the entry on malformed input, never the key', () => {
    const current = { TOKEN_ENCRYPTION_KEY: b64(keyV2), TOKEN_ENCRYPTION_KEY_VERSION: 2 };
    const old = b64(keyV1);
    const shortKey = b64(randomBytes(20));
    const cases: Array<[string, RegExp]> = [
      [old, /entry 1 must be version:base64key/], // version forgotten
      [`x:${old}`, /entry 1 must start with a key version/],
      [`0:${old}`, /entry 1 must start with a key version/],
      [`1:${old},3:${shortKey}`, /entry 2 must be 32 random bytes/],
      [`1:${old},3:`, /entry 2 must be 32 random bytes/],
      [`1:${old},1:${old}`, /entry 2 repeats key version 1, already used by an earlier entry/],
      [`2:${old}`, /entry 1 repeats key version 2, already used by TOKEN_ENCRYPTION_KEY_VERSION/],
    ];
    for (const [previous, expected] of cases) {
      const error = errorOf(() => TokenVault.fromConfig({ ...current, TOKEN_ENCRYPTION_PREVIOUS_KEYS: previous }));
      expect(error.message).toContain('TOKEN_ENCRYPTION_PREVIOUS_KEYS');
      expect(error.message).toMatch(expected);
      expectNoSecrets(error.message, old, shortKey, keyV1, keyV2);
    }
  });
});
