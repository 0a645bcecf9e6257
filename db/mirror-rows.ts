import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { Environment } from '../domain/environment.js';
import type { SyncIssue } from '../domain/sync/issues.js';
import type { SalesforceAccountRecord, SalesforceContactRecord, SalesforceOpportunityRecord } from '../domain/sync/mapping.js';
import { parseSalesforceDateTime } from '../domain/sync/soql.js';

// What every object's apply shares: the record and result types and the upsert bookkeeping.

export type SalesforceRecord = SalesforceAccountRecord & SalesforceContactRecord & SalesforceOpportunityRecord & Record<string, unknown>;

/** Whose rows a page writes: one connection (account + environment); its rows are keyed by connection and Salesforce Id. */
export interface ApplyContext {
  accountId: string;
  connectionId: string;
  environment: Environment;
}

export interface ApplyResult {
  upserted: number;
  deleted: number;
  /** Rows newly mirrored minus rows removed: keeps the object's count current without recounting. */
  mirroredDelta: number;
  issues: SyncIssue[];
}

/** `xmax = 0` holds for a row this statement inserted (not one it updated): Postgres' upsert tell-tale. */
export const INSERTED = sql<boolean>`xmax = 0`.as('inserted');

export function countInserted(rows: Array<{ inserted: boolean }>): number {
  return rows.filter((row) => row.inserted).length;
}

export function countDeleted(results: Array<{ numDeletedRows: bigint }>): number {
  return results.reduce((sum, result) => sum + Number(result.numDeletedRows), 0);
}

export function isDeleted(record: SalesforceRecord): boolean {
  return record.IsDeleted === true || record.IsDeleted === 'true';
}

export function modstampOf(record: SalesforceRecord): Date {
  if (!record.SystemModstamp) throw new Error(`Salesforce record ${record.Id ?? '(no Id)'} has no SystemModstamp`);
  return parseSalesforceDateTime(record.SystemModstamp);
}

/**
 * jsonb refuses a lone UTF-16 surrogate (which JSON.stringify writes as a `\udXXX` escape), while a bind
 * parameter stored it as U+FFFD: replaced the same way, so such text is stored as before.
 */
function wellFormed(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/\p{Surrogate}/gu, '\uFFFD') : value;
}

/** A lone surrogate is the only thing JSON.stringify writes as a `\ud800`–`\udfff` escape. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The rows as one JSON text for jsonb. A replacer function takes V8's JSON.stringify off its fast path
 * (it was a tenth of the worker's apply CPU), so it runs only for the rare page that has a lone surrogate.
 */
export function rowsAsJson(rows: Array<Record<string, unknown>>): string {
  const json = JSON.stringify(rows);
  return SURROGATE_ESCAPE.test(json) ? JSON.stringify(rows, wellFormed) : json;
}

/** The SQL condition: the connection has a row of any of these Salesforce Ids in `spec`'s table (one index probe per Id). */
export function anyStoredCondition(spec: UpsertSpec, connectionId: string, salesforceIds: readonly string[]) {
  return sql<boolean>`exists(select 1 from ${sql.table(spec.table)}
    where salesforce_connection_id = ${connectionId} and ${sql.ref(spec.idColumn)} = any(${salesforceIds}::text[]))`;
}

/** Whether the connection has a row of any of these Salesforce Ids in `spec`'s table. */
export async function anyStored(trx: Transaction<Database>, spec: UpsertSpec, connectionId: string, salesforceIds: readonly string[]): Promise<boolean> {
  const { rows } = await sql<{ stored: boolean }>`select ${anyStoredCondition(spec, connectionId, salesforceIds)} as stored`.execute(trx);
  return rows[0]?.stored === true;
}

/** How one mirror table is upserted by Salesforce Id. */
export interface UpsertSpec {
  table: 'contacts' | 'deals' | 'salesforce_accounts';
  /** The Salesforce Id column; the conflict target is (salesforce_connection_id, idColumn). */
  idColumn: string;
  /** The unique index on the target is partial (`where idColumn is not null`). */
  partialKey: boolean;
  /** Columns a newer version overwrites (salesforce_modstamp always). */
  update: string[];
  /** Sets updated_at = now() on update. */
  touch: boolean;
  /** A stored row without a SystemModstamp is overwritten too (FastFollow rows adopted before they had one). */
  overwriteUnstamped: boolean;
}

/**
 * Upserts `rows` in one statement with one parameter (a JSON array read by jsonb_populate_recordset,
 * as the benchmark's write limit does): thousands of bind parameters cost Postgres and pg more than the
 * rows themselves. The owner's columns (the same on every row) are parameters of their own, not repeated
 * in each row's JSON. An older SystemModstamp never overwrites a newer one. Returns how many rows were new.
 * `json`: the rows' JSON when already made (db/mirror-prepare.ts). `allNew`: the caller found none of these
 * Ids stored for the connection, in this transaction.
 */
export async function upsertRows(trx: Transaction<Database>, spec: UpsertSpec, owner: ApplyContext, rows: Array<Record<string, unknown>>, { json = null, allNew = false }: { json?: string | null; allNew?: boolean } = {}): Promise<number> {
  if (rows.length === 0) return 0;
  const ownerColumns = spec.table === 'salesforce_accounts' ? ['account_id', 'salesforce_connection_id'] : ['account_id', 'salesforce_connection_id', 'salesforce_environment'];
  const ownerValues = [sql`${owner.accountId}::text`, sql`${owner.connectionId}::uuid`, sql`${owner.environment}::text`].slice(0, ownerColumns.length);
  const rowColumns = Object.keys(rows[0]!);
  const columns = sql.join([...ownerColumns, ...rowColumns].map((column) => sql.ref(column)));
  const values = sql.join([...ownerValues, ...rowColumns.map((column) => sql.ref(column))]);
  const table = sql.table(spec.table);
  const id = sql.ref(spec.idColumn);
  const sets = [...spec.update, 'salesforce_modstamp'].map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`);
  if (spec.touch) sets.push(sql`updated_at = now()`);
  const stored = sql.ref(`${spec.table}.salesforce_modstamp`);
  const guard = spec.overwriteUnstamped ? sql`${stored} is null or ${stored} <= excluded.salesforce_modstamp` : sql`${stored} <= excluded.salesforce_modstamp`;
  const source = sql`select ${values} from jsonb_populate_recordset(null::${table}, ${json ?? rowsAsJson(rows)}::jsonb)`;
  if (allNew) {
    // No row of these Ids is stored (the caller looked, in this transaction): a plain insert costs Postgres
    // ~13% less per row than ON CONFLICT's speculative insertion. A row committed meanwhile by another
    // transaction fails the statement (unique key), and the page is applied again, then as an update.
    const inserted = await sql`insert into ${table} (${columns}) ${source}`.execute(trx);
    return Number(inserted.numAffectedRows ?? 0);
  }
  const { rows: counted } = await sql<{ inserted: string }>`
    with written as (
      insert into ${table} (${columns})
      ${source}
      on conflict (salesforce_connection_id, ${id}) ${spec.partialKey ? sql`where ${id} is not null` : sql``}
      do update set ${sql.join(sets)} where ${guard}
      returning xmax = 0 as inserted)
    select count(*) filter (where inserted) as inserted from written`.execute(trx);
  return Number(counted[0]?.inserted ?? 0);
}
