import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeQuery } from '../../domain/sync/resume.js';
import { incrementalQuery, incrementalWindow, type SyncWindow } from '../../domain/sync/soql.js';
import { connect, createOrgFixture, startWorld, type OrgFixture, type TestWorld } from '../emulator/helpers.js';

// The sync's SOQL (whole-second datetime literals, window bounds floored to the second) against the
// emulator over HTTP: thousands of records sharing one second are read exactly once across
// consecutive windows, and a keyset resume inside that second loses nothing and repeats nothing.

let world: TestWorld;
let fx: OrgFixture;
let conn: Awaited<ReturnType<typeof connect>>['conn'];
const SECOND = '2031-03-01T10:00:00';
const SHARED = 3_000; // stamped exactly on the second, as Salesforce stamps are
const SPREAD = 1_000; // stamped within the next second, one per millisecond

type Row = { Id: string; SystemModstamp: string };

beforeAll(async () => {
  world = await startWorld();
  fx = await createOrgFixture(world);
  const shared = Array.from({ length: SHARED }, (_, i) => ({ LastName: `Shared ${i}`, SystemModstamp: `${SECOND}.000Z` }));
  const spread = Array.from({ length: SPREAD }, (_, i) => ({ LastName: `Spread ${i}`, SystemModstamp: `2031-03-01T10:00:01.${String(i).padStart(3, '0')}Z` }));
  await world.control.insertRecords(fx.orgId, 'Contact', [...shared, ...spread]);
  ({ conn } = await connect(fx));
}, 60_000);
afterAll(async () => {
  await world.emulator.close();
});

/** Every row of a query, page by page (2,000 per page) through the query locator, with queryAll. */
async function readAll(soql: string): Promise<Row[]> {
  const rows: Row[] = [];
  let page = await conn.query<Row>(soql, { scanAll: true, autoFetch: false });
  rows.push(...page.records);
  while (!page.done && page.nextRecordsUrl) {
    page = await conn.queryMore<Row>(page.nextRecordsUrl); // the locator keeps queryAll's scope
    rows.push(...page.records);
  }
  return rows;
}

const windowAt = (watermark: string | null, now: string): SyncWindow => incrementalWindow({ watermark, now: new Date(now), lookbackMs: 0, safetyLagMs: 0 });

describe('incremental windows with whole-second literals', () => {
  it('consecutive windows cut mid-second read every one of 4,000 records exactly once', async () => {
    // Cycles at 10:00:00.600, 10:00:01.400 and 10:00:03.250: each `to` is floored to its second.
    const first = windowAt('2031-03-01T09:59:00Z', `${SECOND}.600Z`);
    const second = windowAt(first.to, '2031-03-01T10:00:01.400Z');
    const third = windowAt(second.to, '2031-03-01T10:00:03.250Z');
    expect([first.to, second.to, third.to]).toEqual([`${SECOND}Z`, '2031-03-01T10:00:01Z', '2031-03-01T10:00:03Z']);
    const reads = [];
    for (const window of [first, second, third]) {
      const soql = incrementalQuery('Contact', window);
      expect(soql).not.toMatch(/\d\.\d{3}Z/);
      reads.push(await readAll(soql));
    }
    // The first window ends where the shared second begins; the second has that second; the third the spread one.
    expect(reads.map((rows) => rows.length)).toEqual([0, SHARED, SPREAD]);
    const ids = reads.flat().map((row) => row.Id);
    expect(new Set(ids).size).toBe(SHARED + SPREAD);
  });

  it('a keyset resume after the 1,500th of 3,000 records sharing one second reads exactly the other 1,500', async () => {
    const window = windowAt('2031-03-01T09:59:00Z', '2031-03-01T10:00:00.999Z');
    const all = await readAll(incrementalQuery('Contact', { ...window, to: '2031-03-01T10:00:01Z' }));
    expect(all).toHaveLength(SHARED);
    const last = all[1_499]!;
    const rest = await readAll(resumeQuery('Contact', { modstamp: new Date(last.SystemModstamp.replace('+0000', 'Z')), id: last.Id }, { from: window.from, to: '2031-03-01T10:00:01Z' }));
    expect(rest.map((row) => row.Id)).toEqual(all.slice(1_500).map((row) => row.Id));
  });
});
