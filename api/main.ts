import { loadConfig } from '../platform/config.js';
import { prepareDatabase } from '../db/prepare.js';
import { createLogger } from '../platform/logger.js';
import { onShutdownSignal, runMain } from '../platform/run-main.js';
import { startApiServer } from './server.js';

/** `npm run api`: the production API process, configured by environment (docs/contracts.md#settings). */
runMain(async () => {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  await prepareDatabase(config.DATABASE_URL);
  const api = await startApiServer(config, logger);
  logger.info(`API listening on ${api.url}`);
  onShutdownSignal(() => api.stop());
});
