import type jsforce from 'jsforce';
import type { Db } from '../db/connect.js';
import { dueOutboxEdits, recordOutboxOutcome, type OutboxFailure, type OutboxOutcome } from '../db/outbox.js';
import { coalesceEdits, resolveRecord, retryDelaySeconds, TRANSIENT_RECORD_CODES, type PendingRecord } from '../domain/write-back.js';
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

export async function writeOneBatch(db: Db, conn: jsforce.Connection, connectionId: string, counts: WriteBackCounts): Promise<void> {
  const records = coalesceEdits(await dueOutboxEdits(db, connectionId, COLLECTION_LIMIT));
  const object = records[0]?.object;
  if (!object) return;
  const fields = [...new Set(records.flatMap((record) => record.fields.map((field) => field.salesforceField)))];
  const current = await currentValues(conn, object, records.map((record) => record.salesforceId), fields);
  counts.apiCalls += 1;
  const outcome: OutboxOutcome = { written: [], superseded: [], failed: [], retry: [], conflicts: [] };
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
    if (resolution.written.length > 0) toSend.push({ record, seqs: resolution.written.flatMap((field) => field.seqs), changes: resolution.changes });
  }
  counts.conflicts += outcome.conflicts.length;
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
}
