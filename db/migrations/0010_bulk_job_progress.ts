import type { Kysely } from 'kysely';

// A Bulk API 2.0 read's progress across activities: the status polls made on the current job (the
// workflow waits between them, with backoff), and the jobs of this read that failed, were aborted or
// vanished, with the last reason. Adding columns with constant defaults is instant in Postgres 11+.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('salesforce_sync_cursors')
    .addColumn('bulk_job_polls', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('bulk_jobs_lost', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('bulk_job_lost_reason', 'text')
    .addColumn('bulk_job_lost_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('salesforce_sync_cursors')
    .dropColumn('bulk_job_polls')
    .dropColumn('bulk_jobs_lost')
    .dropColumn('bulk_job_lost_reason')
    .dropColumn('bulk_job_lost_at')
    .execute();
}
