import { sql, type Kysely, type RawBuilder } from 'kysely';
import { requireDestructiveDownAllowed } from './destructive-down.js';

// Fills in which connection each mirrored row belongs to, then moves the unique keys from
// (account, Salesforce Id) to (connection, Salesforce Id), and the email key to
// (account, environment, email) where FastFollow-only contacts count as production.
//
// Runs outside a transaction (db/migrate.ts): indexes on contacts and deals are built and dropped
// CONCURRENTLY so the app and the sync keep writing meanwhile, and the backfill commits in batches.
// Every step can be run again: a crash part-way resumes where it stopped.
export const transactional = false;

const BATCH = 5_000;

/** Who owns an account's existing rows: its production connection if it has one, else its only (sandbox) one. */
const OWNERS = sql`
  select distinct on (account_id) account_id, id, environment, count(*) over (partition by account_id) > 1 as shared
  from salesforce_connections
  order by account_id, (environment = 'production') desc`;

/**
 * An account with both environments connected had one set of mixed rows: a sandbox edit may have
 * overwritten production values. They go to production with their version cleared, so production's
 * re-read (below) restores its values whatever the stamps say; the sandbox re-reads into rows of its own.
 */
async function assignInBatches(db: Kysely<unknown>, table: 'contacts' | 'deals', salesforceIdColumn: string): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await sql<{ last: string | null }>`
      with owner as (${OWNERS}),
      batch as (select id, account_id from ${sql.table(table)} where id > ${after}::uuid order by id limit ${BATCH}),
      assigned as (
        update ${sql.table(table)} t
           set salesforce_connection_id = o.id, salesforce_environment = o.environment,
               salesforce_modstamp = case when o.shared then null else t.salesforce_modstamp end
          from batch b join owner o on o.account_id = b.account_id
         where t.id = b.id and t.${sql.ref(salesforceIdColumn)} is not null and t.salesforce_connection_id is null)
      select (select id::text from batch order by id desc limit 1) as last`.execute(db);
    const last = rows[0]?.last;
    if (!last) return;
    after = last;
  }
}

async function assignExistingRows(db: Kysely<unknown>): Promise<void> {
  await assignInBatches(db, 'contacts', 'salesforce_contact_id');
  await assignInBatches(db, 'deals', 'salesforce_opportunity_id');
  // salesforce_accounts is the sync's own cache of Account names (a re-read rebuilds it): one statement.
  await sql`
    with owner as (${OWNERS})
    update salesforce_accounts a set salesforce_connection_id = o.id,
           salesforce_modstamp = case when o.shared then to_timestamp(0) else a.salesforce_modstamp end
      from owner o where o.account_id = a.account_id and a.salesforce_connection_id is null`.execute(db);
  await sql`delete from salesforce_accounts where salesforce_connection_id is null`.execute(db);
}

/** Both connections of an account that had mixed rows read everything again (a full window from the start). */
async function rereadMixedAccounts(db: Kysely<unknown>): Promise<void> {
  await sql`
    update salesforce_sync_cursors c
       set watermark = null, initial_started_at = null, window_from = null, window_to = null, mode = null,
           locator = null, last_modstamp = null, last_id = null,
           method = case when c.initial_done then c.method end,
           planned_records = case when c.initial_done then c.planned_records end,
           bulk_job_id = case when c.initial_done then c.bulk_job_id end,
           updated_at = now()
      from salesforce_connections s
     where s.id = c.connection_id and s.mirrored_org_id is null
       and (select count(*) from salesforce_connections o where o.account_id = s.account_id) > 1`.execute(db);
  // Marks the backfill done for these connections (and keeps the re-read above from running twice).
  await sql`update salesforce_connections set mirrored_org_id = org_id where mirrored_org_id is null`.execute(db);
}

/** CREATE [UNIQUE] INDEX CONCURRENTLY, again after a crash: a failed concurrent build leaves an invalid index to drop first. */
export async function createIndexConcurrently(db: Kysely<unknown>, name: string, unique: boolean, definition: RawBuilder<unknown>): Promise<void> {
  const { rows } = await sql<{ valid: boolean }>`
    select i.indisvalid as valid from pg_class c join pg_index i on i.indexrelid = c.oid where c.relname = ${name}`.execute(db);
  if (rows[0]?.valid) return;
  if (rows[0]) await sql`drop index concurrently if exists ${sql.id(name)}`.execute(db);
  await sql`create ${unique ? sql`unique` : sql``} index concurrently ${sql.id(name)} ${definition}`.execute(db);
}

async function dropIndexesConcurrently(db: Kysely<unknown>, names: string[]): Promise<void> {
  for (const name of names) await sql`drop index concurrently if exists ${sql.id(name)}`.execute(db);
}

