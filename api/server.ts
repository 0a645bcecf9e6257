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
  /** The interface the server listens on (API_HOST, or the caller's `hostname`). */
  hostname: string;
  stop(): Promise<void>;
}

export interface ApiServerOptions extends AppOptions {
  /** Interface to listen on instead of API_HOST (`npm start` with the emulator: 127.0.0.1 only). */
  hostname?: string;
}

/** Builds the API from configuration and listens on API_HOST:API_PORT (used by `npm run api` and `npm start`). */
export async function startApiServer(config: Config, logger: Logger, options: ApiServerOptions = {}): Promise<RunningApi> {
  const { hostname = config.API_HOST, ...appOptions } = options;
  const db = createDb(config.DATABASE_URL);
  // Lazy: the API starts (and /api/health reports "down") even while Temporal is unreachable.
  const { client, connection: temporal, healthConnection } = connectTemporal(config);
  const app = createApp({
    config,
    db,
    vault: TokenVault.fromConfig(config),
    temporal: client,
    probes: { database: databaseProbe(db), temporal: temporalProbe(healthConnection) },
    logger,
  }, appOptions);
  const server = serve({ fetch: app.fetch, port: config.API_PORT, hostname });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new StartupError(`API cannot listen on ${hostname} port ${config.API_PORT} (API_HOST, API_PORT): ${error.code ?? error.message}`)),
      );
    });
  } catch (error) {
    await Promise.all([temporal.close(), healthConnection.close()]);
    await db.destroy();
    throw error;
  }
  return {
    url: `http://${urlHost(hostname)}:${config.API_PORT}`,
    hostname,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await Promise.all([temporal.close(), healthConnection.close()]);
      await db.destroy();
    },
  };
}

/** A host for the API's URL: `localhost` for the wildcard addresses, brackets around IPv6. */
function urlHost(hostname: string): string {
  if (hostname === '0.0.0.0' || hostname === '::') return 'localhost';
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}
