import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/index.js';
import { StartupError } from '../platform/run-main.js';
import { describeTemporalSecurity, temporalConnectionOptions } from '../platform/temporal-connection.js';
import type { TemporalConnectionSettings } from '../platform/temporal-settings.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /** A prebuilt bundle of the workflow code (worker/workflow-bundle.ts); bundled in this process when left out. */
  workflowBundle?: { codePath: string };
  /** Test hooks such as a shorter shutdown grace time. */
  overrides?: Partial<WorkerOptions>;
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: createActivities(options.dependencies),
    shutdownGraceTime: '10s',
    // Heartbeats carry cancellation back to activities: a disconnect should stop a page within seconds, not
    // after the default throttle (80% of the 15 s heartbeat timeout).
    maxHeartbeatThrottleInterval: '2s',
    ...options.overrides,
  });
}

/**
 * Connects to Temporal — plain, TLS, mTLS or with an API key, from the same settings as the API's client
 * (platform/temporal-connection.ts) — turning an unreachable server into one clear sentence.
 */
export async function connectToTemporal(settings: TemporalConnectionSettings): Promise<NativeConnection> {
  const options = temporalConnectionOptions(settings);
  try {
    return await NativeConnection.connect(options);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    // The native client's message is a Rust debug dump; keep its human part ("Connection refused").
    let reason = /message: "([^"]+)"/.exec(text)?.[1] ?? text.split('\n')[0] ?? '';
    // rustls's words for a server that answered TLS with something else.
    if (options.tls !== false && /InvalidContentType|CorruptMessage/.test(text)) reason = 'the server does not speak TLS (is it a plain-TCP server?)';
    if (options.apiKey) reason = reason.replaceAll(options.apiKey, '***');
    const security = options.tls === false ? '' : `, ${describeTemporalSecurity(options)}`;
    throw new StartupError(`Cannot reach Temporal at ${options.address} (TEMPORAL_ADDRESS${security}): ${reason}`);
  }
}
