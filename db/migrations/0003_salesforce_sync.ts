import { sql, type Kysely } from 'kysely';
import { requireDestructiveDownAllowed } from './destructive-down.js';

// Salesforce → FastFollow sync state: mirrored keys and versions, per-object cursors, record-level errors.
export async function up(db: Kysely<unknown>): Promise<void> {
  // SystemModstamp of the version applied: an older version (lookback re-read, retried page) never overwrites a newer one.
  await db.schema.alterTable('contacts').addColumn('salesforce_modstamp', 'timestamptz').execute();
  await db.schema.alterTable('deals').addColumn('salesforce_modstamp', 'timestamptz').execute();
  await sql`create unique index contacts_account_sf_contact_key on contacts (account_id, salesforce_contact_id) where salesforce_contact_id is not null`.execute(db);
  await sql`create index contacts_account_sf_account_idx on contacts (account_id, salesforce_account_id) where salesforce_account_id is not null`.execute(db);
  await sql`create unique index deals_account_sf_opportunity_key on deals (account_id, salesforce_opportunity_id) where salesforce_opportunity_id is not null`.execute(db);

  // Account names, so contacts get company_name and an Account rename reaches its contacts.
  await db.schema
    .createTable('salesforce_accounts')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('salesforce_account_id', 'text', (col) => col.notNull())
    .addColumn('name', 'text')
    .addColumn('salesforce_modstamp', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('salesforce_accounts_pkey', ['account_id', 'salesforce_account_id'])
    .execute();

  // One row per (connection, object): where the initial read is, and the incremental watermark.
  await db.schema
    .createTable('salesforce_sync_cursors')
    .addColumn('connection_id', 'uuid', (col) => col.notNull().references('salesforce_connections.id').onDelete('cascade'))
    .addColumn('object', 'text', (col) => col.notNull())
    .addColumn('initial_started_at', 'timestamptz')
    .addColumn('initial_done', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('mode', 'text')
    .addColumn('locator', 'text')
    .addColumn('last_modstamp', 'timestamptz')
    .addColumn('last_id', 'text')
    .addColumn('window_from', 'timestamptz')
    .addColumn('window_to', 'timestamptz')
    .addColumn('watermark', 'timestamptz')
    .addColumn('records_synced', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('last_synced_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('salesforce_sync_cursors_pkey', ['connection_id', 'object'])
    .execute();

  // Record-level problems (dirty data, refused writes), grouped for support's health view.
  await db.schema
    .createTable('salesforce_sync_errors')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('connection_id', 'uuid', (col) => col.notNull().references('salesforce_connections.id').onDelete('cascade'))
    .addColumn('object', 'text', (col) => col.notNull())
    .addColumn('salesforce_id', 'text', (col) => col.notNull())
    .addColumn('code', 'text', (col) => col.notNull())
    .addColumn('field', 'text')
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('occurrences', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('first_seen_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('salesforce_sync_errors_record_code_key', ['connection_id', 'object', 'salesforce_id', 'code'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  requireDestructiveDownAllowed('0003_salesforce_sync', 'drop the sync state and the mirrored rows\' Salesforce versions (the next sync re-reads everything)');
  await db.schema.dropTable('salesforce_sync_errors').execute();
  await db.schema.dropTable('salesforce_sync_cursors').execute();
  await db.schema.dropTable('salesforce_accounts').execute();
  await sql`drop index deals_account_sf_opportunity_key`.execute(db);
  await sql`drop index contacts_account_sf_account_idx`.execute(db);
  await sql`drop index contacts_account_sf_contact_key`.execute(db);
  await db.schema.alterTable('deals').dropColumn('salesforce_modstamp').execute();
  await db.schema.alterTable('contacts').dropColumn('salesforce_modstamp').execute();
}
