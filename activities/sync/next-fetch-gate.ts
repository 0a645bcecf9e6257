import type { FetchedPage } from './fetched-page.js';

/** How much earlier than strictly needed the next chunk is asked for: twice the time the last one took, and this. */
const FETCH_MARGIN_MS = 100;

/**
 * When the next page is asked for. A REST page (2,000 rows, parsed at once) lets it go at once: its fetch
 * overlaps the whole write. A Bulk chunk (50,000 rows, parsed while it downloads) waits until all its
 * rows are in and what is left to write would take about twice as long as a chunk takes to arrive
 * (`fetchMs`: the last fetch's, or this chunk's own arrival): the worker's CPU goes first to the rows
 * Postgres is waiting for, and the next chunk still arrives before this one is written. On a slow
 * network (a chunk arriving slower than it is written) that is as soon as this one is in.
 */
export function nextFetchGate(page: FetchedPage, fetchMs: number | undefined): { open: Promise<void>; written(rows: number): void; release(): void } {
  if (!page.arriving) return { open: Promise.resolve(), written: () => undefined, release: () => undefined };
  const startedAt = Date.now();
  let expectedMs: number | undefined;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  // A chunk that fails to arrive fails the apply: nothing more is fetched.
  page.arriving.then(() => (expectedMs = fetchMs ?? Date.now() - startedAt), () => undefined);
  return {
    open: gate,
    written(rows) {
      if (expectedMs === undefined || rows === 0) return;
      const leftMs = ((page.records.length - rows) * (Date.now() - startedAt)) / rows;
      if (leftMs <= 2 * expectedMs + FETCH_MARGIN_MS) open();
    },
    /** The page is written (all of it arrived, whatever the order the callbacks ran in). */
    release: () => open(),
  };
}
