import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../api/middleware/body-limit.js';
import { connectTemporal } from '../../api/temporal.js';
import { createDb } from '../../db/connect.js';
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { TokenVault } from '../../platform/token-vault.js';

// The real app over real HTTP. Nothing here reaches Postgres or Temporal: the database pool and the
// Temporal connection are lazy, and every request below is answered before a handler would use them.

const config = loadConfig({
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/unused',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  API_TOKEN: 'api-token-0123456789abcdef',
  SUPPORT_TOKEN: 'support-token-0123456789abcdef',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
  SALESFORCE_CLIENT_ID: 'client',
  SALESFORCE_CLIENT_SECRET: 'secret',
  SALESFORCE_CALLBACK_URL: 'http://127.0.0.1/api/integrations/salesforce/callback',
  APP_URL: 'http://127.0.0.1/app',
  LOG_LEVEL: 'silent',
});
const db = createDb(config.DATABASE_URL);
const temporal = connectTemporal(config);
let server: ServerType;
let port: number;

beforeAll(async () => {
  const app = createApp({
    config,
    db,
    vault: TokenVault.fromConfig(config),
    temporal: temporal.client,
    probes: { database: async () => false, temporal: async () => false },
    logger: createLogger({ level: 'silent' }),
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await Promise.all([temporal.connection.close(), temporal.healthConnection.close()]);
  await db.destroy();
});

/** POSTs `chunks` to the connect route; `chunked` leaves Content-Length out (Transfer-Encoding: chunked). */
function post(chunks: string[], options: { chunked: boolean }): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const length = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk), 0);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/integrations/salesforce/connect',
        headers: {
          authorization: `Bearer ${config.API_TOKEN}`,
          'content-type': 'application/json',
          ...(options.chunked ? {} : { 'content-length': String(length) }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/** A JSON body of about `bytes` bytes whose fields are invalid (so a body under the limit gets 400). */
const jsonOfSize = (bytes: number) => JSON.stringify({ accountId: 'a'.repeat(bytes - 20), environment: 'x' });

describe('request body size limit', () => {
  it('is 64 KiB', () => expect(DEFAULT_MAX_BODY_BYTES).toBe(65_536));

  it('answers 413 PAYLOAD_TOO_LARGE in the API error shape for a body over the limit (Content-Length)', async () => {
    const response = await post([jsonOfSize(DEFAULT_MAX_BODY_BYTES + 1_000)], { chunked: false });
    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is over the limit of 65536 bytes.', fix: expect.any(String) },
    });
  });

  it('stops a chunked body (no Content-Length) at the limit too', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    const response = await post(['{"accountId":"', ...Array.from({ length: 8 }, () => chunk), '"}'], { chunked: true });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('lets a body under the limit through to validation', async () => {
    for (const chunked of [false, true]) {
      const response = await post([jsonOfSize(DEFAULT_MAX_BODY_BYTES - 1_000)], { chunked });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
  });
});
