// Entry point of the Salesforce emulator: starts the production host (login + every org's instance
// URL + /__emulator control API) and the sandbox login host.
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { StatePersistence } from './persistence.js';
import { productionApp, sandboxApp } from './server.js';
import { EmulatorState } from './store.js';
import { SalesforceCasedResponse } from './wire-headers.js';

export interface EmulatorOptions {
  host?: string;
  /** 0 = ephemeral; default 4010 */
  port?: number;
  /** 0 = ephemeral; default 4011 */
  sandboxPort?: number;
  logRequests?: boolean;
  /**
   * Save the emulator's state to this file (after changes and on close) and restore it on start
   * (persistence.ts); `npm start` uses it. Left out: memory only (tests, the benchmark).
   */
  persistFile?: string;
}

export interface RunningEmulator {
  /** Production login host; also serves the orgs' instance URLs and /__emulator. */
  productionUrl: string;
  /** Sandbox login host. */
  sandboxUrl: string;
  /** True when the state came from `persistFile` (no seeding needed). */
  restored: boolean;
  close(): Promise<void>;
}

function listen(fetch: (req: Request, env: never) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    // Header names cased as Salesforce sends them (wire-headers.ts).
    const serverOptions = { ServerResponse: SalesforceCasedResponse as unknown as typeof ServerResponse };
    const server = serve({ fetch: fetch as never, hostname, port, serverOptions }, () => resolve(server));
    server.once('error', reject);
  });
}

function urlOf(server: ServerType, host: string): string {
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets (jsforce, fetch) would otherwise hold close() open.
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

type Fetch = (req: Request, env: never) => Response | Promise<Response>;

/** Any request may change the state (records, tokens, API usage): each one schedules a save. */
function savingAfterEach(fetch: Fetch, persistence: StatePersistence | undefined): Fetch {
  if (!persistence) return fetch;
  return async (req, env) => {
    try {
      return await fetch(req, env);
    } finally {
      persistence.changed();
    }
  };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const state = new EmulatorState();
  const persistence = options.persistFile ? new StatePersistence(state, options.persistFile) : undefined;
  const restored = persistence?.load() ?? false;
  const production = savingAfterEach(productionApp(state, options.logRequests).fetch, persistence);
  const sandbox = savingAfterEach(sandboxApp(state, options.logRequests).fetch, persistence);
  const prodServer = await listen(production, host, options.port ?? 4010);
  let sandboxServer: ServerType;
  try {
    sandboxServer = await listen(sandbox, host, options.sandboxPort ?? 4011);
  } catch (e) {
    await closeServer(prodServer);
    throw e;
  }
  state.productionUrl = urlOf(prodServer, host);
  state.sandboxUrl = urlOf(sandboxServer, host);
  return {
    productionUrl: state.productionUrl,
    sandboxUrl: state.sandboxUrl,
    restored,
    close: async () => {
      await Promise.all([closeServer(prodServer), closeServer(sandboxServer)]);
      persistence?.flush();
    },
  };
}

export { createControlClient } from './control-client.js';
export type { ControlClient } from './control-client.js';
