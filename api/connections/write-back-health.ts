import type { Db } from '../../db/connect.js';
import { bornRecordsHealth } from '../../db/born-records.js';
import { writeBackHealth } from '../../db/outbox.js';

// Support health's write-back part: edits written back (pending, refused by code, conflicts) and
// records born in FastFollow waiting for or refused creation in Salesforce.
export async function writeBackHealthOf(db: Db, connectionId: string, sample: number) {
  const [edits, bornRecords] = await Promise.all([writeBackHealth(db, connectionId, sample), bornRecordsHealth(db, connectionId, sample)]);
  return { ...edits, bornRecords };
}
