import type { Config } from '../platform/config.js';
import { createDb } from '../db/connect.js';
import type { Logger } from '../platform/logger.js';
import { activityDependencies } from '../activities/wiring.js';
import { connectToTemporal, createWorker } from './create-worker.js';
import { prebuiltWorkflowBundle } from './workflow-bundle.js';

export interface RunningWorker {
  /** Settles when the worker has stopped (after `stop()` or a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Connects, builds and runs a worker from configuration (used by `npm run worker` and `npm start`). */
export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  const workflowBundle = await prebuiltWorkflowBundle();
  const connection = await connectToTemporal(config);
  const db = createDb(config.DATABASE_URL);
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dependencies: activityDependencies(config, db, logger),
    workflowBundle,
  });
  const done = worker.run().finally(async () => {
    await connection.close();
    await db.destroy();
  });
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
