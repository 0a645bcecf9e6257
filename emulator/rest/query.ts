// GET /query, /queryAll and their nextRecordsUrl pages. A query runs once; its result rows are
// held by a cursor (the query locator), so each further page costs O(page size).
import { Hono } from 'hono';
import { compileSoql, SoqlError, type CompiledQuery, type SoqlRow } from '../soql/index.js';
import { KEY_PREFIXES } from '../ids.js';
import type { EmulatorState, Org } from '../store.js';
import { dataSource, soqlSchema } from '../view.js';
import type { ApiCaller, ApiEnv } from './context.js';
import { SfError } from './errors.js';

const DEFAULT_BATCH = 2000;
const CURSOR_IDLE_MS = 15 * 60 * 1000;

interface Cursor {
  id: string;
  compiled: CompiledQuery;
  rows: SoqlRow[];
  userId: string;
  lastUsed: number;
  batchSize: number;
}

const cursorsByOrg = new WeakMap<Org, Map<string, Cursor>>();

function cursors(org: Org): Map<string, Cursor> {
  let m = cursorsByOrg.get(org);
  if (!m) cursorsByOrg.set(org, (m = new Map()));
  return m;
}

function pruneCursors(org: Org): void {
  const now = Date.now();
  for (const [id, cur] of cursors(org)) if (now - cur.lastUsed > CURSOR_IDLE_MS) cursors(org).delete(id);
}

/** batchSize from `Sforce-Query-Options: batchSize=N`; Salesforce accepts 200..2000. */
export function batchSizeFrom(header: string | undefined): number {
  const m = header?.match(/batchSize\s*=\s*(\d+)/i);
  if (!m) return DEFAULT_BATCH;
  const n = Number(m[1]);
  return Math.min(2000, Math.max(200, n));
}

export function compileForCaller(caller: ApiCaller, soql: string): CompiledQuery {
  try {
    return compileSoql(soql, soqlSchema(caller.org, caller.user));
  } catch (e) {
    if (e instanceof SoqlError) throw new SfError(400, e.errorCode, e.message);
    throw e;
  }
}

export function runQuery(caller: ApiCaller, compiled: CompiledQuery, includeDeleted: boolean): SoqlRow[] {
  try {
    return compiled.execute(dataSource(caller.org), { includeDeleted, now: new Date(caller.org.now()) });
  } catch (e) {
    if (e instanceof SoqlError) throw new SfError(400, e.errorCode, e.message);
    throw e;
  }
}

function page(state: EmulatorState, caller: ApiCaller, cursor: Cursor, offset: number, apiVersion: string, kind: 'query' | 'queryAll') {
  const source = dataSource(caller.org);
  const end = Math.min(cursor.rows.length, offset + cursor.batchSize);
  const records = new Array(end - offset);
  for (let i = offset; i < end; i++) records[i - offset] = cursor.compiled.toRecord(cursor.rows[i]!, source, apiVersion);
  const done = end >= cursor.rows.length;
  // Kept after the last page too, so a client retrying a page after a network error still gets it.
  cursor.lastUsed = Date.now();
  return {
    totalSize: cursor.rows.length,
    done,
    ...(done ? {} : { nextRecordsUrl: `/services/data/v${apiVersion}/${kind}/${cursor.id}-${end}` }),
    records,
  };
}

export function queryRoutes(state: EmulatorState): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  for (const kind of ['query', 'queryAll'] as const) {
    app.get(`/${kind}`, (c) => {
      const caller = c.get('caller');
      const q = c.req.query('q');
      if (!q) throw new SfError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
      const compiled = compileForCaller(caller, q);
      const rows = runQuery(caller, compiled, kind === 'queryAll');
      if (compiled.isCount) return c.json({ totalSize: rows.length, done: true, records: [] });
      pruneCursors(caller.org);
      const cursor: Cursor = {
        id: state.ids.next(KEY_PREFIXES.QueryLocator),
        compiled,
        rows,
        userId: caller.user.id,
        lastUsed: Date.now(),
        batchSize: batchSizeFrom(c.req.header('sforce-query-options')),
      };
      if (rows.length > cursor.batchSize) cursors(caller.org).set(cursor.id, cursor);
      return c.json(page(state, caller, cursor, 0, c.get('apiVersion'), kind));
    });

    // jsforce always follows with /query/<locator>, even for queryAll; Salesforce accepts both.
    app.get(`/${kind}/:locator`, (c) => {
      const caller = c.get('caller');
      const m = /^(01g[a-zA-Z0-9]{15})-(\d+)$/.exec(c.req.param('locator'));
      const cursor = m ? cursors(caller.org).get(m[1]!) : undefined;
      if (!m || !cursor || cursor.userId !== caller.user.id) {
        throw new SfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      }
      const offset = Number(m[2]);
      if (offset > cursor.rows.length) throw new SfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      const header = c.req.header('sforce-query-options');
      if (header) cursor.batchSize = batchSizeFrom(header);
      return c.json(page(state, caller, cursor, offset, c.get('apiVersion'), kind));
    });
  }
  return app;
}
