import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

// Read `date` columns as 'YYYY-MM-DD' strings: turning them into JS Dates would shift a
// CloseDate by the process's time zone.
const PG_DATE_OID = 1082;
pg.types.setTypeParser(PG_DATE_OID, (value) => value);

export type Db = Kysely<Database>;

export interface DbOptions {
  max?: number;
  /** A statement waiting longer than this for a row or table lock fails (lock_timeout) instead of queueing forever. */
  lockTimeoutMs?: number;
  /** A transaction left idle this long is ended by Postgres (idle_in_transaction_session_timeout), freeing its locks. */
  idleInTransactionTimeoutMs?: number;
  /** Longest statement (statement_timeout); unset by default so migrations can build large indexes. */
  statementTimeoutMs?: number;
}

/** Defaults: no session waits on a lock longer than 10 s; no transaction sits idle holding locks longer than 60 s. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    lock_timeout: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    ...(options.statementTimeoutMs !== undefined ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // pg-pool listens for errors only while a client is idle: one checked out between statements (inside a
  // transaction) whose session is killed — a Postgres restart, a failover — would emit an unhandled 'error'
  // and take the whole process down. The transaction's next statement fails instead, and the pool drops the client.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
