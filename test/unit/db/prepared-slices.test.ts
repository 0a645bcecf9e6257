import { describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { prepareSlice, preparedSlices, preparingNow, type RecordSource } from '../../../db/mirror-prepare.js';
import type { SalesforceRecord } from '../../../db/mirror.js';

// A page's slices are prepared one ahead of the writes, from records that may still be arriving (a Bulk
// chunk parsed in turns while its first slices are written).
const contact = (n: number, email = `c${n}@example.com`): SalesforceRecord =>
  ({ Id: `003000000000${String(n).padStart(3, '0')}AAA`, FirstName: 'Ann', LastName: `Lee ${n}`, Email: email, Phone: null, AccountId: null, 'Account.Name': 'Acme', SystemModstamp: '2024-05-01T12:00:00.000+0000', IsDeleted: 'false' }) as SalesforceRecord;

async function collect(source: RecordSource, size: number) {
  const slices = [];
  for await (const slice of preparedSlices('Contact', source, size)) slices.push(slice);
  return slices;
}

/** Records pushed a few at a time on later turns, as the in-turns CSV parse does; optionally failing at the end. */
function arriving(records: SalesforceRecord[], fail?: Error): RecordSource {
  const source: RecordSource = { records: [] };
  source.arriving = (async () => {
    for (let start = 0; start < records.length; start += 3) {
      await new Promise((resolve) => setImmediate(resolve));
      source.records.push(...records.slice(start, start + 3));
    }
    if (fail) throw fail;
  })();
  source.arriving.catch(() => undefined);
  return source;
}

describe('preparedSlices', () => {
  it('gives the slices a one-go preparation gives, in order (owner columns, modstamp, duplicate emails settled inside each slice)', async () => {
    const records = Array.from({ length: 11 }, (_, n) => contact(n, n === 4 ? 'c3@example.com' : undefined));
    const slices = await collect({ records }, 5);
    expect(slices.map((slice) => slice.records.length)).toEqual([5, 5, 1]);
    expect(slices[0]).toEqual(prepareSlice('Contact', records.slice(0, 5)));
    expect(slices[0]!.rows[4]).toMatchObject({ salesforce_contact_id: '003000000000004AAA', email: null, company_name: 'Acme', salesforce_modstamp: new Date('2024-05-01T12:00:00.000Z') });
    expect(slices[0]!.issues.map((issue) => issue.code)).toEqual(['DUPLICATE_EMAIL']);
    expect(JSON.parse(slices[1]!.json!)).toHaveLength(5);
  });

  it('starts with a small slice (Postgres gets rows to write sooner), doubling up to the given size', async () => {
    const records = Array.from({ length: 18_000 }, (_, n) => contact(n));
    const slices = await collect({ records }, 5_000);
    expect(slices.map((slice) => slice.records.length)).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 1_000]);
    expect(slices.flatMap((slice) => slice.records)).toEqual(records);
  });

  it('waits for records still arriving, slice by slice, and ends when they are all in', async () => {
    const records = Array.from({ length: 13 }, (_, n) => contact(n));
    const slices = await collect(arriving(records), 4);
    expect(slices.flatMap((slice) => slice.records.map((record) => record.Id))).toEqual(records.map((record) => record.Id));
    expect(slices.map((slice) => slice.rows.length)).toEqual([4, 4, 4, 1]);
  });

  it('a failed arrival (malformed CSV) fails the slice that waits for the missing rows, after the complete ones', async () => {
    const source = arriving(Array.from({ length: 7 }, (_, n) => contact(n)), new Error('Invalid Closing Quote'));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const slice of preparedSlices('Contact', source, 5)) seen.push(slice.records.length);
      })(),
    ).rejects.toThrow('Invalid Closing Quote');
    expect(seen).toEqual([5]);
  });

  it('says when the last slice is prepared: while it is still to be written, once, and for a page without records too', async () => {
    const events: string[] = [];
    const records = Array.from({ length: 2_500 }, (_, n) => contact(n));
    for await (const slice of preparedSlices('Contact', { records }, 5_000, () => events.push('all prepared'))) {
      events.push(`got ${slice.records.length}`);
      await nextTurn(); // the write
      events.push(`written ${slice.records.length}`);
    }
    // Once the last slice is prepared (its preparation began as the one before was handed out), before it is written.
    expect(events.filter((event) => event === 'all prepared')).toHaveLength(1);
    expect(events.indexOf('all prepared')).toBeGreaterThan(events.indexOf('written 1000'));
    expect(events.indexOf('all prepared')).toBeLessThan(events.indexOf('written 1500'));
    let empty = 0;
    for await (const _slice of preparedSlices('Account', { records: [] }, 5_000, () => empty++)) throw new Error('no slice expected');
    expect(empty).toBe(1);
  });

  it('preparingNow: the first slice is prepared (and the second begun) before anyone asks, then the rest in order', async () => {
    const records = Array.from({ length: 4_500 }, (_, n) => contact(n));
    const taken: number[] = [];
    const slices = preparingNow(preparedSlices('Contact', { records, taken: (count) => taken.push(count) }, 5_000));
    for (let turn = 0; turn < 50; turn++) await nextTurn();
    // One slice ready and the next one under way: no further, however long nobody asks.
    expect(taken).toEqual([1_000, 3_000]);
    const got = [];
    for await (const slice of slices) got.push(slice.records.length);
    expect(got).toEqual([1_000, 2_000, 1_500]);
  });
});
