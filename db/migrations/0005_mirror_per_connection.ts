import { sql, type Kysely } from 'kysely';

// Every mirrored row belongs to one connection (account + environment): production and a sandbox
// copied from it share record Ids, so (account, Salesforce Id) cannot tell their rows apart.
// Only quick catalog changes here (nullable columns, constraints NOT VALID, so no table scan under
// an exclusive lock); 0006 fills the columns in batches and builds the keys concurrently.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['contacts', 'deals']) {
    await sql`
      alter table ${sql.table(table)}
        add column salesforce_connection_id uuid,
        add column salesforce_environment text`.execute(db);
    await sql`
      alter table ${sql.table(table)}
        add constraint ${sql.id(`${table}_salesforce_connection_fkey`)}
          foreign key (salesforce_connection_id) references salesforce_connections (id) not valid,
        add constraint ${sql.id(`${table}_salesforce_environment_check`)}
          check (salesforce_environment in ('production', 'sandbox')
                 and salesforce_connection_id is not null
                 or salesforce_environment is null and salesforce_connection_id is null) not valid`.execute(db);
  }
  await sql`
    alter table salesforce_accounts
      add column salesforce_connection_id uuid,
      add constraint salesforce_accounts_salesforce_connection_fkey
        foreign key (salesforce_connection_id) references salesforce_connections (id) on delete cascade not valid`.execute(db);
  // The org whose records the connection's mirrored rows are: a reconnect to another org removes them
  // when that org's initial read starts.
  await sql`alter table salesforce_connections add column mirrored_org_id text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table salesforce_connections drop column mirrored_org_id`.execute(db);
  await sql`alter table salesforce_accounts drop column salesforce_connection_id`.execute(db);
  for (const table of ['deals', 'contacts']) {
    await sql`alter table ${sql.table(table)} drop column salesforce_connection_id, drop column salesforce_environment`.execute(db);
  }
}
