// ORDER BY on larger inputs: the fast paths of sortRows (native numeric sort for a datetime/number/date
// first key, with a rank-based fallback) must agree with a plain reference comparator.
import { describe, expect, it } from 'vitest';
import { compileSoql } from './index.js';
import { fakeId, makeSchema, MemorySource } from './test-fixtures.js';
import type { SoqlRow } from './types.js';

const schema = makeSchema();

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function dataset(seed: number, n: number, spanMs: number): MemorySource {
  const r = rng(seed);
  const src = new MemorySource();
  const base = Date.UTC(2024, 0, 1);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const stamps = Array.from({ length: Math.max(3, Math.floor(n / 4)) }, () => new Date(base + Math.floor(r() * spanMs)).toISOString());
  for (let i = 0; i < n; i++) {
    src.add('Contact', {
      Id: fakeId('003', Math.floor(r() * 1e9)),
      // Plenty of ties, some nulls, a few 1 ms apart.
      SystemModstamp: r() < 0.1 ? null : r() < 0.1 ? new Date(Date.parse(pick(stamps)) + 1).toISOString() : pick(stamps),
      Score__c: r() < 0.1 ? null : pick([1, 2, 2.5, -3, 1e6, 0.1]),
      Birthdate: r() < 0.1 ? null : pick(['1990-01-01', '1990-01-02', '2000-12-31', '1899-06-30']),
      LastName: pick(['alpha', 'Beta', 'beta', 'gamma', null]),
      HasOptedOutOfEmail: r() < 0.5,
    });
  }
  return src;
}

type Key = number | string | null;
/** The obvious implementation, for comparison. */
function reference(rows: SoqlRow[], specs: Array<{ get: (r: SoqlRow) => Key; desc: boolean; nullsFirst: boolean }>): SoqlRow[] {
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => {
      for (const s of specs) {
        const a = s.get(x.row);
        const b = s.get(y.row);
        if (a === b) continue;
        if (a === null) return s.nullsFirst ? -1 : 1;
        if (b === null) return s.nullsFirst ? 1 : -1;
        return (a < b ? -1 : 1) * (s.desc ? -1 : 1);
      }
      return x.i - y.i;
    })
    .map((x) => x.row);
}

const getters: Record<string, (r: SoqlRow) => Key> = {
  // Salesforce orders datetimes to the second: milliseconds tie.
  SystemModstamp: (r) => (r.SystemModstamp == null ? null : Math.floor(Date.parse(r.SystemModstamp as string) / 1000)),
  Score__c: (r) => (r.Score__c as number | null) ?? null,
  Birthdate: (r) => (r.Birthdate as string | null) ?? null,
  LastName: (r) => (r.LastName == null ? null : (r.LastName as string).toLowerCase()),
  HasOptedOutOfEmail: (r) => (r.HasOptedOutOfEmail ? 1 : 0),
  Id: (r) => r.Id as string,
};

const orders: string[] = [
  'SystemModstamp, Id',
  'SystemModstamp DESC, Id',
  'SystemModstamp ASC NULLS LAST, Id DESC',
  'SystemModstamp DESC NULLS FIRST',
  'Score__c, LastName DESC, Id',
  'Score__c DESC NULLS FIRST, SystemModstamp, Id',
  'Birthdate DESC, Id',
  'HasOptedOutOfEmail, Birthdate NULLS LAST, Id',
  'LastName NULLS LAST, Score__c, Id',
];

function parseOrder(order: string) {
  return order.split(',').map((part) => {
    const words = part.trim().split(/\s+/);
    const desc = words.includes('DESC');
    const nulls = words.includes('NULLS') ? words[words.indexOf('NULLS') + 1] === 'FIRST' : !desc;
    return { get: getters[words[0]!]!, desc, nullsFirst: nulls };
  });
}

describe('ORDER BY on larger inputs agrees with a reference sort', () => {
  for (const [seed, n, span] of [
    [1, 500, 86_400_000], // a day: packed native sort
    [2, 3000, 300 * 365 * 86_400_000], // 300 years × 3000 rows: too wide to pack → rank + counting sort
    [3, 70, 1000],
  ] as const) {
    it(`seed ${seed}, ${n} rows, span ${span} ms`, () => {
      const src = dataset(seed, n, span);
      const all = [...src.rows('Contact')];
      for (const order of orders) {
        const q = compileSoql(`SELECT Id FROM Contact ORDER BY ${order}`, schema);
        const got = q.execute(src).map((r) => r.Id);
        const want = reference(all, parseOrder(order)).map((r) => r.Id);
        expect(got, order).toEqual(want);
      }
    });
  }

  it('ignores milliseconds, as Salesforce does: stamps within one second tie and the next key decides', () => {
    const src = new MemorySource();
    for (let i = 0; i < 200; i++) {
      src.add('Contact', { Id: fakeId('003', i), SystemModstamp: new Date(Date.UTC(2024, 4, 1) + (199 - i)).toISOString() });
    }
    src.add('Contact', { Id: fakeId('003', 500), SystemModstamp: new Date(Date.UTC(2024, 4, 1) - 1).toISOString() });
    const q = compileSoql('SELECT Id FROM Contact ORDER BY SystemModstamp, Id', schema);
    const ids = q.execute(src).map((r) => r.Id);
    expect(ids[0]).toBe(fakeId('003', 500)); // the previous second comes first
    expect(ids.slice(1)).toEqual([...src.rows('Contact')].slice(0, 200).map((r) => r.Id)); // then by Id, not by ms
  });
});
