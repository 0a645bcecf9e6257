import { loadConfig } from '../platform/config.js';
import { prepareDatabase } from '../db/prepare.js';
import { createLogger } from '../platform/logger.js';
import { onShutdownSignal, runMain } from '../platform/run-main.js';
import { startWorker } from './run-worker.js';
import { installTemporalRuntimeLogging } from './runtime-logging.js';

/** `npm run worker`: the production worker process, configured by environment (docs/contracts.md#settings). */
runMain(async () => {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  installTemporalRuntimeLogging(logger);
  await prepareDatabase(config.DATABASE_URL);
  const worker = await startWorker(config, logger);
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker polling');
  onShutdownSignal(async (signal) => {
    logger.info({ signal }, 'worker shutting down: finishing in-flight activities');
    await worker.stop();
  });
  await worker.done;
  logger.info('worker stopped');
});
