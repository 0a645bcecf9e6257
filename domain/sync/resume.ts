import type { SyncedObject } from '../synced-objects.js';
import { fieldsFor, formatSoqlDateTime, soqlDateTimeOf, type SyncWindow } from './soql.js';

/**
 * The read that continues after the last applied record when a query locator is gone (a worker
 * crashed and the locator expired, ~15 minutes at Salesforce): keyset paging on the same order
 * (SystemModstamp, Id), so nothing is skipped or re-read twice. Parentheses matter: SOQL refuses
 * AND and OR mixed without them.
 *
 * The key's stamp is a whole-second literal like every other (Salesforce's SystemModstamp has no
 * milliseconds, so the key is exact there). On a store with finer stamps, the comparison is still
 * lossless: records later in that second compare `>` the floored stamp and are read again, harmlessly.
 */
export function resumeQuery(object: SyncedObject, after: { modstamp: Date; id: string }, window?: SyncWindow, extra: readonly string[] = []): string {
  const stamp = formatSoqlDateTime(after.modstamp);
  const id = after.id.replace(/[^A-Za-z0-9]/g, '');
  const afterLast = `((SystemModstamp > ${stamp}) OR (SystemModstamp = ${stamp} AND Id > '${id}'))`;
  const bounds = window ? [`SystemModstamp < ${soqlDateTimeOf(window.to)}`, ...(window.from ? [`SystemModstamp >= ${soqlDateTimeOf(window.from)}`] : [])] : [];
  return `SELECT ${fieldsFor(object, extra).join(', ')} FROM ${object} WHERE ${[...bounds, afterLast].join(' AND ')} ORDER BY SystemModstamp, Id`;
}
