import type { OpenAPIHono } from '@hono/zod-openapi';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { databaseProbe, temporalProbe } from '../../api/health-probes.js';
import { createLogger } from '../../platform/logger.js';
import { TokenVault } from '../../platform/token-vault.js';
import {
  EXTRA_ROUTES,
  fillPath,
  invalidBody,
  paramShape,
  routesFromOpenApi,
  satisfies,
  tablesFingerprint,
  validValue,
  wrongAuthorization,
  type FuzzRoute,
} from '../support/api-fuzz.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, insertConnections, type TestDatabase } from '../support/database.js';

// Every route, fed bad input by fast-check against the real app (in process), real Postgres and real
// Temporal: the answer is always a 4xx with the uniform error body, never a 500, and nothing is written
// (every table's fingerprint and the number of workflows on the app's task queue are unchanged).
// FUZZ_RUNS scales the number of cases per route (default 25, kept small for `npm test`).
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const ACCOUNT_ID = 'acct-proof-fuzz';

describe('every route under bad input (fast-check)', () => {
  const config = testConfig();
  let database: TestDatabase;
  let connection: Connection;
  let temporal: Client;
  let app: OpenAPIHono;
  let routes: FuzzRoute[];
  const unhandled: string[] = [];
  const tokens = () => ({ service: config.API_TOKEN, support: config.SUPPORT_TOKEN });

  beforeAll(async () => {
    database = await createTestDatabase();
    // A connection exists, so requests that name it reach past the lookup instead of stopping at "not connected".
    await insertConnections(database.db, ACCOUNT_ID);
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    temporal = new Client({ connection });
    const logger = createLogger({ level: 'error', destination: { write: (line: string) => void unhandled.push(line) } });
    app = createApp({ config, db: database.db, vault: TokenVault.fromConfig(config), temporal, probes: { database: databaseProbe(database.db), temporal: temporalProbe(connection) }, logger });
    const doc = (await (await app.request('/api/openapi.json')).json()) as Parameters<typeof routesFromOpenApi>[0];
    routes = [...routesFromOpenApi(doc), ...EXTRA_ROUTES];
  });

  afterAll(async () => {
    await connection?.close();
    await database?.drop();
  });

  const workflowsOnQueue = async () => (await temporal.workflow.count(`TaskQueue = "${config.TEMPORAL_TASK_QUEUE}"`)).count;

  /** Sends the request; asserts a 4xx with `{error:{code,message}}` and no write. */
  async function expectRefusedWithoutWrite(path: string, init: RequestInit, what: string): Promise<number> {
    const before = await tablesFingerprint(database.db);
    const response = await app.request(path, init);
    const text = await response.text();
    const context = `${what}: ${init.method ?? 'GET'} ${path.slice(0, 200)} → ${response.status} ${text.slice(0, 300)}`;
    expect(response.status, context).toBeGreaterThanOrEqual(400);
    expect(response.status, context).toBeLessThan(500);
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code === 'string' && body.error.code.length > 0, context).toBe(true);
    expect(typeof body.error?.message === 'string' && (body.error.message as string).length > 0, context).toBe(true);
    expect(await tablesFingerprint(database.db), `${context} wrote to the database`).toEqual(before);
    return response.status;
  }

  const headers = (authorization: string | undefined, contentType = 'application/json') => ({
    ...(authorization === undefined ? {} : { authorization }),
    'content-type': contentType,
  });
  const validParams = (route: FuzzRoute) => Object.fromEntries(route.params.map((p) => [p.name, p.name === 'accountId' ? ACCOUNT_ID : validValue(p.schema)]));

  it('finds the routes in the OpenAPI document (so new routes are fuzzed too)', () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes.filter((route) => route.auth !== 'none').length).toBeGreaterThanOrEqual(8);
    expect(routes.filter((route) => route.body).map((route) => route.path)).toEqual(expect.arrayContaining(['/api/followups', '/api/integrations/salesforce/connect']));
  });

  it('refuses missing and wrong bearer tokens on every protected route', async () => {
    const workflowsBefore = await workflowsOnQueue();
    for (const route of routes.filter((r) => r.auth !== 'none')) {
      const other = route.auth === 'service' ? tokens().support : tokens().service;
      await fc.assert(
        fc.asyncProperty(wrongAuthorization(other), fc.option(invalidBody(route), { nil: undefined }), async (authorization, body) => {
          const status = await expectRefusedWithoutWrite(
            fillPath(route.path, validParams(route)),
            { method: route.method, headers: headers(authorization), ...(route.body && body ? { body: body.text } : {}) },
            'wrong auth',
          );
          // A huge body may be refused (413) before the token is looked at; anything else is the token's 400/401.
          expect([400, 401, 413]).toContain(status);
        }),
        { numRuns: RUNS },
      );
    }
    expect(await workflowsOnQueue()).toBe(workflowsBefore);
  });

  it('refuses path parameters of every shape that the route does not accept', async () => {
    const workflowsBefore = await workflowsOnQueue();
    for (const route of routes.filter((r) => r.params.length > 0)) {
      const token = route.auth === 'none' ? undefined : `Bearer ${tokens()[route.auth]}`;
      const values = fc.record(Object.fromEntries(route.params.map((p) => [p.name, paramShape])));
      // A dot segment ('..', '%2e%2e', …) is resolved by the client's URL parser before any route sees it
      // (two of them turned a support route into GET /api/health): it is never this route's parameter.
      const reachesRoute = (chosen: Record<string, string>) => !Object.values(chosen).some(isDotSegment);
      const invalid = values.filter((chosen) => reachesRoute(chosen) && route.params.some((p) => !satisfies(p.schema, decodeOrRaw(chosen[p.name]!))));
      await fc.assert(
        fc.asyncProperty(invalid, async (chosen) => {
          await expectRefusedWithoutWrite(fillPath(route.path, chosen), { method: route.method, headers: headers(token), ...(route.body ? { body: '{}' } : {}) }, 'bad path param');
        }),
        { numRuns: RUNS * 2 },
      );
    }
    expect(await workflowsOnQueue()).toBe(workflowsBefore);
  });

  it('refuses malformed JSON, wrong types, missing fields and huge bodies on every route that takes a body', async () => {
    const workflowsBefore = await workflowsOnQueue();
    for (const route of routes.filter((r) => r.body)) {
      const token = `Bearer ${tokens()[route.auth === 'none' ? 'service' : route.auth]}`;
      const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded');
      await fc.assert(
        fc.asyncProperty(invalidBody(route), contentType, async (body, type) => {
          const status = await expectRefusedWithoutWrite(fillPath(route.path, validParams(route)), { method: route.method, headers: headers(token, type), body: body.text }, `body ${body.kind}`);
          if (body.kind === 'huge') expect(status).toBe(413);
        }),
        { numRuns: RUNS * 4 },
      );
    }
    expect(await workflowsOnQueue()).toBe(workflowsBefore);
  });

  it('answers unknown paths and methods with 404 in the error shape', async () => {
    const known = new Set(routes.map((route) => `${route.method} ${route.path}`));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        fc.oneof(fc.constantFrom(...routes.map((route) => route.path)), fc.array(paramShape, { minLength: 1, maxLength: 4 }).map((parts) => `/api/${parts.join('/')}`)),
        async (method, path) => {
          if (known.has(`${method} ${path}`)) return;
          const status = await expectRefusedWithoutWrite(path.replace(/[{}]/g, ''), { method, headers: headers(`Bearer ${config.API_TOKEN}`), ...(method === 'GET' ? {} : { body: '{}' }) }, 'unknown route');
          expect([400, 401, 404, 405, 413]).toContain(status);
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });

  it('lands the OAuth callback on the app with an error for any query, writing only its rate-limit counter', async () => {
    const workflowsBefore = await workflowsOnQueue();
    const query = fc.dictionary(fc.constantFrom('code', 'state', 'error', 'error_description', 'x'), fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.constant('a'.repeat(5000))), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        const before = await tablesFingerprint(database.db, ['callback_rate_limits']);
        const response = await app.request(`/api/integrations/salesforce/callback?${new URLSearchParams(params).toString()}`);
        expect(response.status).toBe(302);
        const location = new URL(response.headers.get('location')!);
        expect(`${location.origin}${location.pathname}`).toBe(config.APP_URL);
        expect(location.searchParams.get('salesforce')).toBe('error');
        expect(await tablesFingerprint(database.db, ['callback_rate_limits'])).toEqual(before);
      }),
      { numRuns: RUNS * 2 },
    );
    expect(await workflowsOnQueue()).toBe(workflowsBefore);
  });

  it('never logs an unhandled error while fuzzed', () => {
    expect(unhandled.filter((line) => line.includes('unhandled API error'))).toEqual([]);
  });
});

/** '.' or '..', written plainly or percent-encoded: what WHATWG URL parsing resolves away. */
function isDotSegment(segment: string): boolean {
  return /^(?:\.|%2e){1,2}$/i.test(segment);
}

/** The value the router will see for an encoded path segment. */
function decodeOrRaw(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
