import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { LifecycleDeps } from './connections/lifecycle.js';
import { registerConsoleRoutes } from './console/routes.js';
import { ApiError, errorResponse } from './errors.js';
import type { Probe } from './health-probes.js';
import { requireBearer } from './middleware/auth.js';
import { limitBodySize } from './middleware/body-limit.js';
import { registerConnectionRoutes } from './routes/connections.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerFollowupRoutes } from './routes/followups.js';
import { registerHealthRoute } from './routes/health.js';
import { registerSupportRoutes } from './routes/support.js';
import { validationHook } from './validation.js';

export interface ApiDependencies extends LifecycleDeps {
  probes: { database: Probe; temporal: Probe };
}

export interface AppOptions {
  /**
   * Routes the caller adds beside the API's own (the local composer mounts the demo page of
   * `npm start` this way, so production code never imports dev/). Production adds none.
   */
  extraRoutes?: (app: OpenAPIHono, deps: ApiDependencies) => void;
  /** Largest request body accepted (default 64 KiB); larger ones get 413 PAYLOAD_TOO_LARGE. */
  maxBodyBytes?: number;
}

export function createApp(deps: ApiDependencies, options: AppOptions = {}): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  // Access log: method, path (never the query string: the OAuth callback carries the code there), status, time.
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    deps.logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use(limitBodySize(options.maxBodyBytes));
  app.use('/api/integrations/salesforce/connect', requireBearer(deps.config.API_TOKEN, 'service'));
  app.use('/api/integrations/salesforce/connections/*', requireBearer(deps.config.API_TOKEN, 'service'));
  app.use('/api/followups', requireBearer(deps.config.API_TOKEN, 'service'));
  app.use('/api/followups/*', requireBearer(deps.config.API_TOKEN, 'service'));
  app.use('/api/support/*', requireBearer(deps.config.SUPPORT_TOKEN, 'support'));

  registerHealthRoute(app, deps.probes);
  registerConnectionRoutes(app, deps);
  registerSupportRoutes(app, deps);
  registerFollowupRoutes(app, deps);
  registerDocsRoutes(app);
  registerConsoleRoutes(app, deps);
  options.extraRoutes?.(app, deps);

  app.notFound((c) => errorResponse(c, new ApiError(404, 'NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`)));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof HTTPException) {
      // Auth refusals and malformed JSON bodies: keep the status, use our error shape.
      const response = error.getResponse();
      if (response.headers.get('content-type')?.includes('application/json')) return response;
      return errorResponse(c, new ApiError(error.status as 400, error.status === 400 ? 'BAD_REQUEST' : 'HTTP_ERROR', error.message || 'Request refused.'));
    }
    deps.logger.error({ err: { name: error.name, message: error.message, stack: error.stack }, path: c.req.path }, 'unhandled API error');
    return errorResponse(c, new ApiError(500, 'INTERNAL', 'Internal error; it has been logged.'));
  });
  return app;
}
