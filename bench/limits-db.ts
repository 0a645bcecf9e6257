import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

// The write limit and the naive baseline write into scratch copies of the sync's tables (same columns,
// defaults and indexes, no rows), so they cost what the real tables cost without touching them.

export type MirrorTable = 'salesforce_accounts' | 'contacts' | 'deals';
export type Row = Record<string, unknown>;

const scratch = (table: MirrorTable) => `bench_limit_${table}`;

/** Fresh, empty scratch copies of the three mirror tables. */
export async function resetScratchTables(db: Db): Promise<void> {
  for (const table of ['salesforce_accounts', 'contacts', 'deals'] as const) {
    await sql`drop table if exists ${sql.table(scratch(table))}`.execute(db);
    await sql`create table ${sql.table(scratch(table))} (like ${sql.table(table)} including all)`.execute(db);
  }
}

export async function dropScratchTables(db: Db): Promise<void> {
  for (const table of ['salesforce_accounts', 'contacts', 'deals'] as const) await sql`drop table if exists ${sql.table(scratch(table))}`.execute(db);
}

/**
 * The best batched statement we know for pg: one INSERT … SELECT FROM jsonb_populate_recordset per
 * `batch` rows (a single parameter, no per-row placeholders, one round trip per batch).
 */
export async function insertBatched(db: Db, table: MirrorTable, rows: Row[], batch = 10_000): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const list = sql.join(columns.map((column) => sql.ref(column)));
  for (let start = 0; start < rows.length; start += batch) {
    const json = JSON.stringify(rows.slice(start, start + batch));
    await sql`insert into ${sql.table(scratch(table))} (${list})
      select ${list} from jsonb_populate_recordset(null::${sql.table(scratch(table))}, ${json}::jsonb)`.execute(db);
  }
}

/** The naive way: one INSERT per row. */
export async function insertOneByOne(db: Db, table: MirrorTable, rows: Row[]): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    await sql`insert into ${sql.table(scratch(table))} (${sql.join(columns.map((column) => sql.ref(column)))})
      values (${sql.join(columns.map((column) => sql`${row[column] as string}`))})`.execute(db);
  }
}
