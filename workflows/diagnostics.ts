import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { DatabaseDiagnostics } from '../activities/diagnostics.js';

const { databaseDiagnostics } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
  summary: 'Read the database version and applied migrations',
});

/** A short workflow support can start to check that a worker polls the queue and reaches Postgres. */
export async function diagnosticsWorkflow(): Promise<DatabaseDiagnostics> {
  setCurrentDetails('Checking the worker can reach Postgres');
  return databaseDiagnostics();
}
