import type { Kysely } from 'kysely';

// When the current read last asked Salesforce for a Bulk query job. Set before the request and
// cleared once the job's id is kept, so a worker that died in between (the job created at
// Salesforce, its id never saved) can find that job again instead of paying for another.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('salesforce_sync_cursors').addColumn('bulk_job_requested_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('salesforce_sync_cursors').dropColumn('bulk_job_requested_at').execute();
}
