import type jsforce from 'jsforce';

// sObject Collections: up to 200 records in one API call (`POST /composite/sobjects`).

export const COLLECTION_LIMIT = 200;

/** One record's outcome, in the order the records were sent. */
export type CollectionResult =
  | { success: true; id: string }
  | { success: false; errors: Array<{ statusCode: string; message: string; fields: string[] }> };

interface RawResult {
  id?: string | null;
  success: boolean;
  errors?: Array<{ statusCode?: string; errorCode?: string; message?: string; fields?: string[] }>;
}

/**
 * Creates records of one type with allOrNone=false: each record succeeds or fails on its own, and a
 * failed one does not roll back the others. Salesforce names a per-record error's code `statusCode`.
 */
export async function createCollection(conn: jsforce.Connection, type: string, records: Array<Record<string, unknown>>): Promise<CollectionResult[]> {
  if (records.length > COLLECTION_LIMIT) throw new Error(`sObject Collections take at most ${COLLECTION_LIMIT} records, not ${records.length}`);
  if (records.length === 0) return [];
  const body = { allOrNone: false, records: records.map((fields) => ({ attributes: { type }, ...fields })) };
  return toResults(await conn.requestPost<RawResult[]>('/composite/sobjects', body), records.length);
}

/**
 * Updates records (each `{Id, ...fields}`) of one type with allOrNone=false (`PATCH /composite/sobjects`).
 * Writing the same values again changes nothing, so a batch re-sent after a crash is harmless.
 */
export async function updateCollection(conn: jsforce.Connection, type: string, records: Array<{ Id: string } & Record<string, unknown>>): Promise<CollectionResult[]> {
  if (records.length > COLLECTION_LIMIT) throw new Error(`sObject Collections take at most ${COLLECTION_LIMIT} records, not ${records.length}`);
  if (records.length === 0) return [];
  const body = { allOrNone: false, records: records.map((fields) => ({ attributes: { type }, ...fields })) };
  return toResults(await conn.requestPatch<RawResult[]>('/composite/sobjects', body), records.length);
}

function toResults(raw: RawResult[], sent: number): CollectionResult[] {
  const records = { length: sent };
  if (!Array.isArray(raw) || raw.length !== records.length) {
    throw new Error(`sObject Collections answered ${Array.isArray(raw) ? raw.length : 'no'} results for ${records.length} records`);
  }
  return raw.map((result): CollectionResult => {
    if (result.success && result.id) return { success: true, id: result.id };
    return {
      success: false,
      errors: (result.errors ?? []).map((error) => ({
        statusCode: error.statusCode ?? error.errorCode ?? 'UNKNOWN_ERROR',
        message: error.message ?? '',
        fields: error.fields ?? [],
      })),
    };
  });
}
