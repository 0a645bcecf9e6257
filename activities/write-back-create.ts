import type jsforce from 'jsforce';
import type { Db } from '../db/connect.js';
import { dueBornRecords, integrationUserId, markBornSending, recordBornOutcome, type BornOutcome } from '../db/born-records.js';
import { deriveCreateFields, emailKey, matchesSent, type BornRecord } from '../domain/born-records.js';
import { retryDelaySeconds, TRANSIENT_RECORD_CODES } from '../domain/write-back.js';
import { explainWriteBackError } from '../domain/write-back-errors.js';
import { contactIdsByEmail, createdSince } from '../salesforce/born-lookups.js';
import { COLLECTION_LIMIT, createCollection, type CollectionResult } from '../salesforce/collections.js';
import type { WriteBackCounts } from './write-back-batch.js';
import { customWriteFields } from './write-back-custom.js';
import { toSalesforceCustomValue } from '../domain/field-mappings.js';

// One batch of records born in FastFollow (one object, ≤ 200): contacts whose email Salesforce
// already has are linked (one SOQL query for the batch's emails); records a lost create call may have
// made are looked for first (created by the integration user since the call, same values); the rest
// are created with one sObject Collections POST (allOrNone=false). A record Salesforce cannot take
// (no name, a missing required field) fails alone, with the reason and the fix.

/** Clocks differ: records of a lost call are looked for from this long before it was sent. */
const CLOCK_MARGIN_MS = 5 * 60_000;
const LOOKUP_FIELDS = { Contact: ['FirstName', 'LastName', 'Email', 'Phone'], Opportunity: ['Name', 'StageName', 'CloseDate', 'Amount'] } as const;

type Waiting = BornRecord;

export async function createBornBatch(db: Db, conn: jsforce.Connection, connectionId: string, counts: WriteBackCounts): Promise<void> {
  const due = await dueBornRecords(db, connectionId, COLLECTION_LIMIT);
  const object = due[0]?.object;
  if (!object) return;
  const outcome: BornOutcome = { links: [], failed: [], retry: [], skipped: [] };
  // Gone (deleted in FastFollow) or already linked by the read (same email): nothing to create.
  let rest: Waiting[] = due.filter((record) => {
    if (record.state !== 'waiting') outcome.skipped.push(record.queueId);
    return record.state === 'waiting';
  });
  const countCall = () => void (counts.apiCalls += 1);
  if (object === 'Contact') rest = await linkByEmail(conn, rest, outcome, countCall);
  rest = await adoptLostCreates(db, conn, connectionId, object, rest, outcome, countCall);
  const onCreate = (await customWriteFields(db, connectionId)).onCreate[object] ?? [];
  const toSend: Array<{ record: Waiting; fields: Record<string, unknown> }> = [];
  for (const record of rest) {
    const derived = deriveCreateFields(record);
    // Mapped custom values go along (JSON values as text, converted by the field's type); unmapped keys never.
    const custom = onCreate.map((field) => {
      const value = record.custom?.[field.key];
      return [field.salesforceField, toSalesforceCustomValue(field.type, value === null || value === undefined ? null : String(value))] as const;
    });
    const fields = derived.ok ? Object.fromEntries([...Object.entries(derived.fields), ...custom].filter(([, value]) => value !== null)) : {};
    if (derived.ok) toSend.push({ record, fields });
    else outcome.failed.push({ queueIds: [record.queueId], failure: { code: derived.code, message: derived.message, fix: derived.fix } });
  }
  if (toSend.length > 0) {
    await markBornSending(db, toSend.map(({ record }) => record.queueId));
    countCall();
    counts.collectionCalls += 1;
    // A throw leaves the marker set: the next try looks for what this call may have created.
    const results = await createCollection(conn, object, toSend.map(({ fields }) => fields));
    results.forEach((result, i) => storeResult(outcome, toSend[i]!.record, result));
  }
  const stored = await recordBornOutcome(db, connectionId, outcome);
  counts.created += stored.linked;
  counts.failed += stored.failed;
}

function storeResult(outcome: BornOutcome, record: Waiting, result: CollectionResult): void {
  if (result.success) {
    outcome.links.push({ record, salesforceId: result.id, how: 'created' });
    return;
  }
  const error = result.errors[0];
  const code = error?.statusCode ?? 'UNKNOWN_ERROR';
  const explained = explainWriteBackError(code, error?.message);
  const where = error?.fields.length ? ` (fields: ${error.fields.join(', ')})` : '';
  const failure = { code, message: error?.message ? `${explained.message} Salesforce: ${error.message}${where}` : explained.message, fix: explained.fix };
  if (TRANSIENT_RECORD_CODES.has(code)) outcome.retry.push({ queueIds: [record.queueId], delaySeconds: retryDelaySeconds(1), failure });
  else outcome.failed.push({ queueIds: [record.queueId], failure });
}

/** Contacts whose email Salesforce already has are linked to that contact, not created again. */
async function linkByEmail(conn: jsforce.Connection, records: Waiting[], outcome: BornOutcome, countCall: () => void): Promise<Waiting[]> {
  const emails = [...new Set(records.flatMap((record) => emailKey(record.columns.email) ?? []))];
  if (emails.length === 0) return records;
  countCall();
  const existing = await contactIdsByEmail(conn, emails);
  return records.filter((record) => {
    const salesforceId = existing.get(emailKey(record.columns.email) ?? '');
    if (salesforceId) outcome.links.push({ record, salesforceId, how: 'linked' });
    return !salesforceId;
  });
}

/**
 * Records whose earlier create call never had its answer stored (the marker is still set): Salesforce
 * may have created them. The integration user's records created since the call are read back and one
 * with exactly the values we send is taken as ours instead of creating another.
 */
async function adoptLostCreates(db: Db, conn: jsforce.Connection, connectionId: string, object: 'Contact' | 'Opportunity', records: Waiting[], outcome: BornOutcome, countCall: () => void): Promise<Waiting[]> {
  const uncertain = records.filter((record) => record.sendingSince);
  if (uncertain.length === 0) return records;
  const since = new Date(Math.min(...uncertain.map((record) => record.sendingSince!.getTime())) - CLOCK_MARGIN_MS);
  const found = await createdSince(conn, object, await integrationUserId(db, connectionId), since, [...LOOKUP_FIELDS[object]], countCall);
  const taken = new Set<string>();
  return records.filter((record) => {
    if (!record.sendingSince) return true;
    const derived = deriveCreateFields(record);
    if (!derived.ok) return true;
    const match = found.find((candidate) => !taken.has(String(candidate.Id)) && matchesSent(derived.fields, candidate));
    if (!match) return true;
    taken.add(String(match.Id));
    outcome.links.push({ record, salesforceId: String(match.Id), how: 'created' });
    return false;
  });
}
