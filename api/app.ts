import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../lib/logger.js';
import { ApiError, errorResponse } from './errors.js';
import type { Probe } from './health-probes.js';
import { requireBearer } from './middleware/auth.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerHealthRoute } from './routes/health.js';
import { validationHook } from './validation.js';

export interface ApiDependencies {
  apiToken: string;
  supportToken: string;
  probes: { database: Probe; temporal: Probe };
  logger: Logger;
}

export function createApp(deps: ApiDependencies): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.use('/api/integrations/salesforce/connect', requireBearer(deps.apiToken, 'service'));
  app.use('/api/integrations/salesforce/connections/*', requireBearer(deps.apiToken, 'service'));
  app.use('/api/followups', requireBearer(deps.apiToken, 'service'));
  app.use('/api/followups/*', requireBearer(deps.apiToken, 'service'));
  app.use('/api/support/*', requireBearer(deps.supportToken, 'support'));

  registerHealthRoute(app, deps.probes);
  registerDocsRoutes(app);

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
