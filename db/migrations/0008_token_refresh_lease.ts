import type { Kysely } from 'kysely';

// A token refresh holds a lease on the connection row instead of a lock held over the network call:
// who refreshes (owner) and until when; and since when a refresh's outcome is unknown (the call was
// made and no answer was recorded), which tells a later invalid_grant apart from an admin revocation.
// Nullable columns without defaults: adding them takes no table rewrite.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('salesforce_connections')
    .addColumn('refresh_lease_owner', 'text')
    .addColumn('refresh_lease_until', 'timestamptz')
    .addColumn('refresh_in_flight_since', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('salesforce_connections')
    .dropColumn('refresh_lease_owner')
    .dropColumn('refresh_lease_until')
    .dropColumn('refresh_in_flight_since')
    .execute();
}
