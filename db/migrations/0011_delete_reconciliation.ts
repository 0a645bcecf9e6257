import { sql, type Kysely } from 'kysely';

// Deletes that queryAll can no longer show (records purged from the recycle bin, hard deletes):
// per connection and object, how far deletes are known to be applied, the Id reconciliation in
// progress (its query locator, and the Ids Salesforce listed so far), and what the last one removed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('salesforce_reconciliations')
    .addColumn('connection_id', 'uuid', (col) => col.notNull().references('salesforce_connections.id').onDelete('cascade'))
    .addColumn('object', 'text', (col) => col.notNull())
    .addColumn('covered_through', 'timestamptz')
    .addColumn('checked_at', 'timestamptz')
    .addColumn('running_since', 'timestamptz')
    .addColumn('running_reason', 'text')
    .addColumn('locator', 'text')
    .addColumn('last_run_at', 'timestamptz')
    .addColumn('last_reason', 'text')
    .addColumn('last_removed', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('total_removed', 'bigint', (col) => col.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('salesforce_reconciliations_pkey', ['connection_id', 'object'])
    .execute();
  await db.schema
    .createTable('salesforce_reconciliation_ids')
    .addColumn('connection_id', 'uuid', (col) => col.notNull().references('salesforce_connections.id').onDelete('cascade'))
    .addColumn('object', 'text', (col) => col.notNull())
    .addColumn('salesforce_id', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('salesforce_reconciliation_ids_pkey', ['connection_id', 'object', 'salesforce_id'])
    .execute();
  await sql`comment on table salesforce_reconciliation_ids is 'Ids Salesforce listed during an Id reconciliation in progress; emptied when it ends'`.execute(db);
}

// Only the sync's bookkeeping: the next reconciliation starts from scratch without it.
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('salesforce_reconciliation_ids').execute();
  await db.schema.dropTable('salesforce_reconciliations').execute();
}
