import { sql, type Kysely } from 'kysely';
import { requireDestructiveDownAllowed } from './destructive-down.js';

// Write-back (FastFollow → Salesforce) of the bidirectional fields: contacts.email/phone and
// deals.title/value/stage/expected_close_date. Triggers capture FastFollow-side edits into an outbox
// (so the app needs no code change); edits made by the sync itself (its transactions set
// fastfollow.sync_origin = 'salesforce') are not captured, so nothing read from Salesforce echoes
// back. The write lane drains the outbox per connection; conflicts it resolved are kept for support.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table salesforce_outbox (
      seq bigserial primary key,
      salesforce_connection_id uuid not null references salesforce_connections (id) on delete cascade,
      object text not null check (object in ('Contact', 'Opportunity')),
      record_id uuid not null,
      salesforce_id text not null,
      field text not null,
      old_value text,
      new_value text,
      changed_at timestamptz not null default clock_timestamp(),
      status text not null default 'pending' check (status in ('pending', 'written', 'failed', 'superseded')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      error_code text,
      error_message text,
      error_fix text,
      finished_at timestamptz
    )`.execute(db);
  await sql`create index salesforce_outbox_pending_idx on salesforce_outbox (salesforce_connection_id, seq) where status = 'pending'`.execute(db);
  await sql`create index salesforce_outbox_failed_idx on salesforce_outbox (salesforce_connection_id, error_code) where status = 'failed'`.execute(db);
  await sql`
    create table salesforce_write_conflicts (
      id bigserial primary key,
      salesforce_connection_id uuid not null references salesforce_connections (id) on delete cascade,
      object text not null,
      record_id uuid not null,
      salesforce_id text not null,
      field text not null,
      fastfollow_value text,
      salesforce_value text,
      winner text not null check (winner in ('salesforce', 'fastfollow')),
      detected_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index salesforce_write_conflicts_connection_idx on salesforce_write_conflicts (salesforce_connection_id, detected_at)`.execute(db);
  await createCaptureTriggers(db);
}

async function createCaptureTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function fastfollow_capture_write_back() returns trigger language plpgsql as $$
    declare
      old_row jsonb := to_jsonb(OLD);
      new_row jsonb := to_jsonb(NEW);
      sf_id text := new_row ->> TG_ARGV[1];
      field text;
    begin
      if coalesce(current_setting('fastfollow.sync_origin', true), '') = 'salesforce' then return NEW; end if;
      if NEW.salesforce_connection_id is null or sf_id is null then return NEW; end if;
      foreach field in array TG_ARGV[2:] loop
        if old_row -> field is distinct from new_row -> field then
          insert into salesforce_outbox (salesforce_connection_id, object, record_id, salesforce_id, field, old_value, new_value)
          values (NEW.salesforce_connection_id, TG_ARGV[0], NEW.id, sf_id, field, old_row ->> field, new_row ->> field);
        end if;
      end loop;
      return NEW;
    end $$`.execute(db);
  await sql`
    create trigger contacts_write_back after update of email, phone on contacts
      for each row execute function fastfollow_capture_write_back('Contact', 'salesforce_contact_id', 'email', 'phone')`.execute(db);
  await sql`
    create trigger deals_write_back after update of title, value, stage, expected_close_date on deals
      for each row execute function fastfollow_capture_write_back('Opportunity', 'salesforce_opportunity_id', 'title', 'value', 'stage', 'expected_close_date')`.execute(db);
}

// Pending edits would never reach Salesforce without the outbox: the down drops them with it.
export async function down(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from salesforce_outbox where status = 'pending'`.execute(db);
  const pending = Number(rows[0]?.n ?? 0);
  if (pending > 0) requireDestructiveDownAllowed('0013_write_back_outbox', `drop ${pending} FastFollow edit(s) not yet written to Salesforce`);
  await sql`drop trigger if exists deals_write_back on deals`.execute(db);
  await sql`drop trigger if exists contacts_write_back on contacts`.execute(db);
  await sql`drop function if exists fastfollow_capture_write_back()`.execute(db);
  await sql`drop table if exists salesforce_write_conflicts`.execute(db);
  await sql`drop table if exists salesforce_outbox`.execute(db);
}
