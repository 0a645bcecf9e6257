import { sql, type Kysely } from 'kysely';
import { requireDestructiveDownAllowed } from './destructive-down.js';

// Grants waiting to be revoked at Salesforce: a disconnect, a reconnect (the replaced grant) or a failed
// activation moves the refresh token here (still encrypted) in the transaction that lets go of it; a
// revocation workflow revokes it and erases the ciphertext.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('salesforce_pending_revocations')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('environment', 'text', (col) => col.notNull().check(sql`environment in ('production', 'sandbox')`))
    .addColumn('reason', 'text', (col) => col.notNull().check(sql`reason in ('disconnect', 'reconnect', 'activation_failed')`))
    .addColumn('login_url', 'text', (col) => col.notNull())
    .addColumn('refresh_token_ciphertext', 'text')
    .addColumn('refresh_token_key_version', 'integer')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('outcome', 'text', (col) => col.check(sql`outcome in ('revoked', 'already_invalid')`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('done_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('salesforce_pending_revocations_connection_idx')
    .on('salesforce_pending_revocations')
    .columns(['account_id', 'environment', 'created_at'])
    .execute();
  await sql`create index salesforce_pending_revocations_open_idx on salesforce_pending_revocations (created_at) where done_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // A pending row is the only copy of a grant still live at Salesforce: never lose it by accident.
  const { rows } = await sql<{ open: string }>`select count(*) as open from salesforce_pending_revocations where done_at is null`.execute(db);
  const open = Number(rows[0]?.open ?? 0);
  if (open > 0) requireDestructiveDownAllowed('0009_pending_revocations', `forget ${open} grant(s) not yet revoked at Salesforce`);
  await db.schema.dropTable('salesforce_pending_revocations').execute();
}
