import type { Db } from '../../db/connect.js';
import { bornRecordsHealth } from '../../db/born-records.js';
import { listMappings } from '../../db/field-mappings.js';
import { writeBackHealth } from '../../db/outbox.js';
import { explainWriteBackError } from '../../domain/write-back-errors.js';

// Support health's write-back part: edits written back (pending, refused by code, conflicts), records
// born in FastFollow waiting for or refused creation, and custom mappings Salesforce refused on a write.
export async function writeBackHealthOf(db: Db, connectionId: string, sample: number) {
  const [edits, bornRecords, mappings] = await Promise.all([writeBackHealth(db, connectionId, sample), bornRecordsHealth(db, connectionId, sample), listMappings(db, connectionId)]);
  const brokenMappings = mappings.flatMap(({ object, salesforceField, fastfollowField, direction, broken }) =>
    broken ? [{ object, salesforceField, fastfollowField, direction, code: broken.code, since: broken.at, fix: explainWriteBackError(broken.code).fix }] : []);
  return { ...edits, bornRecords, brokenMappings, backfillsPending: mappings.filter((m) => m.backfillPending).length };
}
