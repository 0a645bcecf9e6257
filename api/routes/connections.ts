import { getConnInfo } from '@hono/node-server/conninfo';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { beginAuthorization, completeAuthorization, failure, landingUrl } from '../connections/oauth-flow.js';
import { activateConnection, connectionStatus, disconnectConnection, type LifecycleDeps } from '../connections/lifecycle.js';
import { ApiError } from '../errors.js';
import { AccountId, ConnectionParams, ConnectionStatusSchema, Environment, ErrorSchema, errorResponses } from '../schemas.js';

const connectRoute = createRoute({
  method: 'post',
  path: '/api/integrations/salesforce/connect',
  tags: ['connections'],
  summary: 'Start connecting a Salesforce org: returns the Salesforce login URL to open',
  security: [{ serviceToken: [] }],
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ accountId: AccountId, environment: Environment.default('production') }) } },
    },
  },
  responses: {
    200: { description: 'Authorize URL (PKCE, state valid 10 minutes)', content: { 'application/json': { schema: z.object({ authorizeUrl: z.string().url() }) } } },
    ...errorResponses,
  },
});

const callbackRoute = createRoute({
  method: 'get',
  path: '/api/integrations/salesforce/callback',
  tags: ['connections'],
  summary: 'OAuth redirect target: completes the connection and redirects the browser to the app',
  request: {
    query: z.object({
      code: z.string().optional(),
      state: z.string().optional(),
      error: z.string().optional(),
      error_description: z.string().optional(),
    }),
  },
  responses: { 302: { description: 'To APP_URL with ?salesforce=connected or ?salesforce=error&code=…&fix=…' } },
});

const statusRoute = createRoute({
  method: 'get',
  path: '/api/integrations/salesforce/connections/{accountId}/{environment}',
  tags: ['connections'],
  summary: 'Connection status: phase, progress, API usage, current error',
  security: [{ serviceToken: [] }],
  request: { params: ConnectionParams },
  responses: {
    200: { description: 'Status', content: { 'application/json': { schema: ConnectionStatusSchema } } },
    404: { description: 'Never connected', content: { 'application/json': { schema: ErrorSchema } } },
    ...errorResponses,
  },
});

const disconnectRoute = createRoute({
  method: 'delete',
  path: '/api/integrations/salesforce/connections/{accountId}/{environment}',
  tags: ['connections'],
  summary: 'Disconnect: revoke at Salesforce, stop the workflow, erase the tokens (idempotent)',
  security: [{ serviceToken: [] }],
  request: { params: ConnectionParams },
  responses: {
    200: { description: 'Disconnected', content: { 'application/json': { schema: z.object({ status: z.literal('disconnected') }) } } },
    ...errorResponses,
  },
});

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not served by @hono/node-server (in-process requests)
  }
}

export function registerConnectionRoutes(app: OpenAPIHono, deps: LifecycleDeps): void {
  // The callback is public and does token exchanges: cap it per client address.
  app.use(
    callbackRoute.path,
    rateLimiter({
      windowMs: 60_000,
      limit: 30,
      keyGenerator: (c) => clientAddress(c),
      handler: (c) => c.json(new ApiError(429, 'RATE_LIMITED', 'Too many Salesforce callbacks from this address; try again in a minute.').toBody(), 429),
    }),
  );

  app.openapi(connectRoute, async (c) => {
    const { accountId, environment } = c.req.valid('json');
    return c.json({ authorizeUrl: await beginAuthorization(deps, accountId, environment) }, 200);
  });

  app.openapi(callbackRoute, async (c) => {
    let outcome = await completeAuthorization(deps, c.req.valid('query'));
    if (outcome.ok) {
      try {
        await activateConnection(deps, outcome.grant);
      } catch (error) {
        // The browser must land somewhere useful even when Temporal or the database is down.
        deps.logger.error({ err: { name: (error as Error).name, message: (error as Error).message }, accountId: outcome.grant.accountId }, 'could not activate the Salesforce connection');
        outcome = failure('TEMPORARILY_UNAVAILABLE');
      }
    }
    return c.redirect(landingUrl(deps.config.APP_URL, outcome), 302);
  });

  app.openapi(statusRoute, async (c) => {
    const { accountId, environment } = c.req.valid('param');
    const status = await connectionStatus(deps, accountId, environment);
    if (!status) throw new ApiError(404, 'NOT_CONNECTED', `Account ${accountId} has never connected a ${environment} Salesforce org.`);
    return c.json(status, 200);
  });

  app.openapi(disconnectRoute, async (c) => {
    const { accountId, environment } = c.req.valid('param');
    await disconnectConnection(deps, accountId, environment);
    return c.json({ status: 'disconnected' as const }, 200);
  });
}