async function buildConnectionKeys(db: Kysely<unknown>): Promise<void> {
  await createIndexConcurrently(db, 'contacts_connection_sf_contact_key', true, sql`on contacts (salesforce_connection_id, salesforce_contact_id) where salesforce_contact_id is not null`);
  await createIndexConcurrently(db, 'contacts_account_environment_email_key', true, sql`on contacts (account_id, coalesce(salesforce_environment, 'production'), lower(email))`);
  await createIndexConcurrently(db, 'contacts_connection_sf_account_idx', false, sql`on contacts (salesforce_connection_id, salesforce_account_id) where salesforce_account_id is not null`);
  await createIndexConcurrently(db, 'deals_connection_sf_opportunity_key', true, sql`on deals (salesforce_connection_id, salesforce_opportunity_id) where salesforce_opportunity_id is not null`);
  await createIndexConcurrently(db, 'salesforce_accounts_connection_key', true, sql`on salesforce_accounts (salesforce_connection_id, salesforce_account_id)`);
  // VALIDATE takes a lock that lets writes through (unlike adding the constraints valid would).
  for (const table of ['contacts', 'deals']) {
    await sql`alter table ${sql.table(table)} validate constraint ${sql.id(`${table}_salesforce_connection_fkey`)}`.execute(db);
    await sql`alter table ${sql.table(table)} validate constraint ${sql.id(`${table}_salesforce_environment_check`)}`.execute(db);
  }
}

/** salesforce_accounts' primary key becomes (connection, Salesforce Account Id). */
async function rekeySalesforceAccounts(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ attnotnull: boolean }>`
    select attnotnull from pg_attribute where attrelid = 'salesforce_accounts'::regclass and attname = 'salesforce_connection_id'`.execute(db);
  if (rows[0]?.attnotnull) return;
  await sql`alter table salesforce_accounts validate constraint salesforce_accounts_salesforce_connection_fkey`.execute(db);
  // A validated CHECK lets SET NOT NULL skip its scan under the exclusive lock.
  await sql`alter table salesforce_accounts drop constraint if exists salesforce_accounts_connection_present`.execute(db);
  await sql`alter table salesforce_accounts add constraint salesforce_accounts_connection_present check (salesforce_connection_id is not null) not valid`.execute(db);
  await sql`alter table salesforce_accounts validate constraint salesforce_accounts_connection_present`.execute(db);
  await sql`alter table salesforce_accounts alter column salesforce_connection_id set not null`.execute(db);
  await sql`alter table salesforce_accounts drop constraint salesforce_accounts_connection_present`.execute(db);
  await sql`
    alter table salesforce_accounts drop constraint salesforce_accounts_pkey,
      add constraint salesforce_accounts_pkey primary key using index salesforce_accounts_connection_key`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await assignExistingRows(db);
  await rereadMixedAccounts(db);
  await buildConnectionKeys(db);
  await rekeySalesforceAccounts(db);
  await dropIndexesConcurrently(db, ['contacts_account_email_key', 'contacts_account_sf_contact_key', 'contacts_account_sf_account_idx', 'deals_account_sf_opportunity_key']);
  // Rows a process of the previous release wrote while the keys were being built.
  await assignExistingRows(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  requireDestructiveDownAllowed('0006_mirror_connection_keys', 'delete every row mirrored from a sandbox connection (the old keys cannot keep them apart from production)');
  await sql`delete from contacts where salesforce_environment = 'sandbox'`.execute(db);
  await sql`delete from deals where salesforce_environment = 'sandbox'`.execute(db);
  await sql`delete from salesforce_accounts a using salesforce_connections s where s.id = a.salesforce_connection_id and s.environment = 'sandbox'`.execute(db);
  await createIndexConcurrently(db, 'contacts_account_email_key', true, sql`on contacts (account_id, lower(email))`);
  await createIndexConcurrently(db, 'contacts_account_sf_contact_key', true, sql`on contacts (account_id, salesforce_contact_id) where salesforce_contact_id is not null`);
  await createIndexConcurrently(db, 'contacts_account_sf_account_idx', false, sql`on contacts (account_id, salesforce_account_id) where salesforce_account_id is not null`);
  await createIndexConcurrently(db, 'deals_account_sf_opportunity_key', true, sql`on deals (account_id, salesforce_opportunity_id) where salesforce_opportunity_id is not null`);
  await createIndexConcurrently(db, 'salesforce_accounts_account_key', true, sql`on salesforce_accounts (account_id, salesforce_account_id)`);
  await sql`
    alter table salesforce_accounts drop constraint salesforce_accounts_pkey,
      add constraint salesforce_accounts_pkey primary key using index salesforce_accounts_account_key`.execute(db);
  await sql`alter table salesforce_accounts alter column salesforce_connection_id drop not null`.execute(db);
  await dropIndexesConcurrently(db, ['contacts_connection_sf_contact_key', 'contacts_account_environment_email_key', 'contacts_connection_sf_account_idx', 'deals_connection_sf_opportunity_key']);
  await sql`update salesforce_connections set mirrored_org_id = null`.execute(db);
}
