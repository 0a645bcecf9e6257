import type { Db } from '../db/connect.js';
import { flagBrokenMappings } from '../db/field-mappings.js';
import { salesforceErrorCode } from '../salesforce/error-code.js';

// A mapped field the connected user can no longer see (field-level security set to hidden, or the
// field deleted) makes every query naming it fail with INVALID_FIELD. The mapping is flagged
// (support health shows it) and left out of reads and writes until the mappings are saved again, so
// the next try of the read or write-back goes on without it.

const NO_SUCH_COLUMN = /No such column '([A-Za-z0-9_]+)' on entity '([A-Za-z]+)'/;

/** Flags the mapping of the column an INVALID_FIELD error names, if any; the caller rethrows. */
export async function flagHiddenMappedField(db: Db, connectionId: string, error: unknown): Promise<void> {
  if (salesforceErrorCode(error) !== 'INVALID_FIELD' || !(error instanceof Error)) return;
  const match = NO_SUCH_COLUMN.exec(error.message);
  if (!match) return;
  const [, column, object] = match as unknown as [string, string, string];
  await flagBrokenMappings(db, connectionId, object, [column], 'INVALID_FIELD', `Salesforce no longer shows ${object}.${column} to the connected user (field-level security or a deleted field); the mapping is left out of reads and writes.`)
    .catch(() => undefined);
}
