import { sql, type Kysely } from 'kysely';
import { requireDestructiveDownAllowed } from './destructive-down.js';

// FastFollow's domain tables as the contract (docs/contracts.md#postgres) describes them. Sync-specific
// columns and tables arrive in later migrations, with the features that need them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('contacts')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('full_name', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('company_name', 'text')
    .addColumn('salesforce_contact_id', 'text')
    .addColumn('salesforce_account_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  // Email is the per-account natural key; lower() so Jane@X and jane@x are one person.
  await sql`create unique index contacts_account_email_key on contacts (account_id, lower(email))`.execute(db);

  await db.schema
    .createTable('deals')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('title', 'text')
    .addColumn('value', 'numeric')
    .addColumn('stage', 'text')
    .addColumn('expected_close_date', 'date')
    .addColumn('salesforce_opportunity_id', 'text')
    .addColumn('salesforce_account_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('deals_account_idx').on('deals').column('account_id').execute();

  await db.schema
    .createTable('followups')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('contact_id', 'uuid', (col) => col.references('contacts.id').onDelete('set null'))
    .addColumn('deal_id', 'uuid', (col) => col.references('deals.id').onDelete('set null'))
    .addColumn('sent_at', 'timestamptz', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('body', 'text')
    .addColumn('salesforce_task_id', 'text')
    .addColumn('logged_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  requireDestructiveDownAllowed('0001_fastfollow_tables', 'drop the contacts, deals and followups tables with all their rows');
  await db.schema.dropTable('followups').execute();
  await db.schema.dropTable('deals').execute();
  await db.schema.dropTable('contacts').execute();
}
