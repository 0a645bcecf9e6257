import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config.js';
import { describeTemporalSecurity, temporalConnectionOptions } from '../../platform/temporal-connection.js';

const folder = mkdtempSync(path.join(tmpdir(), 'temporal-tls-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function pemFile(name: string, text: string): string {
  const file = path.join(folder, name);
  writeFileSync(file, text);
  return file;
}
const certPath = pemFile('client.pem', '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n');
const keyPath = pemFile('client.key', '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n');
const caPath = pemFile('ca.pem', '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
const API_KEY = 'eyJhbGciOiJFUzI1NiJ9.temporal-cloud-api-key.signature';

const valid = {
  DATABASE_URL: 'postgres://user:pw@db.internal:5432/fastfollow',
  TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233',
  API_TOKEN: 'a'.repeat(32),
  SUPPORT_TOKEN: 'b'.repeat(32),
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  SALESFORCE_CLIENT_ID: '3MVG9client',
  SALESFORCE_CLIENT_SECRET: 'super-secret-value',
  SALESFORCE_CALLBACK_URL: 'https://app.fastfollow.ai/api/integrations/salesforce/callback',
  APP_URL: 'https://app.fastfollow.ai/settings/integrations',
};

/** Options as both processes build them: validated configuration first, then the shared helper. */
const optionsFor = (env: Record<string, string>) => temporalConnectionOptions(loadConfig({ ...valid, ...env }));

function configErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('Temporal connection options', () => {
  it('are plain TCP by default (the dev server, docker-compose)', () => {
    const options = optionsFor({});
    expect(options).toEqual({ address: 'my-ns.a1b2c.tmprl.cloud:7233', tls: false });
    expect(describeTemporalSecurity(options)).toBe('plain TCP');
  });

  it('use TLS with the system CAs on TEMPORAL_TLS=true, and plain TCP on false', () => {
    expect(optionsFor({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
    expect(optionsFor({ TEMPORAL_TLS: 'false' }).tls).toBe(false);
  });

  it('carry the mTLS client certificate and key, a custom CA and a server name, read from the files', () => {
    const options = optionsFor({
      TEMPORAL_TLS_CERT_PATH: certPath,
      TEMPORAL_TLS_KEY_PATH: keyPath,
      TEMPORAL_TLS_CA_PATH: caPath,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(options.tls).not.toBe(false);
    if (options.tls === false) return;
    expect(options.tls.clientCertPair?.crt.toString()).toContain('client');
    expect(options.tls.clientCertPair?.key.toString()).toContain('PRIVATE KEY');
    expect(options.tls.serverRootCACertificate?.toString()).toContain('ca');
    expect(options.tls.serverNameOverride).toBe('temporal.internal');
    expect(options.apiKey).toBeUndefined();
    expect(describeTemporalSecurity(options)).toBe('TLS, client certificate, custom CA');
  });

  it('send a Temporal Cloud API key, which turns TLS on by itself', () => {
    const options = optionsFor({ TEMPORAL_API_KEY: API_KEY });
    expect(options).toEqual({ address: 'my-ns.a1b2c.tmprl.cloud:7233', tls: {}, apiKey: API_KEY });
    expect(describeTemporalSecurity(options)).toBe('TLS, API key');
  });
});

describe('Temporal connection settings are validated', () => {
  it('a client certificate without its key (or the reverse) names both variables', () => {
    for (const env of [{ TEMPORAL_TLS_CERT_PATH: certPath }, { TEMPORAL_TLS_KEY_PATH: keyPath }]) {
      const message = configErrorOf(() => loadConfig({ ...valid, ...env }));
      expect(message).toBe(
        'Configuration error: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together: set both (mTLS client certificate and its key) or neither.',
      );
    }
  });

  it('an unreadable file names the variable and the path', () => {
    const missing = path.join(folder, 'nope.pem');
    expect(configErrorOf(() => loadConfig({ ...valid, TEMPORAL_TLS_CA_PATH: missing }))).toContain(
      `TEMPORAL_TLS_CA_PATH: cannot read the file ${missing} (ENOENT)`,
    );
    // A file that disappears between the check and the connection: the helper says the same.
    const vanishing = pemFile('vanishing.pem', 'x');
    const config = loadConfig({ ...valid, TEMPORAL_TLS_CA_PATH: vanishing });
    rmSync(vanishing);
    expect(configErrorOf(() => temporalConnectionOptions(config))).toBe(
      `Configuration error: TEMPORAL_TLS_CA_PATH: cannot read the file ${vanishing} (ENOENT).`,
    );
  });

  it.skipIf(process.getuid?.() === 0)('a file without read permission names the variable and the path', () => {
    const locked = pemFile('locked.key', 'x');
    chmodSync(locked, 0o000);
    expect(configErrorOf(() => loadConfig({ ...valid, TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: locked }))).toContain(
      `TEMPORAL_TLS_KEY_PATH: cannot read the file ${locked} (EACCES)`,
    );
  });

  it('TEMPORAL_TLS=false with an API key or a TLS file is refused, never echoing the key', () => {
    const message = configErrorOf(() => loadConfig({ ...valid, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS_CA_PATH: caPath }));
    expect(message).toBe(
      'Configuration error: TEMPORAL_TLS is false but TEMPORAL_TLS_CA_PATH, TEMPORAL_API_KEY need TLS: remove TEMPORAL_TLS=false or those settings.',
    );
    expect(message).not.toContain(API_KEY);
  });

  it('a malformed API key or TLS flag is refused; the key is never echoed', () => {
    const badKey = `${API_KEY}\n`;
    const message = configErrorOf(() => loadConfig({ ...valid, TEMPORAL_API_KEY: `key with spaces ${API_KEY}` }));
    expect(message).toContain('TEMPORAL_API_KEY must be the key as issued');
    expect(message).not.toContain(API_KEY);
    expect(configErrorOf(() => loadConfig({ ...valid, TEMPORAL_API_KEY: badKey }))).not.toContain(API_KEY);
    expect(configErrorOf(() => loadConfig({ ...valid, TEMPORAL_TLS: 'yes' }))).toBe(
      'Configuration error: TEMPORAL_TLS must be true or false (got "yes").',
    );
  });
});
