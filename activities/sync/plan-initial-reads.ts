import { log } from '@temporalio/activity';
import type jsforce from 'jsforce';
import type { Db } from '../../db/connect.js';
import { planInitialRead } from '../../db/cursors.js';
import { normaliseErrorCode } from '../../domain/error-explanations.js';
import { chooseReadMethod } from '../../domain/sync/plan.js';
import { SYNCED_OBJECTS, type SyncedObject } from '../../domain/synced-objects.js';
import { SALESFORCE_API_VERSION } from '../../salesforce/client.js';
import { salesforceErrorCode } from '../../salesforce/error-code.js';
import type { CountCall } from './fetched-page.js';

/**
 * Refusals that say something about the whole connection (quota, session, edition, grant): the plan
 * must not paper over them with a fallback. Any other refusal of limits/recordCount means the user
 * may not use that resource ("View Setup and Configuration" is missing on a least-privilege
 * integration user); object access is a different matter, found out by the counts below.
 */
export const CONNECTION_LEVEL = new Set(['REQUEST_LIMIT_EXCEEDED', 'API_DISABLED_FOR_ORG', 'INVALID_SESSION_ID', 'INVALID_GRANT', 'REFRESH_TOKEN_LOST', 'SERVER_UNAVAILABLE']);

type Counts = Map<SyncedObject, number>;

/**
 * Chooses REST or Bulk API 2.0 for each object's initial read from the org's record counts: one API
 * call (limits/recordCount) for all three objects; when the connected user may not read that
 * resource, one `SELECT COUNT()` per object instead (exact, and limited to what the user can see).
 */
export async function planInitialReads(conn: jsforce.Connection, db: Db, connectionId: string, minBulkRecords: number, countCall: CountCall): Promise<InitialReadEstimate> {
  const counts = (await recordCounts(conn, countCall)) ?? (await soqlCounts(conn, countCall));
  const estimate: InitialReadEstimate = { records: 0, apiCalls: 0 };
  for (const object of SYNCED_OBJECTS) {
    const recordCount = counts.get(object) ?? 0;
    const { method, expectedApiCalls } = chooseReadMethod({ recordCount, minBulkRecords });
    await planInitialRead(db, { connectionId, object }, { method, plannedRecords: recordCount });
    estimate.records += recordCount;
    estimate.apiCalls += expectedApiCalls;
  }
  return estimate;
}

/** The whole initial read's size and expected API calls (for the workflow's auto-planning). */
export interface InitialReadEstimate {
  records: number;
  apiCalls: number;
}

/** limits/recordCount (a cached snapshot), or undefined when the user may not use it. */
async function recordCounts(conn: jsforce.Connection, countCall: CountCall): Promise<Counts | undefined> {
  countCall();
  try {
    const answer = await conn.request<{ sObjects: Array<{ name: string; count: number }> }>(
      `/services/data/v${SALESFORCE_API_VERSION}/limits/recordCount?sObjects=${SYNCED_OBJECTS.join(',')}`,
    );
    return new Map(answer.sObjects.filter((entry) => (SYNCED_OBJECTS as readonly string[]).includes(entry.name)).map((entry) => [entry.name as SyncedObject, entry.count]));
  } catch (error) {
    const code = salesforceErrorCode(error);
    if (!code || CONNECTION_LEVEL.has(normaliseErrorCode(code))) throw error;
    log.info('limits/recordCount refused; counting each object with SOQL instead', { code });
    return undefined;
  }
}

/**
 * One `SELECT COUNT()` per object. An object the user cannot see counts 0 here: its read then
 * reports the missing access (INSUFFICIENT_ACCESS) while the objects it may read are synced.
 */
async function soqlCounts(conn: jsforce.Connection, countCall: CountCall): Promise<Counts> {
  const counts: Counts = new Map();
  for (const object of SYNCED_OBJECTS) {
    countCall();
    try {
      const answer = await conn.query(`SELECT COUNT() FROM ${object}`, { autoFetch: false });
      counts.set(object, answer.totalSize);
    } catch (error) {
      const code = salesforceErrorCode(error);
      if (!code || normaliseErrorCode(code) !== 'INSUFFICIENT_ACCESS') throw error;
      counts.set(object, 0);
    }
  }
  return counts;
}
