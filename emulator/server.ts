// Assembles the two login hosts: production (also every org's instance URL and the control API)
// and sandbox. One error handler turns each kind of failure into its wire format.
import { Hono, type Context } from 'hono';
import { ControlError, controlRoutes } from './control.js';
import { loginHostApp } from './oauth/routes.js';
import type { ApiCaller } from './rest/context.js';
import { SfError } from './rest/errors.js';
import { restApp } from './rest/index.js';
import type { EmulatorState } from './store.js';

function onError(err: Error, c: Context): Response {
  if (err instanceof SfError) return c.json(err.body(), err.status);
  if (err instanceof ControlError) return c.json({ error: err.message, ...(err.details ? { details: err.details } : {}) }, err.status);
  console.error('[emulator] unexpected error', err);
  if (c.req.path.startsWith('/services/data')) {
    return c.json([{ message: 'An unexpected error occurred. Please include this ErrorId if you contact support: emulator', errorCode: 'UNKNOWN_EXCEPTION' }], 500);
  }
  return c.json({ error: err.message }, 500);
}

function notFound(c: Context): Response {
  if (c.req.path.startsWith('/services/data')) {
    return c.json([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }], 404);
  }
  return c.text('Not Found', 404);
}

function requestLogger(label: string) {
  return async (c: Context, next: () => Promise<void>) => {
    const started = performance.now();
    await next();
    console.error(`[emulator ${label}] ${c.req.method} ${c.req.path} → ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`);
  };
}

export function productionApp(state: EmulatorState, logRequests = false): Hono {
  const app = new Hono();
  if (logRequests) app.use('*', requestLogger('production'));
  const dispatch = async (req: Request, caller: ApiCaller) => app.fetch(req, { internalCaller: caller });
  app.route('/__emulator', controlRoutes(state));
  app.route('/', restApp(state, dispatch) as unknown as Hono);
  app.route('/', loginHostApp(state, 'production'));
  app.onError(onError);
  app.notFound(notFound);
  return app;
}

export function sandboxApp(state: EmulatorState, logRequests = false): Hono {
  const app = new Hono();
  if (logRequests) app.use('*', requestLogger('sandbox'));
  app.route('/', loginHostApp(state, 'sandbox'));
  app.onError(onError);
  app.notFound(notFound);
  return app;
}
