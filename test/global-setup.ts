import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.js';
import { startTemporalDevServer } from '../dev/temporal-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    postgresAdminUrl: string;
  }
}

/**
 * One real Temporal dev server (in memory) and one real Postgres for the integration run.
 * TEST_POSTGRES_ADMIN_URL points at an existing server instead (each test file still gets its
 * own throwaway database); the Temporal server is always our own, so tests never touch a shared one.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  const log = (line: string) => process.stderr.write(`[global-setup] ${line}\n`);

  const [postgresAdminUrl, temporal] = await Promise.all([
    (async () => {
      if (process.env.TEST_POSTGRES_ADMIN_URL) return process.env.TEST_POSTGRES_ADMIN_URL;
      // Under /tmp so the `postgres` user (used when running as root) can reach the folder.
      const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ff-test-pg-')), 'data');
      const postgres = await startEmbeddedPostgres({ dataDir, ephemeral: true });
      stops.push(() => postgres.stop());
      return postgres.adminUrl;
    })(),
    startTemporalDevServer({ log }),
  ]);
  stops.push(() => temporal.stop());

  project.provide('temporalAddress', temporal.address);
  project.provide('postgresAdminUrl', postgresAdminUrl);

  return async () => {
    await Promise.allSettled(stops.reverse().map((stop) => stop()));
  };
}
