// /sobjects: describeGlobal, per-object info and describe, single-record CRUD, updated/deleted.
import { Hono } from 'hono';
import type { Actor } from '../dml.js';
import { sfDateTime } from '../clock.js';
import { to18 } from '../ids.js';
import type { EmulatorState, Row } from '../store.js';
import { earliestDateAvailableMs } from '../recycle-bin.js';
import { visibleObject, visibleObjects } from '../view.js';
import type { ApiCaller, ApiContext, ApiEnv } from './context.js';
import { describeObject, globalEntry } from './describe.js';
import { dropResponseIfFaulted } from './drop-response.js';
import { jsonBody, notFound, SfError } from './errors.js';
import { rowToJson } from './records.js';
import { createRecords, deleteRecords, updateRecords, type SaveResult } from './writes.js';

export const actorOf = (caller: ApiCaller): Actor => ({ userId: caller.user.id, user: caller.user });

function objectOr404(c: ApiContext) {
  const caller = c.get('caller');
  const obj = visibleObject(caller.org, caller.user, c.req.param('type') ?? '');
  if (!obj) throw notFound();
  return obj;
}

/** A failed single-record save answers 400 with the errors in REST (errorCode) form. */
function throwIfFailed(result: SaveResult): void {
  if (result.success) return;
  const first = result.errors[0]!;
  const status = first.statusCode === 'ENTITY_IS_DELETED' || first.statusCode === 'INVALID_CROSS_REFERENCE_KEY' ? 404 : 400;
  throw new SfError(status, first.statusCode === 'INVALID_CROSS_REFERENCE_KEY' ? 'NOT_FOUND' : first.statusCode,
    status === 404 && first.statusCode !== 'ENTITY_IS_DELETED' ? 'The requested resource does not exist' : first.message,
    first.fields.length ? first.fields : undefined);
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function replicationWindow(c: ApiContext) {
  const start = Date.parse(c.req.query('start') ?? '');
  const end = Date.parse(c.req.query('end') ?? '');
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw new SfError(400, 'INVALID_REPLICATION_DATE', 'Missing or invalid start or end date');
  }
  const now = c.get('caller').org.now();
  if (start > end) throw new SfError(400, 'INVALID_REPLICATION_DATE', 'startDate must chronologically precede endDate by more than one minute');
  if (now - start > 30 * DAY) throw new SfError(400, 'INVALID_REPLICATION_DATE', 'startDate cannot be more than 30 days ago');
  // Salesforce works in whole minutes and never covers the last minute, which may still change.
  const latestCovered = Math.min(Math.floor(end / MINUTE) * MINUTE, Math.floor(now / MINUTE) * MINUTE);
  return { start: Math.floor(start / MINUTE) * MINUTE, end: latestCovered, now };
}

export function sobjectRoutes(state: EmulatorState): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/sobjects', (c) => {
    const caller = c.get('caller');
    return c.json({
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: visibleObjects(caller.org, caller.user).map((o) => globalEntry(o, c.get('apiVersion'))),
    });
  });

  app.get('/sobjects/:type', (c) => {
    const obj = objectOr404(c);
    return c.json({ objectDescribe: globalEntry(obj, c.get('apiVersion')), recentItems: [] });
  });

  app.get('/sobjects/:type/describe', (c) => c.json(describeObject(objectOr404(c), c.get('apiVersion'))));

  app.post('/sobjects/:type', async (c) => {
    const obj = objectOr404(c);
    const caller = c.get('caller');
    const body = await jsonBody<Row>(c);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SfError(400, 'JSON_PARSER_ERROR', 'Expected a JSON object');
    const [result] = createRecords(state, caller.org, actorOf(caller), [{ type: obj.name, input: body }], true);
    dropResponseIfFaulted(c);
    if (!result!.success) {
      const e = result!.errors[0]!;
      throw new SfError(400, e.statusCode, e.message, e.fields.length ? e.fields : undefined);
    }
    return c.json({ id: result!.id, success: true, errors: [] }, 201);
  });

  // Salesforce documents these with a trailing slash (`…/deleted/?start=…`); both forms are served.
  for (const path of ['updated', 'deleted', 'updated/', 'deleted/'] as const) {
    const kind = path.startsWith('updated') ? 'updated' : 'deleted';
    app.get(`/sobjects/:type/${path}`, (c) => {
      const obj = objectOr404(c);
      const caller = c.get('caller');
      const { start, end, now } = replicationWindow(c);
      const startIso = new Date(start).toISOString();
      const endIso = new Date(end).toISOString();
      const table = caller.org.table(obj.name);
      if (kind === 'updated') {
        const ids: string[] = [];
        for (const row of table.rows.values()) {
          const stamp = row.SystemModstamp as string;
          if (row.IsDeleted !== true && stamp >= startIso && stamp < endIso) ids.push(row.Id as string);
        }
        return c.json({ ids, latestDateCovered: sfDateTime(endIso) });
      }
      const deletedRecords: { id: string; deletedDate: string }[] = [];
      for (const [id, at] of table.deletedAt) {
        if (at >= startIso && at < endIso) deletedRecords.push({ id, deletedDate: sfDateTime(at) });
      }
      return c.json({
        deletedRecords,
        earliestDateAvailable: sfDateTime(new Date(earliestDateAvailableMs(caller.org, table, MINUTE)).toISOString()),
        latestDateCovered: sfDateTime(endIso),
      });
    });
  }

  app.get('/sobjects/:type/:id', (c) => {
    const obj = objectOr404(c);
    const caller = c.get('caller');
    const id = to18(c.req.param('id'));
    const row = id ? caller.org.table(obj.name).rows.get(id) : undefined;
    if (!row || row.IsDeleted === true) throw notFound();
    const fields = c.req.query('fields')?.split(',').map((f) => f.trim()).filter(Boolean);
    if (fields) {
      const unknown = fields.find((f) => !obj.fields.some((x) => x.name.toLowerCase() === f.toLowerCase()));
      if (unknown) throw new SfError(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type ${obj.name}`);
    }
    return c.json(rowToJson(obj, row, c.get('apiVersion'), fields));
  });

  app.patch('/sobjects/:type/:id', async (c) => {
    const obj = objectOr404(c);
    const caller = c.get('caller');
    const body = await jsonBody<Row>(c);
    const [result] = updateRecords(state, caller.org, actorOf(caller), [{ type: obj.name, id: c.req.param('id'), input: body ?? {} }], true);
    dropResponseIfFaulted(c);
    throwIfFailed(result!);
    return c.body(null, 204);
  });

  app.delete('/sobjects/:type/:id', (c) => {
    const obj = objectOr404(c);
    const caller = c.get('caller');
    const id = to18(c.req.param('id'));
    if (!id || id.slice(0, 3) !== obj.keyPrefix) throw notFound();
    const [result] = deleteRecords(caller.org, actorOf(caller), [id], true);
    dropResponseIfFaulted(c);
    throwIfFailed(result!);
    return c.body(null, 204);
  });

  return app;
}
