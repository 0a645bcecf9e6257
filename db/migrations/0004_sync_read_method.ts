import type { Kysely } from 'kysely';

// How each object's initial read runs (REST query pages or a Bulk API 2.0 job), chosen from the record count.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('salesforce_sync_cursors')
    .addColumn('method', 'text')
    .addColumn('planned_records', 'integer')
    .addColumn('bulk_job_id', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('salesforce_sync_cursors').dropColumn('method').dropColumn('planned_records').dropColumn('bulk_job_id').execute();
}
