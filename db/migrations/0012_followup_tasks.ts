import { sql, type Kysely } from 'kysely';
import { createIndexConcurrently } from './0006_mirror_connection_keys.js';
import { requireDestructiveDownAllowed } from './destructive-down.js';

// Follow-ups logged as Salesforce Tasks: which connection a follow-up belongs to, its logging state
// (pending → logged | failed, with the error), and the batch markers that make logging exactly-once
// (a batch id and the time its Salesforce call may still be in flight).
//
// Runs outside a transaction (db/migrate.ts): the queue index on followups is built CONCURRENTLY so
// the app keeps writing follow-ups meanwhile. The column changes are catalog-only (nullable columns,
// constant defaults, constraints added NOT VALID then validated under a lock that lets writes through).
// Every step can run again after a crash.
export const transactional = false;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table followups
      add column if not exists salesforce_connection_id uuid,
      add column if not exists salesforce_environment text,
      add column if not exists contact_email text,
      add column if not exists sender_email text,
      add column if not exists task_status text,
      add column if not exists task_error_code text,
      add column if not exists task_error_message text,
      add column if not exists task_error_fix text,
      add column if not exists task_attempts integer not null default 0,
      add column if not exists task_next_attempt_at timestamptz,
      add column if not exists task_batch_id uuid,
      add column if not exists task_sending_since timestamptz,
      add column if not exists task_sending_until timestamptz`.execute(db);
  await sql`alter table followups drop constraint if exists followups_task_status_check`.execute(db);
  await sql`
    alter table followups add constraint followups_task_status_check
      check (task_status in ('pending', 'logged', 'failed')) not valid`.execute(db);
  await sql`alter table followups validate constraint followups_task_status_check`.execute(db);
  await sql`alter table followups drop constraint if exists followups_salesforce_connection_fkey`.execute(db);
  await sql`
    alter table followups add constraint followups_salesforce_connection_fkey
      foreign key (salesforce_connection_id) references salesforce_connections (id) not valid`.execute(db);
  await sql`alter table followups validate constraint followups_salesforce_connection_fkey`.execute(db);
  // The write lane's queue: a connection's pending follow-ups, soonest first.
  await createIndexConcurrently(db, 'followups_task_queue_idx', false, sql`on followups (salesforce_connection_id, task_next_attempt_at) where task_status = 'pending'`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from followups where task_status is not null`.execute(db);
  const tracked = Number(rows[0]?.n ?? 0);
  if (tracked > 0) requireDestructiveDownAllowed('0012_followup_tasks', `forget the Task logging state of ${tracked} follow-up(s) (pending ones would never be logged)`);
  await sql`drop index concurrently if exists followups_task_queue_idx`.execute(db);
  await sql`
    alter table followups
      drop constraint if exists followups_salesforce_connection_fkey,
      drop constraint if exists followups_task_status_check,
      drop column if exists salesforce_connection_id,
      drop column if exists salesforce_environment,
      drop column if exists contact_email,
      drop column if exists sender_email,
      drop column if exists task_status,
      drop column if exists task_error_code,
      drop column if exists task_error_message,
      drop column if exists task_error_fix,
      drop column if exists task_attempts,
      drop column if exists task_next_attempt_at,
      drop column if exists task_batch_id,
      drop column if exists task_sending_since,
      drop column if exists task_sending_until`.execute(db);
}
