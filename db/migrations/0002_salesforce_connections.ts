import { sql, type Kysely } from 'kysely';
import { requireDestructiveDownAllowed } from './destructive-down.js';

// One row per (FastFollow account, Salesforce environment): the connection and its encrypted tokens.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('salesforce_connections')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('environment', 'text', (col) => col.notNull().check(sql`environment in ('production', 'sandbox')`))
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('active', 'revoked', 'disconnected')`))
    .addColumn('status_reason', 'text')
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('username', 'text')
    .addColumn('login_url', 'text', (col) => col.notNull())
    .addColumn('instance_url', 'text', (col) => col.notNull())
    .addColumn('refresh_token_ciphertext', 'text')
    .addColumn('refresh_token_key_version', 'integer')
    .addColumn('access_token_ciphertext', 'text')
    .addColumn('access_token_key_version', 'integer')
    // Bumped on every refresh: a caller holding generation N that sees N+1 knows another process refreshed.
    .addColumn('token_generation', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('connected_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('salesforce_connections_account_environment_key', ['account_id', 'environment'])
    .execute();

  // Pending OAuth authorizations: the state is stored hashed, the PKCE verifier encrypted.
  await db.schema
    .createTable('salesforce_oauth_states')
    .addColumn('state_hash', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('environment', 'text', (col) => col.notNull())
    .addColumn('verifier_ciphertext', 'text', (col) => col.notNull())
    .addColumn('verifier_key_version', 'integer', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('salesforce_oauth_states_expires_idx').on('salesforce_oauth_states').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  requireDestructiveDownAllowed('0002_salesforce_connections', 'drop every Salesforce connection and its stored grant');
  await db.schema.dropTable('salesforce_oauth_states').execute();
  await db.schema.dropTable('salesforce_connections').execute();
}
