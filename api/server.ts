import { serve } from '@hono/node-server';
import { TokenVault } from '../platform/token-vault.js';
import type { Config } from '../platform/config.js';
import { createDb } from '../db/connect.js';
import type { Logger } from '../platform/logger.js';
import { StartupError } from '../platform/run-main.js';
import { createApp, type AppOptions } from './app.js';
import { databaseProbe, temporalProbe } from './health-probes.js';
import { connectTemporal } from './temporal.js';

export interface RunningApi {
  url: string;
  stop(): Promise<void>;
}

/** Builds the API from configuration and listens on API_PORT (used by `npm run api` and `npm start`). */
export async function startApiServer(config: Config, logger: Logger, options: AppOptions = {}): Promise<RunningApi> {
  const db = createDb(config.DATABASE_URL);
  // Lazy: the API starts (and /api/health reports "down") even while Temporal is unreachable.
  const { client, connection: temporal } = connectTemporal(config);
  const app = createApp({
    config,
    db,
    vault: TokenVault.fromConfig(config),
    temporal: client,
    probes: { database: databaseProbe(db), temporal: temporalProbe(temporal) },
    logger,
  }, options);
  const server = serve({ fetch: app.fetch, port: config.API_PORT });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new StartupError(`API cannot listen on port ${config.API_PORT} (API_PORT): ${error.code ?? error.message}`)),
      );
    });
  } catch (error) {
    await temporal.close();
    await db.destroy();
    throw error;
  }
  return {
    url: `http://localhost:${config.API_PORT}`,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await temporal.close();
      await db.destroy();
    },
  };
}
