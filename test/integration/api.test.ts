import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ApiDependencies } from '../../api/app.js';
import { TokenVault } from '../../platform/token-vault.js';
import { databaseProbe, temporalProbe } from '../../api/health-probes.js';
import { validationHook } from '../../api/validation.js';
import { createDb } from '../../db/connect.js';
import { createLogger } from '../../platform/logger.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const logger = createLogger({ level: 'silent' });

describe('API (real Postgres and Temporal)', () => {
  const config = testConfig();
  let database: TestDatabase;
  let temporal: Connection;
  let app: OpenAPIHono;

  beforeAll(async () => {
    database = await createTestDatabase();
    temporal = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    app = buildApp({ database: databaseProbe(database.db), temporal: temporalProbe(temporal) });
  });
  const buildApp = (probes: ApiDependencies['probes']) =>
    createApp({
      config,
      db: database.db,
      vault: TokenVault.fromConfig(config),
      temporal: new Client({ connection: temporal }),
      probes,
      logger,
    });

  afterAll(async () => {
    await temporal.close();
    await database.drop();
  });

  it('reports health ok when Temporal and Postgres answer', async () => {
    const response = await app.request('/api/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', temporal: 'up', database: 'up' });
  });

  it('reports 503 and which piece is down', async () => {
    const deadDb = createDb('postgres://postgres:x@127.0.0.1:1/none');
    const deadTemporal = Connection.lazy({ address: '127.0.0.1:1' });
    const degraded = buildApp({ database: databaseProbe(deadDb), temporal: temporalProbe(deadTemporal) });
    const bothDown = await degraded.request('/api/health');
    expect(bothDown.status).toBe(503);
    expect(await bothDown.json()).toEqual({ status: 'degraded', temporal: 'down', database: 'down' });

    const dbDown = buildApp({ database: databaseProbe(deadDb), temporal: temporalProbe(temporal) });
    const response = await dbDown.request('/api/health');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'degraded', temporal: 'up', database: 'down' });
    await deadDb.destroy();
    // deadTemporal is not closed: the SDK's retry of the failed health call may still hold a timer until its
    // deadline, and one firing on a closed channel throws outside any call (an unhandled error that failed CI once).
    // The lazy connection never connected; it goes with the test process.
  });

  describe('bearer tokens', () => {
    it('refuses service routes without a token, with the uniform error body', async () => {
      const response = await app.request('/api/followups/abc');
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('UNAUTHORIZED');
      expect(body.error.message).toContain('API_TOKEN');
    });

    it('refuses a wrong token and the support token on service routes', async () => {
      for (const token of ['wrong-token', config.SUPPORT_TOKEN]) {
        const response = await app.request('/api/followups/abc', { headers: { Authorization: `Bearer ${token}` } });
        expect(response.status).toBe(401);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
      }
    });

    it('refuses the service token on support routes', async () => {
      const response = await app.request('/api/support/connections/a/production/health', {
        headers: { Authorization: `Bearer ${config.API_TOKEN}` },
      });
      expect(response.status).toBe(401);
    });

    it('lets the right token through to the route', async () => {
      const response = await app.request('/api/support/connections/a/production/nope', {
        headers: { Authorization: `Bearer ${config.SUPPORT_TOKEN}` },
      });
      // Past authentication: the router answers (no such route), in the uniform shape.
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    });
  });

  it('publishes an OpenAPI document and a reference page that works offline', async () => {
    const document = (await (await app.request('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/api/health');
    // The connect answer documents the browser binding the app must relay (docs/contracts.md).
    const connect = document.paths['/api/integrations/salesforce/connect'] as { post: { responses: Record<string, { headers?: object; content: Record<string, { schema: { properties: object } }> }> } };
    expect(Object.keys(connect.post.responses['200']!.headers ?? {})).toEqual(['Set-Cookie']);
    expect(Object.keys(connect.post.responses['200']!.content['application/json']!.schema.properties)).toEqual(['authorizeUrl', 'binding']);
    expect(Object.keys(document.components.securitySchemes)).toEqual(['serviceToken', 'supportToken']);

    const page = await app.request('/api/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/api/openapi.json');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await app.request('/api/docs/assets/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });
});

describe('request validation', () => {
  // The hook every route shares, exercised on a route shaped like the real ones.
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/things',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ accountId: z.string().min(1), environment: z.enum(['production', 'sandbox']) }),
            },
          },
        },
      },
      responses: { 200: { description: 'ok' } },
    }),
    (c) => c.json({ ok: true }, 200),
  );

  it('answers 400 naming every invalid field', async () => {
    const response = await app.request('/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ environment: 'staging' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; fields: Array<{ path: string }> } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.fields.map((field) => field.path).sort()).toEqual(['accountId', 'environment']);
    expect(body.error.message).toMatch(/^Invalid request body: /);
  });
});
