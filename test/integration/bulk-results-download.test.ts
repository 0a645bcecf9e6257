import type jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryJob, fetchResults, queryJobStatus } from '../../salesforce/bulk-query.js';
import { PARSE_AHEAD_OF_READER_ROWS, PARSE_LOOKAHEAD_ROWS } from '../../salesforce/bulk-results-csv.js';
import { connect, createOrgFixture, startWorld, type TestWorld } from '../emulator/helpers.js';

// A Bulk results chunk over real HTTP (the emulator streams it): the parse keeps only a little ahead of
// its reader while the download waits, and a chunk whose rows will not be used stops downloading.

const CONTACTS = 30_000;
let world: TestWorld;
let conn: jsforce.Connection;
let jobId: string;

beforeAll(async () => {
  world = await startWorld();
  const fx = await createOrgFixture(world);
  await world.control.generateRecords(fx.orgId, 'Contact', CONTACTS, 7);
  conn = (await connect(fx)).conn;
  jobId = await createQueryJob(conn, 'SELECT Id, LastName FROM Contact');
  while ((await queryJobStatus(conn, jobId)).state !== 'JobComplete') await new Promise((resolve) => setTimeout(resolve, 50));
}, 60_000);
afterAll(async () => {
  await world?.emulator.close();
});

/** Waits until `rows` stops growing for a while (the download is waiting, or done). */
async function settled(rows: unknown[]): Promise<number> {
  for (let last = -1; ; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (rows.length === last) return last;
    last = rows.length;
  }
}

describe('Bulk results downloaded as they are read', () => {
  it('a chunk nobody reads yet stops after its first rows; as rows are taken it goes on, to every row', async () => {
    const chunk = await fetchResults(conn, jobId, { locator: null, maxRecords: 50_000 });
    const first = await settled(chunk.rows);
    expect(first).toBeGreaterThanOrEqual(PARSE_AHEAD_OF_READER_ROWS);
    expect(first).toBeLessThan(PARSE_AHEAD_OF_READER_ROWS + 5_000); // within a network piece or two
    chunk.taken(1_000);
    const next = await settled(chunk.rows);
    expect(next).toBeGreaterThanOrEqual(1_000 + PARSE_LOOKAHEAD_ROWS);
    expect(next).toBeLessThan(CONTACTS);
    chunk.taken(CONTACTS);
    await chunk.arriving;
    expect(chunk.rows).toHaveLength(CONTACTS);
    expect(new Set(chunk.rows.map((row) => row.Id)).size).toBe(CONTACTS);
  });

  it('a chunk that will not be applied is cancelled: its download stops at once instead of waiting for a reader', async () => {
    const chunk = await fetchResults(conn, jobId, { locator: null, maxRecords: 50_000 });
    await settled(chunk.rows);
    const started = Date.now();
    chunk.cancel();
    await expect(chunk.arriving).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(chunk.rows.length).toBeLessThan(CONTACTS);
  });
});
