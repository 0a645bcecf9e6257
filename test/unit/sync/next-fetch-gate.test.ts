import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextFetchGate } from '../../../activities/sync/next-fetch-gate.js';
import type { FetchedPage } from '../../../activities/sync/fetched-page.js';
import type { SalesforceRecord } from '../../../db/mirror.js';

// When the initial read asks for its next page while the current one is written: at once for a REST
// page; for a Bulk chunk once it is all in and what is left to write would take about twice a fetch.

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `003${i}` }) as SalesforceRecord);

function bulkChunk(n: number) {
  let arrive!: () => void;
  let fail!: (error: Error) => void;
  const arriving = new Promise<void>((resolve, reject) => ((arrive = resolve), (fail = reject)));
  arriving.catch(() => undefined);
  const page: FetchedPage = { records: rows(n), done: false, locator: 'next', arriving };
  return { page, arrive, fail };
}

let opened: boolean;
const watch = (gate: { open: Promise<void> }) => {
  opened = false;
  void gate.open.then(() => (opened = true));
};
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
afterEach(() => vi.useRealTimers());

describe('nextFetchGate', () => {
  it('a REST page lets the next one be fetched at once', async () => {
    const gate = nextFetchGate({ records: rows(2_000), done: false, locator: '/query/01g-2000' }, undefined);
    watch(gate);
    await settle();
    expect(opened).toBe(true);
  });

  it("a Bulk chunk: not while it is still arriving, then once the rest would take ≤ 2 × a fetch (+100 ms)", async () => {
    const { page, arrive } = bulkChunk(50_000);
    const gate = nextFetchGate(page, 400); // the last chunk took 400 ms to fetch: open with ≤ 900 ms left
    watch(gate);
    vi.advanceTimersByTime(500);
    gate.written(10_000);
    await settle();
    expect(opened).toBe(false); // rows still arriving
    arrive();
    await settle();
    vi.advanceTimersByTime(500); // 1 s for 20,000 rows: 1.5 s left
    gate.written(20_000);
    await settle();
    expect(opened).toBe(false);
    vi.advanceTimersByTime(1_000); // 2 s for 35,000 rows: ~0.86 s left
    gate.written(35_000);
    await settle();
    expect(opened).toBe(true);
  });

  it("without a fetch measured yet, the chunk's own arrival time stands in for it (a slow network opens it early)", async () => {
    const { page, arrive } = bulkChunk(50_000);
    const gate = nextFetchGate(page, undefined);
    watch(gate);
    vi.advanceTimersByTime(3_000); // arrived in 3 s (a slow network), its rows written as they came
    arrive();
    await settle();
    gate.written(40_000); // 0.75 s left: less than two such fetches
    await settle();
    expect(opened).toBe(true);
  });

  it('opens when the page is written whatever happened before, and never for a chunk that failed to arrive until then', async () => {
    const { page, fail } = bulkChunk(50_000);
    const gate = nextFetchGate(page, 400);
    watch(gate);
    fail(new Error('Malformed Bulk results CSV'));
    await settle();
    gate.written(49_000);
    await settle();
    expect(opened).toBe(false);
    gate.release();
    await settle();
    expect(opened).toBe(true);
  });
});
