import { sql, type Kysely } from 'kysely';

// The sync writes contacts and deals thousands of rows per statement. Two per-row costs were a fifth
// of Postgres' time for them, each replaced by a same-effect check that costs little per row:
// - The foreign key to salesforce_connections checked (and key-share locked) the connection once per
//   row. A statement-level trigger does the same once per statement over the rows it wrote: every
//   connection they name must exist, and stays locked against deletion until the transaction ends.
//   Deleting or re-keying a connection that rows still name is refused, as the foreign key did.
// - The change-capture triggers ran a PL/pgSQL call per row only to return at once for the sync's
//   own writes and for rows they do not concern. Their WHEN conditions now skip those rows without a
//   call (the functions themselves are unchanged and still check everything).
const MIRRORS = [
  { table: 'contacts', object: 'Contact', idColumn: 'salesforce_contact_id', writeBackColumns: ['email', 'phone'] },
  { table: 'deals', object: 'Opportunity', idColumn: 'salesforce_opportunity_id', writeBackColumns: ['title', 'value', 'stage', 'expected_close_date'] },
] as const;

const NOT_THE_SYNC = sql.raw(`coalesce(current_setting('fastfollow.sync_origin', true), '') <> 'salesforce'`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function fastfollow_check_mirror_connections() returns trigger language plpgsql as $$
    declare
      named int;
      locked int;
    begin
      select count(distinct salesforce_connection_id) into named from written where salesforce_connection_id is not null;
      if named = 0 then return null; end if;
      -- Locked first, then counted: a connection deleted meanwhile is not locked, so it is missed.
      select count(*) into locked from (
        select 1 from salesforce_connections c
        where c.id in (select salesforce_connection_id from written) for key share) l;
      if locked < named then
        raise foreign_key_violation using message = format('%s rows name a Salesforce connection that does not exist', TG_TABLE_NAME);
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create function fastfollow_restrict_connection_removal() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from contacts where salesforce_connection_id = OLD.id)
         or exists (select 1 from deals where salesforce_connection_id = OLD.id) then
        raise foreign_key_violation using message = 'contacts or deals still name this Salesforce connection';
      end if;
      return case when TG_OP = 'DELETE' then OLD else NEW end;
    end $$`.execute(db);
  await sql`
    create trigger salesforce_connections_mirror_rows before delete or update of id on salesforce_connections
      for each row execute function fastfollow_restrict_connection_removal()`.execute(db);
  for (const { table, object, idColumn, writeBackColumns } of MIRRORS) {
    const t = sql.table(table);
    for (const event of ['insert', 'update'] as const) {
      await sql`
        create trigger ${sql.id(`${table}_connection_exists_on_${event}`)} after ${sql.raw(event)} on ${t}
          referencing new table as written for each statement execute function fastfollow_check_mirror_connections()`.execute(db);
    }
    await sql`alter table ${t} drop constraint ${sql.id(`${table}_salesforce_connection_fkey`)}`.execute(db);
    const args = (...values: string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '));
    await sql`drop trigger ${sql.id(`${table}_born_record`)} on ${t}`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_born_record`)} after insert or update on ${t}
        for each row when (NEW.salesforce_connection_id is null) execute function fastfollow_capture_born_record(${args(object, idColumn)})`.execute(db);
    await sql`drop trigger ${sql.id(`${table}_write_back`)} on ${t}`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_write_back`)} after update of ${sql.raw(writeBackColumns.join(', '))} on ${t}
        for each row when (NEW.salesforce_connection_id is not null and ${NOT_THE_SYNC})
        execute function fastfollow_capture_write_back(${args(object, idColumn, ...writeBackColumns)})`.execute(db);
    await sql`drop trigger ${sql.id(`${table}_write_back_custom`)} on ${t}`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_write_back_custom`)} after update of custom_fields on ${t}
        for each row when (NEW.salesforce_connection_id is not null and ${NOT_THE_SYNC})
        execute function fastfollow_capture_custom_fields(${args(object, idColumn)})`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const { table, object, idColumn, writeBackColumns } of MIRRORS) {
    const t = sql.table(table);
    const args = (...values: string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '));
    await sql`drop trigger ${sql.id(`${table}_write_back_custom`)} on ${t}`.execute(db);
    await sql`create trigger ${sql.id(`${table}_write_back_custom`)} after update of custom_fields on ${t} for each row execute function fastfollow_capture_custom_fields(${args(object, idColumn)})`.execute(db);
    await sql`drop trigger ${sql.id(`${table}_write_back`)} on ${t}`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_write_back`)} after update of ${sql.raw(writeBackColumns.join(', '))} on ${t}
        for each row execute function fastfollow_capture_write_back(${args(object, idColumn, ...writeBackColumns)})`.execute(db);
    await sql`drop trigger ${sql.id(`${table}_born_record`)} on ${t}`.execute(db);
    await sql`create trigger ${sql.id(`${table}_born_record`)} after insert or update on ${t} for each row execute function fastfollow_capture_born_record(${args(object, idColumn)})`.execute(db);
    await sql`
      alter table ${t} add constraint ${sql.id(`${table}_salesforce_connection_fkey`)}
        foreign key (salesforce_connection_id) references salesforce_connections (id)`.execute(db);
    for (const event of ['insert', 'update'] as const) await sql`drop trigger ${sql.id(`${table}_connection_exists_on_${event}`)} on ${t}`.execute(db);
  }
  await sql`drop trigger salesforce_connections_mirror_rows on salesforce_connections`.execute(db);
  await sql`drop function fastfollow_restrict_connection_removal()`.execute(db);
  await sql`drop function fastfollow_check_mirror_connections()`.execute(db);
}
