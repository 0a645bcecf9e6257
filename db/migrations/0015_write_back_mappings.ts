import { sql, type Kysely } from 'kysely';
import { requireDestructiveDownAllowed } from './destructive-down.js';

// Custom field mappings per connection. FastFollow's side of a custom mapping is a key of the
// `custom_fields` jsonb of contacts/deals (fastfollowField `custom.<key>`). The org's describe is
// cached per connection and object (refreshed when mappings are saved); field names that reach SOQL
// come from it. Edits of mapped custom keys are captured into the outbox like the standard fields,
// only for mappings that write to Salesforce (unmapped keys are never written).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table contacts add column custom_fields jsonb not null default '{}'::jsonb`.execute(db);
  await sql`alter table deals add column custom_fields jsonb not null default '{}'::jsonb`.execute(db);
  await sql`
    create table salesforce_field_mappings (
      salesforce_connection_id uuid not null references salesforce_connections (id) on delete cascade,
      object text not null check (object in ('Contact', 'Account', 'Opportunity')),
      salesforce_field text not null,
      salesforce_type text not null,
      salesforce_createable boolean not null default false,
      fastfollow_field text not null,
      direction text not null check (direction in ('to_fastfollow', 'to_salesforce', 'both')),
      backfill_pending boolean not null default false,
      backfill_after_id text,
      backfilled_at timestamptz,
      broken_code text,
      broken_message text,
      broken_at timestamptz,
      created_at timestamptz not null default now(),
      primary key (salesforce_connection_id, object, salesforce_field),
      unique (salesforce_connection_id, object, fastfollow_field)
    )`.execute(db);
  await sql`
    create table salesforce_describe_cache (
      salesforce_connection_id uuid not null references salesforce_connections (id) on delete cascade,
      object text not null,
      fields jsonb not null,
      fetched_at timestamptz not null default now(),
      primary key (salesforce_connection_id, object)
    )`.execute(db);
  await sql`
    create or replace function fastfollow_capture_custom_fields() returns trigger language plpgsql as $$
    declare
      sf_id text := to_jsonb(NEW) ->> TG_ARGV[1];
      mapping record;
      key text;
    begin
      if coalesce(current_setting('fastfollow.sync_origin', true), '') = 'salesforce' then return NEW; end if;
      if NEW.salesforce_connection_id is null or sf_id is null then return NEW; end if;
      for mapping in
        select fastfollow_field from salesforce_field_mappings
        where salesforce_connection_id = NEW.salesforce_connection_id and object = TG_ARGV[0] and direction in ('to_salesforce', 'both')
      loop
        key := substr(mapping.fastfollow_field, 8);
        if OLD.custom_fields -> key is distinct from NEW.custom_fields -> key then
          insert into salesforce_outbox (salesforce_connection_id, object, record_id, salesforce_id, field, old_value, new_value)
          values (NEW.salesforce_connection_id, TG_ARGV[0], NEW.id, sf_id, mapping.fastfollow_field, OLD.custom_fields ->> key, NEW.custom_fields ->> key);
        end if;
      end loop;
      return NEW;
    end $$`.execute(db);
  await sql`create trigger contacts_write_back_custom after update of custom_fields on contacts for each row execute function fastfollow_capture_custom_fields('Contact', 'salesforce_contact_id')`.execute(db);
  await sql`create trigger deals_write_back_custom after update of custom_fields on deals for each row execute function fastfollow_capture_custom_fields('Opportunity', 'salesforce_opportunity_id')`.execute(db);
}

// Dropping mappings or custom values loses customer data: only with the destructive-down opt-in.
export async function down(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ n: string }>`
    select (select count(*) from salesforce_field_mappings) + (select count(*) from contacts where custom_fields <> '{}'::jsonb)
         + (select count(*) from deals where custom_fields <> '{}'::jsonb) as n`.execute(db);
  if (Number(rows[0]?.n ?? 0) > 0) requireDestructiveDownAllowed('0015_write_back_mappings', 'drop custom field mappings and the custom values of contacts and deals');
  await sql`drop trigger if exists deals_write_back_custom on deals`.execute(db);
  await sql`drop trigger if exists contacts_write_back_custom on contacts`.execute(db);
  await sql`drop function if exists fastfollow_capture_custom_fields()`.execute(db);
  await sql`drop table if exists salesforce_describe_cache`.execute(db);
  await sql`drop table if exists salesforce_field_mappings`.execute(db);
  await sql`alter table deals drop column if exists custom_fields`.execute(db);
  await sql`alter table contacts drop column if exists custom_fields`.execute(db);
}
