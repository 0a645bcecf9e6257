import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { bindingCookieName, bindingCookieOptions, CALLBACK_PATH } from '../connections/browser-binding.js';
import { beginAuthorization, completeAuthorization, failure, landingUrl, type CallbackOutcome } from '../connections/oauth-flow.js';
import { callbackRateLimit } from '../middleware/callback-rate-limit.js';
import { activateConnection, connectionStatus, disconnectConnection, type LifecycleDeps } from '../connections/lifecycle.js';
import { ApiError } from '../errors.js';
import { registerMappingRoutes } from './connection-mappings.js';
import { AccountId, ConnectionParams, ConnectionStatusSchema, Environment, ErrorSchema, errorResponses } from '../schemas.js';

const ConnectAnswer = z.object({
  authorizeUrl: z.string().url(),
  binding: z.object({
    cookie: z.string(),
    value: z.string(),
    path: z.string(),
    maxAgeSeconds: z.number().int(),
    secure: z.boolean(),
  }),
});

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
    200: {
      description:
        'Authorize URL (PKCE, state valid 10 minutes) and the browser binding: relay the Set-Cookie header (or set `binding` as a cookie) to the user\'s browser before sending it to authorizeUrl; the callback refuses a browser without it',
      headers: z.object({ 'Set-Cookie': z.string().describe('The binding cookie: HttpOnly, SameSite=Lax, Secure for an https callback, Path=/api/integrations/salesforce/callback') }),
      content: { 'application/json': { schema: ConnectAnswer } },
    },
    ...errorResponses,
  },
});

const callbackRoute = createRoute({
  method: 'get',
  path: CALLBACK_PATH,
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
  responses: { 302: { description: 'To APP_URL with ?salesforce=connected or ?salesforce=error&code=…&fix=… (also when rate limited: code=RATE_LIMITED)' } },
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

export function registerConnectionRoutes(app: OpenAPIHono, deps: LifecycleDeps): void {
  // GET only: other methods on the callback path are 404s and must not count against (or write) the limit.
  app.get(callbackRoute.path, callbackRateLimit(deps));

  app.openapi(connectRoute, async (c) => {
    const { accountId, environment } = c.req.valid('json');
    const { authorizeUrl, binding } = await beginAuthorization(deps, accountId, environment);
    setCookie(c, binding.cookie, binding.value, { ...bindingCookieOptions(deps.config.SALESFORCE_CALLBACK_URL), maxAge: binding.maxAgeSeconds });
    return c.json({ authorizeUrl, binding }, 200);
  });

  app.openapi(callbackRoute, async (c) => {
    const query = c.req.valid('query');
    const cookie = query.state ? bindingCookieName(query.state) : undefined;
    let outcome: CallbackOutcome;
    try {
      outcome = await completeAuthorization(deps, query, cookie && getCookie(c, cookie));
      if (outcome.ok) await activateConnection(deps, outcome.grant);
    } catch (error) {
      // The browser must land somewhere useful even when Temporal or the database is down.
      deps.logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'could not complete the Salesforce connection');
      outcome = failure('TEMPORARILY_UNAVAILABLE');
    }
    // Single use either way: the state is spent, so its cookie is of no further use.
    if (cookie && getCookie(c, cookie) !== undefined) deleteCookie(c, cookie, bindingCookieOptions(deps.config.SALESFORCE_CALLBACK_URL));
    return c.redirect(landingUrl(deps.config.APP_URL, outcome), 302);
  });

  app.openapi(statusRoute, async (c) => {
    const { accountId, environment } = c.req.valid('param');
    const status = await connectionStatus(deps, accountId, environment);
    if (!status) throw new ApiError(404, 'NOT_CONNECTED', `Account ${accountId} has never connected a ${environment} Salesforce org.`);
    return c.json(status, 200);
  });

  registerMappingRoutes(app, deps);

  app.openapi(disconnectRoute, async (c) => {
    const { accountId, environment } = c.req.valid('param');
    await disconnectConnection(deps, accountId, environment);
    return c.json({ status: 'disconnected' as const }, 200);
  });
}
