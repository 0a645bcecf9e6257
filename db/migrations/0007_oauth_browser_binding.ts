import { sql, type Kysely } from 'kysely';

// The OAuth flow bound to the browser that started it: the hash of the binding cookie beside each
// pending state. And the callback's rate-limit counters, in Postgres so every API replica shares them.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Nullable: states pending during the deploy have no binding and fail the check (they last 10 minutes).
  await db.schema.alterTable('salesforce_oauth_states').addColumn('binding_hash', 'text').execute();

  await db.schema
    .createTable('callback_rate_limits')
    .addColumn('client_key', 'text', (col) => col.notNull())
    .addColumn('window_start', 'timestamptz', (col) => col.notNull())
    .addColumn('hits', 'integer', (col) => col.notNull().defaultTo(sql`1`))
    .addPrimaryKeyConstraint('callback_rate_limits_pkey', ['client_key', 'window_start'])
    .execute();
  await db.schema.createIndex('callback_rate_limits_window_idx').on('callback_rate_limits').column('window_start').execute();
}

// Neither holds customer data: short-lived counters, and a hash of a cookie valid 10 minutes.
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('callback_rate_limits').execute();
  await db.schema.alterTable('salesforce_oauth_states').dropColumn('binding_hash').execute();
}
