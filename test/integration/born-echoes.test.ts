import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueBornRecords, markBornSending, recordBornOutcome } from '../../db/born-records.js';
import { applyPage, type SalesforceRecord } from '../../db/mirror.js';
import { createTestDatabase, insertConnections, type TestDatabase } from '../support/database.js';

// A record FastFollow created in Salesforce whose create answer was lost (or not stored yet) can come
// back through the read first. On real Postgres: the read links it to its born row, the retried create
// then finds it linked, and FastFollow ends with one row, not two.

let database: TestDatabase;
const ACCOUNT = 'acct-born-echoes';
let production: string;

beforeAll(async () => {
  database = await createTestDatabase();
  production = (await insertConnections(database.db, ACCOUNT)).production;
});
afterAll(() => database?.drop());

const db = () => database.db;
const context = () => ({ accountId: ACCOUNT, connectionId: production, environment: 'production' as const });
const apply = (object: 'Contact' | 'Opportunity', records: SalesforceRecord[]) => db().transaction().execute((trx) => applyPage(trx, context(), object, records));
const opportunity = (id: string, fields: Partial<SalesforceRecord>): SalesforceRecord =>
  ({ Id: id, Name: 'Deal', Amount: null, StageName: 'Prospecting', CloseDate: '2027-01-31', AccountId: null, SystemModstamp: '2026-11-29T03:00:00.000+0000', IsDeleted: false, ...fields }) as SalesforceRecord;
const queueRow = (recordId: string) => db().selectFrom('salesforce_born_records').selectAll().where('record_id', '=', recordId).executeTakeFirstOrThrow();
const dealsTitled = (title: string) => db().selectFrom('deals').select(['id', 'salesforce_opportunity_id', 'value']).where('account_id', '=', ACCOUNT).where('title', '=', title).execute();

describe('a born record read back before its create answer was stored', () => {
  it('is linked to its FastFollow row by the read (no second row), and the retried create keeps that link', async () => {
    const deal = await db().insertInto('deals').values({ account_id: ACCOUNT, title: 'Echoed deal', value: '250.00', stage: 'Qualification', expected_close_date: '2027-06-30' }).returning('id').executeTakeFirstOrThrow();
    const [queued] = await dueBornRecords(db(), production, 200);
    expect(queued).toMatchObject({ recordId: deal.id, object: 'Opportunity', state: 'waiting' });
    await markBornSending(db(), [queued!.queueId]);

    // The page holds the record the lost call created, and an unrelated new one with another name.
    const page = [
      opportunity('006000000000E01AAA', { Name: 'Echoed deal', Amount: 250, StageName: 'Qualification', CloseDate: '2027-06-30' }),
      opportunity('006000000000E02AAA', { Name: 'Someone else’s deal', StageName: 'Qualification', CloseDate: '2027-06-30' }),
    ];
    const applied = await apply('Opportunity', page);
    expect(applied.mirroredDelta).toBe(2);
    expect(await dealsTitled('Echoed deal')).toEqual([{ id: deal.id, salesforce_opportunity_id: '006000000000E01AAA', value: '250' }]);
    expect(await queueRow(deal.id)).toMatchObject({ status: 'created', salesforce_id: '006000000000E01AAA', sending_since: null });

    // The retry's own lookup found the same record: it stays one row, and the queue says created, not a failure.
    const outcome = await recordBornOutcome(db(), production, { links: [{ record: queued!, salesforceId: '006000000000E01AAA', how: 'created' }], failed: [], retry: [], skipped: [] });
    expect(outcome).toEqual({ linked: 1, failed: 0 });
    expect(await queueRow(deal.id)).toMatchObject({ status: 'created', error_code: null });
    expect(await dealsTitled('Echoed deal')).toHaveLength(1);
  });

  it('only a create in flight is matched: a born record not sent yet, or with other values, leaves the read to insert', async () => {
    const waiting = await db().insertInto('deals').values({ account_id: ACCOUNT, title: 'Not sent yet', stage: 'Prospecting', expected_close_date: '2027-01-31' }).returning('id').executeTakeFirstOrThrow();
    const sent = await db().insertInto('deals').values({ account_id: ACCOUNT, title: 'Sent deal', stage: 'Prospecting', expected_close_date: '2027-01-31' }).returning('id').executeTakeFirstOrThrow();
    await markBornSending(db(), [String((await queueRow(sent.id)).id)]);

    await apply('Opportunity', [
      opportunity('006000000000E03AAA', { Name: 'Not sent yet' }),
      // Same name as the one in flight, another stage: not what was sent.
      opportunity('006000000000E04AAA', { Name: 'Sent deal', StageName: 'Closed Won' }),
    ]);
    const notSent = await dealsTitled('Not sent yet');
    expect(notSent).toHaveLength(2);
    expect(notSent.find((row) => row.id === waiting.id)?.salesforce_opportunity_id).toBeNull();
    expect(await queueRow(waiting.id)).toMatchObject({ status: 'pending', sending_since: null });
    expect((await dealsTitled('Sent deal')).find((row) => row.id === sent.id)?.salesforce_opportunity_id).toBeNull();
    expect((await queueRow(sent.id)).status).toBe('pending');
  });

  it('a contact without an email (nothing to adopt it by) is linked the same way', async () => {
    const born = await db().insertInto('contacts').values({ account_id: ACCOUNT, full_name: 'Nora Quiet', email: null }).returning('id').executeTakeFirstOrThrow();
    await markBornSending(db(), [String((await queueRow(born.id)).id)]);
    const record = { Id: '003000000000E01AAA', FirstName: 'Nora', LastName: 'Quiet', Email: null, Phone: null, AccountId: null, Account: null, SystemModstamp: '2026-11-29T03:00:00.000+0000', IsDeleted: false } as SalesforceRecord;
    await apply('Contact', [record]);
    const rows = await db().selectFrom('contacts').select(['id', 'salesforce_contact_id']).where('account_id', '=', ACCOUNT).where('full_name', '=', 'Nora Quiet').execute();
    expect(rows).toEqual([{ id: born.id, salesforce_contact_id: '003000000000E01AAA' }]);
    expect((await queueRow(born.id)).status).toBe('created');
  });
});
