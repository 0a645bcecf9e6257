import type jsforce from 'jsforce';
import type { Db } from '../../db/connect.js';
import { planInitialRead } from '../../db/cursors.js';
import { chooseReadMethod } from '../../domain/sync/plan.js';
import { SYNCED_OBJECTS } from '../../domain/synced-objects.js';
import { SALESFORCE_API_VERSION } from '../../salesforce/client.js';

/**
 * Chooses REST or Bulk API 2.0 for each object's initial read from the org's record counts:
 * one API call (limits/recordCount) for all three objects.
 */
export async function planInitialReads(conn: jsforce.Connection, db: Db, connectionId: string, minBulkRecords: number): Promise<void> {
  const counts = await conn.request<{ sObjects: Array<{ name: string; count: number }> }>(
    `/services/data/v${SALESFORCE_API_VERSION}/limits/recordCount?sObjects=${SYNCED_OBJECTS.join(',')}`,
  );
  for (const object of SYNCED_OBJECTS) {
    const recordCount = counts.sObjects.find((entry) => entry.name === object)?.count ?? 0;
    const { method } = chooseReadMethod({ recordCount, minBulkRecords });
    await planInitialRead(db, { connectionId, object }, { method, plannedRecords: recordCount });
  }
}
