import type jsforce from 'jsforce';
import type { Db } from '../db/connect.js';
import { dueOutboxEdits, recordOutboxOutcome, type OutboxFailure, type OutboxOutcome } from '../db/outbox.js';
import { coalesceEdits, resolveRecord, retryDelaySeconds, salesforceFieldOf, TRANSIENT_RECORD_CODES, type PendingRecord } from '../domain/write-back.js';
import { toSalesforceCustomValue } from '../domain/field-mappings.js';
import { flagBrokenMappings } from '../db/field-mappings.js';
import { customWriteFields } from './write-back-custom.js';
import { explainWriteBackError } from '../domain/write-back-errors.js';
import { COLLECTION_LIMIT, updateCollection, type CollectionResult } from '../salesforce/collections.js';
import { currentValues } from '../salesforce/current-values.js';

// One write-back batch of a connection: the outbox's due edits of up to 200 records (one object),
// coalesced per record, checked against Salesforce's current values (one SOQL query), written in one
// sObject Collections PATCH (allOrNone=false), and the outcome stored with the rows in one transaction.

/** Counts only (record contents never enter Temporal history). */
export interface WriteBackCounts {
  written: number;
  /** Records born in FastFollow now in Salesforce (created, or linked to a contact with the same email). */
  created: number;
  failed: number;
  retrying: number;
  conflicts: number;
  apiCalls: number;
  collectionCalls: number;
}

const seqsOf = (record: PendingRecord) => record.fields.flatMap((field) => field.seqs);

function failureOf(result: CollectionResult): OutboxFailure {
  const error = result.success ? undefined : result.errors[0];
  const code = error?.statusCode ?? 'UNKNOWN_ERROR';
  const explained = explainWriteBackError(code, error?.message);
  const message = error?.message ? `${explained.message} Salesforce: ${error.message}` : explained.message;
  return { code, message, fix: explained.fix };
}

// size: one batch end to end (coalesce, resolve, write, store) reads best in one place
export async function writeOneBatch(db: Db, conn: jsforce.Connection, connectionId: string, counts: WriteBackCounts): Promise<void> {
  const custom = await customWriteFields(db, connectionId);
  const edits = await dueOutboxEdits(db, connectionId, COLLECTION_LIMIT);
  // Edits of a custom field no longer mapped to Salesforce are never written.
  const unmapped = edits.filter((edit) => !salesforceFieldOf(edit, custom.fields)).map((edit) => edit.seq);
  const records = coalesceEdits(edits, custom.fields);
  const object = records[0]?.object;
  if (!object) {
    if (unmapped.length > 0) await recordOutboxOutcome(db, connectionId, { written: [], superseded: unmapped, failed: [], retry: [], conflicts: [] });
    return;
  }
  const fields = [...new Set(records.flatMap((record) => record.fields.map((field) => field.salesforceField)))];
  const current = await currentValues(conn, object, records.map((record) => record.salesforceId), fields);
  counts.apiCalls += 1;
  const outcome: OutboxOutcome = { written: [], superseded: unmapped, failed: [], retry: [], conflicts: [] };
  const toSend: Array<{ record: PendingRecord; seqs: string[]; changes: Record<string, unknown> }> = [];
  for (const record of records) {
    const now = current.get(record.salesforceId);
    if (!now) {
      const explained = explainWriteBackError('ENTITY_IS_DELETED');
      outcome.failed.push({ seqs: seqsOf(record), failure: { code: explained.code, message: explained.message, fix: explained.fix } });
      continue;
    }
    const resolution = resolveRecord(record, now);
    const { object: recordObject, recordId, salesforceId } = record;
    outcome.conflicts.push(...resolution.conflicts.map((conflict) => ({ ...conflict, object: recordObject, recordId, salesforceId })));
    outcome.written.push(...resolution.unchanged.flatMap((field) => field.seqs));
    outcome.superseded.push(...resolution.overruled.flatMap((field) => field.seqs));
    for (const field of resolution.written) {
      const type = custom.types[object]?.[field.salesforceField];
      if (type) resolution.changes[field.salesforceField] = toSalesforceCustomValue(type, field.value);
    }
    if (resolution.written.length > 0) toSend.push({ record, seqs: resolution.written.flatMap((field) => field.seqs), changes: resolution.changes });
  }
  counts.conflicts += outcome.conflicts.length;
  const refused: string[] = [];
  if (toSend.length > 0) {
    const results = await updateCollection(conn, object, toSend.map(({ record, changes }) => ({ Id: record.salesforceId, ...changes })));
    counts.apiCalls += 1;
    counts.collectionCalls += 1;
    results.forEach((result, i) => {
      const { seqs } = toSend[i]!;
      if (result.success) {
        outcome.written.push(...seqs);
        counts.written += 1;
        return;
      }
      const failure = failureOf(result);
      if (splitRefusedFields(toSend[i]!.record, result, failure, outcome)) {
        refused.push(...(result.success ? [] : result.errors.flatMap((error) => error.fields)));
        counts.failed += 1;
        return;
      }
      if (TRANSIENT_RECORD_CODES.has(failure.code)) {
        outcome.retry.push({ seqs, delaySeconds: retryDelaySeconds(1), failure });
        counts.retrying += 1;
      } else {
        outcome.failed.push({ seqs, failure });
        counts.failed += 1;
      }
    });
  }
  await recordOutboxOutcome(db, connectionId, outcome);
  const brokenMappings = [...new Set(refused)].filter((field) => custom.types[object]?.[field]);
  if (brokenMappings.length > 0) await flagBrokenMappings(db, connectionId, object, brokenMappings, 'INVALID_FIELD_FOR_INSERT_UPDATE', explainWriteBackError('INVALID_FIELD_FOR_INSERT_UPDATE').message);
}

/**
 * A record refused because of some of its fields (INVALID_FIELD_FOR_INSERT_UPDATE naming them, e.g.
 * field-level security changed): those fields' edits fail, the record's other fields are sent again
 * at once without them. False when the error is about the whole record.
 */
function splitRefusedFields(record: PendingRecord, result: CollectionResult, failure: OutboxFailure, outcome: OutboxOutcome): boolean {
  if (result.success || failure.code !== 'INVALID_FIELD_FOR_INSERT_UPDATE') return false;
  const named = new Set(result.errors.flatMap((error) => error.fields.map((field) => field.toLowerCase())));
  const refused = record.fields.filter((field) => named.has(field.salesforceField.toLowerCase()));
  if (refused.length === 0) return false;
  outcome.failed.push({ seqs: refused.flatMap((field) => field.seqs), failure });
  const others = record.fields.filter((field) => !refused.includes(field)).flatMap((field) => field.seqs);
  if (others.length > 0) outcome.retry.push({ seqs: others, delaySeconds: 0, failure });
  return true;
}
