import { sql } from 'kysely';
import type { UsageReport } from '../../emulator/usage.js';
import type { SyncHealth } from '../../api/connections/health.js';
import { eventually } from './oauth-browser.js';
import type { TestSystem } from './system.js';

// Write-back end to end: FastFollow's app edits its tables with plain SQL (the triggers capture them),
// Salesforce's side is read back from the emulator.

export type Environment = 'production' | 'sandbox';

/** sObject Collections update calls in a usage report. */
export function collectionPatches(usage: UsageReport): number {
  return Object.entries(usage.byEndpoint)
    .filter(([endpoint]) => endpoint.startsWith('PATCH') && endpoint.includes('composite/sobjects'))
    .reduce((sum, [, n]) => sum + n, 0);
}

export async function salesforceRecord(system: TestSystem, orgId: string, object: string, id: string) {
  const { records } = await system.control.listRecords(orgId, object);
  return records.find((row) => row.Id === id);
}

/** FastFollow's app updating a mirrored contact or deal of a connection (as the app would: SQL, no sync code). */
export async function editInFastFollow(system: TestSystem, connectionId: string, table: 'contacts' | 'deals', salesforceId: string, changes: Record<string, string | number | null>) {
  const idColumn = table === 'contacts' ? 'salesforce_contact_id' : 'salesforce_opportunity_id';
  const sets = Object.entries(changes).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  await sql`update ${sql.table(table)} set ${sql.join(sets)}, updated_at = now()
    where salesforce_connection_id = ${connectionId} and ${sql.ref(idColumn)} = ${salesforceId}`.execute(system.database.db);
}

export async function connectionIdOf(system: TestSystem, accountId: string, environment: Environment): Promise<string> {
  const row = await system.database.db.selectFrom('salesforce_connections').select('id').where('account_id', '=', accountId).where('environment', '=', environment).executeTakeFirstOrThrow();
  return row.id;
}

export async function outboxRows(system: TestSystem, connectionId: string, salesforceId?: string) {
  let query = system.database.db.selectFrom('salesforce_outbox').selectAll().where('salesforce_connection_id', '=', connectionId);
  if (salesforceId) query = query.where('salesforce_id', '=', salesforceId);
  return query.orderBy('seq').execute();
}

export async function outboxSettled(system: TestSystem, connectionId: string, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => ((await outboxRows(system, connectionId)).some((row) => row.status === 'pending') ? undefined : true), timeoutMs);
}

export async function health(system: TestSystem, accountId: string, environment: Environment): Promise<SyncHealth> {
  const response = await system.call(`/api/support/connections/${accountId}/${environment}/health`, { headers: { authorization: `Bearer ${system.config.SUPPORT_TOKEN}` } });
  return (await response.json()) as SyncHealth;
}

/** Waits for a whole incremental cycle that started after now. */
export async function nextCycle(system: TestSystem, accountId: string, environment: Environment): Promise<void> {
  const since = Date.now() + 600;
  const completedAfter = (time: number) =>
    eventually(async () => {
      const status = await system.status(accountId, environment);
      return status.lastSyncAt && Date.parse(status.lastSyncAt) > time ? status : undefined;
    }, 60_000);
  await completedAfter(Date.parse((await completedAfter(since)).lastSyncAt!));
}
