import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { StartupError } from '../platform/run-main.js';
import { freePort, isListening } from './free-port.js';
import { ensureTemporalCli, type TemporalCli } from './temporal-cli.js';

export interface DevServerOptions {
  ip?: string;
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Serve the Web UI on this port; no UI when omitted. */
  uiPort?: number;
  /** Persist to this SQLite file; in memory when omitted. */
  dbFilename?: string;
  namespace?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  cli: TemporalCli;
  stop(): Promise<void>;
}

/**
 * Starts the Temporal CLI dev server with the search attributes in docs/contracts.md#temporal registered, through
 * @temporalio/testing so an SDK-downloaded server works the same way as a local binary.
 */
export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  let port = options.port ?? (await freePort(ip));
  if (await isListening(ip, port)) {
    throw new StartupError(`Cannot start the Temporal dev server: ${ip}:${port} is already in use (set TEMPORAL_ADDRESS to use a running server).`);
  }
  if (options.uiPort !== undefined && (await isListening(ip, options.uiPort))) {
    throw new StartupError(`Cannot start the Temporal Web UI: ${ip}:${options.uiPort} is already in use.`);
  }
  const cli = await ensureTemporalCli(options.log);
  for (let attempt = 1; ; attempt++) {
    try {
      const env = await createLocal(cli, { ...options, ip, port, namespace });
      return {
        address: `${ip}:${port}`,
        namespace,
        ...(options.uiPort !== undefined ? { uiUrl: `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${options.uiPort}` } : {}),
        cli,
        stop: () => env.teardown(),
      };
    } catch (error) {
      if (!isStartupTimeout(error) || attempt >= START_ATTEMPTS) throw error;
      options.log?.(`The Temporal dev server did not answer within the SDK's 5 s; starting it again (attempt ${attempt + 1} of ${START_ATTEMPTS}).`);
      // The SDK has killed the slow server; a port of our choosing is chosen afresh, a given one reused.
      if (options.port === undefined) port = await freePort(ip);
    }
  }
}

/**
 * Starts made before giving up. The SDK waits a fixed 5 s for the server to answer, which a busy
 * machine can exceed (seen once with two cores busy starting the test suite); the server is then killed.
 */
const START_ATTEMPTS = 3;

function isStartupTimeout(error: unknown): boolean {
  return error instanceof Error && /did not start within/.test(error.message);
}

function createLocal(cli: TemporalCli, options: DevServerOptions & { ip: string; port: number; namespace: string }): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli.kind === 'binary' ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
      ip: options.ip,
      port: options.port,
      namespace: options.namespace,
      ui: options.uiPort !== undefined,
      ...(options.uiPort !== undefined ? { uiPort: options.uiPort } : {}),
      ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
      searchAttributes: SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
    },
  });
}
