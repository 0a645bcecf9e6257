import { sql, type Kysely } from 'kysely';

// When the current Bulk job was created (its status polls are due at ages from then), and the size and
// processing time Salesforce reported for the object's last finished job (a rate that predicts when the
// connection's other jobs will be done). A job already under way is timed from the cursor's last change.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('salesforce_sync_cursors')
    .addColumn('bulk_job_created_at', 'timestamptz')
    .addColumn('bulk_completed_records', 'integer')
    .addColumn('bulk_completed_processing_ms', 'integer')
    .execute();
  await sql`UPDATE salesforce_sync_cursors SET bulk_job_created_at = updated_at WHERE bulk_job_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('salesforce_sync_cursors')
    .dropColumn('bulk_job_created_at')
    .dropColumn('bulk_completed_records')
    .dropColumn('bulk_completed_processing_ms')
    .execute();
}
