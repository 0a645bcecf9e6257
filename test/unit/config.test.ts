import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config.js';
import { parseDuration } from '../../domain/duration.js';

const valid = {
  DATABASE_URL: 'postgres://user:pw@db.internal:5432/fastfollow',
  TEMPORAL_ADDRESS: 'temporal.internal:7233',
  API_TOKEN: 'a'.repeat(32),
  SUPPORT_TOKEN: 'b'.repeat(32),
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  SALESFORCE_CLIENT_ID: '3MVG9client',
  SALESFORCE_CLIENT_SECRET: 'super-secret-value',
  SALESFORCE_CALLBACK_URL: 'https://app.fastfollow.ai/api/integrations/salesforce/callback',
  APP_URL: 'https://app.fastfollow.ai/settings/integrations',
};

function errorOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(config.TEMPORAL_TASK_QUEUE).toBe('salesforce-sync');
    expect(config.API_PORT).toBe(3000);
    expect(config.SALESFORCE_LOGIN_URL_PRODUCTION).toBe('https://login.salesforce.com');
    expect(config.SALESFORCE_LOGIN_URL_SANDBOX).toBe('https://test.salesforce.com');
    expect(config.SYNC_POLL_INTERVAL).toBe(120_000);
  });

  it('parses explicit values', () => {
    const config = loadConfig({ ...valid, API_PORT: '8080', SYNC_POLL_INTERVAL: '15s' });
    expect(config.API_PORT).toBe(8080);
    expect(config.SYNC_POLL_INTERVAL).toBe(15_000);
  });

  it('names a missing variable in one line', () => {
    const message = errorOf({ ...valid, API_TOKEN: undefined });
    expect(message).toBe('Configuration error: API_TOKEN is required but not set.');
  });

  it('treats an empty value as unset', () => {
    expect(errorOf({ ...valid, APP_URL: '' })).toBe('Configuration error: APP_URL is required but not set.');
  });

  it('rejects a non-numeric port and shows the value', () => {
    const message = errorOf({ ...valid, API_PORT: 'abc' });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('API_PORT');
    expect(message).toContain('"abc"');
  });

  it('rejects an out-of-range port', () => {
    expect(errorOf({ ...valid, API_PORT: '70000' })).toContain('API_PORT must be a TCP port number');
  });

  it('rejects an encryption key that is not 32 bytes, without echoing it', () => {
    const key = Buffer.alloc(16, 1).toString('base64');
    const message = errorOf({ ...valid, TOKEN_ENCRYPTION_KEY: key });
    expect(message).toContain('TOKEN_ENCRYPTION_KEY must be 32 random bytes');
    expect(message).not.toContain(key);
  });

  it('rejects a malformed Temporal address, database URL and poll interval', () => {
    expect(errorOf({ ...valid, TEMPORAL_ADDRESS: 'temporal' })).toContain('TEMPORAL_ADDRESS must be host:port');
    expect(errorOf({ ...valid, DATABASE_URL: 'mysql://x' })).toContain('DATABASE_URL must be a postgres://');
    expect(errorOf({ ...valid, SYNC_POLL_INTERVAL: 'soon' })).toContain('SYNC_POLL_INTERVAL must be a duration');
  });

  it('reports every problem, one per line', () => {
    const message = errorOf({ ...valid, API_TOKEN: undefined, API_PORT: 'x' });
    expect(message.split('\n').sort()).toEqual([
      'Configuration error: API_PORT must be a TCP port number (1-65535) (got "x").',
      'Configuration error: API_TOKEN is required but not set.',
    ]);
  });
});

describe('loadConfig: the two bearer tokens', () => {
  it('refuses the same value for API_TOKEN and SUPPORT_TOKEN, naming both and echoing neither', () => {
    const shared = 'shared-token-0123456789abcdef';
    const message = errorOf({ ...valid, API_TOKEN: shared, SUPPORT_TOKEN: shared });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('API_TOKEN and SUPPORT_TOKEN must differ');
    expect(message).not.toContain(shared);
  });

  it.each([
    ['a space', 'token with a space inside'],
    ['a quote', 'token"0123456789abcdef'],
    ['a colon', 'token:0123456789abcdef'],
    ['padding in the middle', 'token=0123456789abcdef'],
    ['a non-ASCII letter', 'tökén0123456789abcdef'],
  ])('refuses a token with %s (not a bearer token), without echoing it', (_what, token) => {
    for (const variable of ['API_TOKEN', 'SUPPORT_TOKEN'] as const) {
      const message = errorOf({ ...valid, [variable]: token });
      expect(message).toBe(
        `Configuration error: ${variable} may contain only letters, digits and - . _ ~ + / (then = padding), the characters of a bearer token.`,
      );
    }
  });

  it('accepts every bearer-token character, including base64 padding at the end', () => {
    const config = loadConfig({ ...valid, API_TOKEN: 'Az09-._~+/Az09-._~+/==', SUPPORT_TOKEN: Buffer.alloc(32, 9).toString('base64') });
    expect(config.API_TOKEN).toBe('Az09-._~+/Az09-._~+/==');
  });
});

describe('loadConfig: where the API listens', () => {
  it('binds every interface unless API_HOST says otherwise', () => {
    expect(loadConfig(valid).API_HOST).toBe('0.0.0.0');
    expect(loadConfig({ ...valid, API_HOST: '127.0.0.1' }).API_HOST).toBe('127.0.0.1');
    expect(errorOf({ ...valid, API_HOST: 'http://x' })).toContain('API_HOST must be an IP address or host name');
  });
});

describe('loadConfig: the encryption keys', () => {
  const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

  it('accepts a staged next key and reports a bad one in one line, without the key', () => {
    expect(() => loadConfig({ ...valid, TOKEN_ENCRYPTION_NEXT_KEY: `2:${key(8)}` })).not.toThrow();
    const clash = errorOf({ ...valid, TOKEN_ENCRYPTION_NEXT_KEY: `1:${key(8)}` });
    expect(clash).toBe('Configuration error: TOKEN_ENCRYPTION_NEXT_KEY repeats key version 1, already used by TOKEN_ENCRYPTION_KEY_VERSION.');
    const malformed = errorOf({ ...valid, TOKEN_ENCRYPTION_NEXT_KEY: key(8) });
    expect(malformed).toContain('TOKEN_ENCRYPTION_NEXT_KEY must be version:base64key');
    expect(malformed).not.toContain(key(8));
  });

  it('reports a malformed previous key at start (not at the first decryption), without the key', () => {
    const message = errorOf({ ...valid, TOKEN_ENCRYPTION_PREVIOUS_KEYS: `2:${key(8).slice(0, 20)}` });
    expect(message).toContain('TOKEN_ENCRYPTION_PREVIOUS_KEYS entry 1 must be 32 random bytes');
    expect(message).not.toContain(key(8).slice(0, 20));
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1.5h', 5_400_000],
    ['1d', 86_400_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '2', 'm', '2 minutes', '-1s'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});
