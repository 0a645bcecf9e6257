import { sql, type Kysely } from 'kysely';

// salesforce_accounts (the sync's cache of Account names) had the last per-row foreign key to
// salesforce_connections: a third of Postgres' time for an Account page. As migration 0020 did for
// contacts and deals, a statement-level trigger checks once per statement that every connection the
// written rows name exists, and key-share locks it until commit. The key's ON DELETE CASCADE becomes a
// trigger on salesforce_connections: deleting a connection removes its cached names; re-keying one
// that rows still name is refused, as the key refused it.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function fastfollow_connection_account_names() returns trigger language plpgsql as $$
    begin
      if TG_OP = 'DELETE' then
        delete from salesforce_accounts where salesforce_connection_id = OLD.id;
        return OLD;
      end if;
      if NEW.id is distinct from OLD.id and exists (select 1 from salesforce_accounts where salesforce_connection_id = OLD.id) then
        raise foreign_key_violation using message = 'salesforce_accounts still name this Salesforce connection';
      end if;
      return NEW;
    end $$`.execute(db);
  await sql`
    create trigger salesforce_connections_account_names before delete or update of id on salesforce_connections
      for each row execute function fastfollow_connection_account_names()`.execute(db);
  for (const event of ['insert', 'update'] as const) {
    await sql`
      create trigger ${sql.id(`salesforce_accounts_connection_exists_on_${event}`)} after ${sql.raw(event)} on salesforce_accounts
        referencing new table as written for each statement execute function fastfollow_check_mirror_connections()`.execute(db);
  }
  await sql`alter table salesforce_accounts drop constraint salesforce_accounts_salesforce_connection_fkey`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table salesforce_accounts add constraint salesforce_accounts_salesforce_connection_fkey
      foreign key (salesforce_connection_id) references salesforce_connections (id) on delete cascade not valid`.execute(db);
  for (const event of ['insert', 'update'] as const) await sql`drop trigger ${sql.id(`salesforce_accounts_connection_exists_on_${event}`)} on salesforce_accounts`.execute(db);
  await sql`drop trigger salesforce_connections_account_names on salesforce_connections`.execute(db);
  await sql`drop function fastfollow_connection_account_names()`.execute(db);
}
