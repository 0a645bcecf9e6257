import type { TestProject } from 'vitest/node';
import { startLocalInfrastructure } from '../dev/local-infrastructure.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    postgresAdminUrl: string;
  }
}

/**
 * One real Temporal dev server (in memory) and one real Postgres (in a temporary folder) for the
 * integration run, through the local-system composer. TEST_POSTGRES_ADMIN_URL points at an
 * existing server instead (each test file still gets its own throwaway database); the Temporal
 * server is always our own, so tests never touch a shared one.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL;
  const infrastructure = await startLocalInfrastructure({
    postgres: adminUrl ? { url: adminUrl } : 'embedded',
    temporal: 'dev-server',
    log: (line) => process.stderr.write(`[global-setup] ${line}\n`),
  });
  project.provide('temporalAddress', infrastructure.env.TEMPORAL_ADDRESS!);
  project.provide('postgresAdminUrl', infrastructure.env.DATABASE_URL!);
  return () => infrastructure.cleanup.run();
}
