import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import { createWorker } from '../../worker/create-worker.js';
import { activityDependencies } from '../../activities/wiring.js';
import { diagnosticsWorkflow } from '../../workflows/index.js';
import { testConfig } from '../support/config.js';
import { migrations } from '../../db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

describe('worker (real Temporal dev server and Postgres)', () => {
  const config = testConfig();
  let database: TestDatabase;
  let connection: NativeConnection;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    client = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }) });
  });
  afterAll(async () => {
    await client.connection.close();
    await connection.close();
    await database.drop();
  });

  it('runs a workflow started through the client, whose activity reads Postgres', async () => {
    const worker = await createWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dependencies: activityDependencies(config, database.db, createLogger({ level: 'silent' })),
    });
    const result = await worker.runUntil(
      client.workflow.execute(diagnosticsWorkflow, {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: `diagnostics-${config.TEMPORAL_TASK_QUEUE}`,
      }),
    );
    expect(result.appliedMigrations).toEqual(Object.keys(migrations));
    expect(result.serverVersion).toMatch(/^\d+/);

    const history = await client.workflow.getHandle(`diagnostics-${config.TEMPORAL_TASK_QUEUE}`).fetchHistory();
    const scheduled = history.events?.find((event) => event.activityTaskScheduledEventAttributes);
    expect(scheduled?.activityTaskScheduledEventAttributes?.activityType?.name).toBe('databaseDiagnostics');
  });
});
