// sObject Collections: create, update, delete (up to 200 records, one API call) and retrieve.
import { Hono } from 'hono';
import { to18 } from '../ids.js';
import type { EmulatorState, Row } from '../store.js';
import { visibleObject } from '../view.js';
import type { ApiContext, ApiEnv } from './context.js';
import { dropResponseIfFaulted } from './drop-response.js';
import { jsonBody, notFound, SfError } from './errors.js';
import { rowToJson } from './records.js';
import { actorOf } from './sobjects.js';
import { createRecords, deleteRecords, updateRecords } from './writes.js';

const MAX_RECORDS = 200;

interface CollectionBody {
  allOrNone?: boolean;
  records?: (Row & { attributes?: { type?: string } })[];
}

function checkSize(n: number): void {
  if (n > MAX_RECORDS) {
    throw new SfError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
  }
}

async function readRecords(c: ApiContext) {
  const body = await jsonBody<CollectionBody>(c);
  if (!body || !Array.isArray(body.records)) throw new SfError(400, 'JSON_PARSER_ERROR', 'The request body must contain a records array');
  checkSize(body.records.length);
  for (const r of body.records) {
    if (!r?.attributes?.type) throw new SfError(400, 'INVALID_INPUT', 'Each record must have attributes with a type');
  }
  return { allOrNone: body.allOrNone === true, records: body.records };
}

export function collectionRoutes(state: EmulatorState): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.post('/composite/sobjects', async (c) => {
    const caller = c.get('caller');
    const { allOrNone, records } = await readRecords(c);
    for (const r of records) if (r.id !== undefined || r.Id !== undefined) {
      throw new SfError(400, 'INVALID_FIELD', 'Id field should not be specified in the sobject data.');
    }
    const items = records.map(({ attributes, ...input }) => ({ type: attributes!.type!, input }));
    const results = createRecords(state, caller.org, actorOf(caller), items, allOrNone);
    dropResponseIfFaulted(c);
    return c.json(results);
  });

  app.patch('/composite/sobjects', async (c) => {
    const caller = c.get('caller');
    const { allOrNone, records } = await readRecords(c);
    const items = records.map(({ attributes, id, Id, ...input }) => ({ type: attributes!.type!, id: String(id ?? Id ?? ''), input }));
    const results = updateRecords(state, caller.org, actorOf(caller), items, allOrNone);
    dropResponseIfFaulted(c);
    return c.json(results);
  });

  app.delete('/composite/sobjects', (c) => {
    const caller = c.get('caller');
    const ids = (c.req.query('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!ids.length) throw new SfError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
    checkSize(ids.length);
    const results = deleteRecords(caller.org, actorOf(caller), ids, c.req.query('allOrNone') === 'true');
    dropResponseIfFaulted(c);
    return c.json(results);
  });

  app.get('/composite/sobjects/:type', (c) => {
    const caller = c.get('caller');
    const obj = visibleObject(caller.org, caller.user, c.req.param('type'));
    if (!obj) throw notFound();
    const ids = (c.req.query('ids') ?? '').split(',').filter(Boolean);
    const fields = (c.req.query('fields') ?? '').split(',').filter(Boolean);
    if (!fields.length) throw new SfError(400, 'MISSING_ARGUMENT', 'fields parameter is required');
    checkSize(ids.length);
    const table = caller.org.table(obj.name);
    return c.json(ids.map((raw) => {
      const id = to18(raw);
      const row = id ? table.rows.get(id) : undefined;
      return row && row.IsDeleted !== true ? rowToJson(obj, row, c.get('apiVersion'), ['Id', ...fields]) : null;
    }));
  });

  return app;
}
