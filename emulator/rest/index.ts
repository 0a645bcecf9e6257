// The instance REST API (/services/data): versions, the per-call gate, and every resource group.
import { Hono } from 'hono';
import type { EmulatorState } from '../store.js';
import { bulkRoutes } from './bulk.js';
import { collectionRoutes } from './collections.js';
import { compositeRoutes } from './composite.js';
import { apiGate, type ApiCaller, type ApiContext, type ApiEnv } from './context.js';
import { limitRoutes } from './limits.js';
import { queryRoutes } from './query.js';
import { sobjectRoutes } from './sobjects.js';
import { listVersions } from './versions.js';

export function restApp(state: EmulatorState, dispatch: (req: Request, caller: ApiCaller) => Promise<Response>): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  // The versions list needs no session and is not an API call.
  app.get('/services/data', (c) => c.json(listVersions()));
  app.get('/services/data/', (c) => c.json(listVersions()));

  // One gate for everything below a version ("/*" also matches the version root itself).
  app.use('/services/data/:version/*', apiGate(state));

  const v = new Hono<ApiEnv>();
  const resources = (c: ApiContext) => {
    const base = `/services/data/v${c.get('apiVersion')}`;
    const caller = c.get('caller');
    return c.json({
      limits: `${base}/limits`,
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      queryAll: `${base}/queryAll`,
      composite: `${base}/composite`,
      jobs: `${base}/jobs`,
      identity: `${state.loginUrl(caller.org.settings.environment)}/id/${caller.org.id}/${caller.user.id}`,
    });
  };
  v.get('/', resources);
  app.get('/services/data/:version/', resources);
  v.route('/', queryRoutes(state));
  v.route('/', sobjectRoutes(state));
  v.route('/', collectionRoutes(state));
  v.route('/', compositeRoutes(dispatch));
  v.route('/', limitRoutes(state));
  v.route('/', bulkRoutes(state));
  app.route('/services/data/:version', v);

  return app;
}
