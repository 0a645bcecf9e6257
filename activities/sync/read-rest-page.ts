import { log } from '@temporalio/activity';
import type jsforce from 'jsforce';
import type { CursorRow } from '../../db/cursors.js';
import type { SalesforceRecord } from '../../db/mirror.js';
import { salesforceErrorCode } from '../../salesforce/error-code.js';
import type { CountCall, FetchedPage } from './fetched-page.js';
import { restReadFor, type NextRead } from './next-read.js';

type QueryPage = { records: SalesforceRecord[]; done: boolean; nextRecordsUrl?: string };

/** REST: the next page by query locator, else a fresh query (or a keyset resume when the locator is gone). */
export async function readRestPage(conn: jsforce.Connection, cursor: CursorRow, read: NextRead, countCall: CountCall, extraFields: readonly string[] = []): Promise<FetchedPage> {
  const { locator, soql } = restReadFor(cursor, read, extraFields);
  let page: QueryPage | undefined;
  if (locator) {
    try {
      return await readRestContinuation(conn, locator, countCall);
    } catch (error) {
      if (salesforceErrorCode(error) !== 'INVALID_QUERY_LOCATOR') throw error;
      log.warn('Query locator expired; resuming after the last applied record', { object: cursor.object });
    }
  }
  if (!page) {
    countCall();
    // queryAll (scanAll) for incremental windows: deleted rows arrive with IsDeleted = true.
    page = (await conn.query(soql, { scanAll: read.mode === 'incremental', autoFetch: false })) as unknown as QueryPage;
  }
  return asFetched(page);
}

/** The next page of a read by the exact nextRecordsUrl Salesforce gave (a queryAll locator must stay on /queryAll). */
export async function readRestContinuation(conn: jsforce.Connection, locator: string, countCall: CountCall): Promise<FetchedPage> {
  countCall();
  return asFetched(await conn.request<QueryPage>(locator));
}

function asFetched(page: QueryPage): FetchedPage {
  return { records: page.records, done: page.done, locator: page.done ? null : (page.nextRecordsUrl ?? null) };
}
