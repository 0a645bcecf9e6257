import { sql, type Kysely } from 'kysely';
import { requireDestructiveDownAllowed } from './destructive-down.js';

// Records born in FastFollow: a contact or deal the app inserts without a Salesforce id is queued for
// creation in Salesforce by the account's production connection (FastFollow's own rows share
// production's keys; a sandbox never creates them). Creation is per connection and on by default
// (salesforce_connections.create_born_records). The sync's own inserts (fastfollow.sync_origin =
// 'salesforce') are not captured. `sending_since` is the marker of a create call whose answer is not
// stored yet: still set on the next try means the answer may be lost, so Salesforce is looked at first.
// An app edit of a record whose creation failed queues it again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table salesforce_connections add column create_born_records boolean not null default true`.execute(db);
  await sql`
    create table salesforce_born_records (
      id bigserial primary key,
      salesforce_connection_id uuid not null references salesforce_connections (id) on delete cascade,
      object text not null check (object in ('Contact', 'Opportunity')),
      record_id uuid not null,
      status text not null default 'pending' check (status in ('pending', 'created', 'linked', 'failed', 'skipped')),
      salesforce_id text,
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      sending_since timestamptz,
      error_code text,
      error_message text,
      error_fix text,
      created_at timestamptz not null default now(),
      finished_at timestamptz,
      unique (salesforce_connection_id, object, record_id)
    )`.execute(db);
  await sql`create index salesforce_born_records_pending_idx on salesforce_born_records (salesforce_connection_id, id) where status = 'pending'`.execute(db);
  // The update trigger looks up a failed creation of the edited row on every edit of an unlinked row.
  await sql`create index salesforce_born_records_failed_idx on salesforce_born_records (record_id) where status = 'failed'`.execute(db);
  await sql`
    create or replace function fastfollow_capture_born_record() returns trigger language plpgsql as $$
    begin
      if coalesce(current_setting('fastfollow.sync_origin', true), '') = 'salesforce' then return NEW; end if;
      if NEW.salesforce_connection_id is not null or to_jsonb(NEW) ->> TG_ARGV[1] is not null then return NEW; end if;
      if TG_OP = 'UPDATE' then
        -- An edit of a record Salesforce refused (e.g. a name filled in) is another try.
        update salesforce_born_records set status = 'pending', next_attempt_at = now(), attempts = 0
          where record_id = NEW.id and object = TG_ARGV[0] and status = 'failed';
        return NEW;
      end if;
      insert into salesforce_born_records (salesforce_connection_id, object, record_id)
        select c.id, TG_ARGV[0], NEW.id from salesforce_connections c
        where c.account_id = NEW.account_id and c.environment = 'production' and c.status = 'active' and c.create_born_records
        on conflict do nothing;
      return NEW;
    end $$`.execute(db);
  await sql`create trigger contacts_born_record after insert or update on contacts for each row execute function fastfollow_capture_born_record('Contact', 'salesforce_contact_id')`.execute(db);
  await sql`create trigger deals_born_record after insert or update on deals for each row execute function fastfollow_capture_born_record('Opportunity', 'salesforce_opportunity_id')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from salesforce_born_records where status = 'pending'`.execute(db);
  const pending = Number(rows[0]?.n ?? 0);
  if (pending > 0) requireDestructiveDownAllowed('0014_write_back_born_records', `drop ${pending} FastFollow record(s) not yet created in Salesforce`);
  await sql`drop trigger if exists deals_born_record on deals`.execute(db);
  await sql`drop trigger if exists contacts_born_record on contacts`.execute(db);
  await sql`drop function if exists fastfollow_capture_born_record()`.execute(db);
  await sql`drop table if exists salesforce_born_records`.execute(db);
  await sql`alter table salesforce_connections drop column if exists create_born_records`.execute(db);
}
