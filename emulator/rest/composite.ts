// POST /composite: up to 25 subrequests in one API call, later ones able to use earlier results
// through @{referenceId.path}; with allOrNone a failure rolls every subrequest back.
import { Hono } from 'hono';
import type { ApiCaller, ApiEnv } from './context.js';
import { dropResponseIfFaulted } from './drop-response.js';
import { jsonBody, SfError } from './errors.js';

const MAX_SUBREQUESTS = 25;

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const REFERENCE = /@\{([A-Za-z0-9_]+)\.([^}]+)\}/g;

/** Reads "records[0].Id" style paths out of an earlier subrequest's JSON body. */
function readPath(value: unknown, path: string): unknown {
  let cur = value;
  for (const part of path.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    cur = (cur as Record<string, unknown> | undefined)?.[m[1]!];
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) cur = (cur as unknown[] | undefined)?.[Number(idx[1])];
  }
  return cur;
}

function substitute(text: string, results: Map<string, SubResponse>): { text: string; missing?: string } {
  let missing: string | undefined;
  const out = text.replace(REFERENCE, (whole, ref: string, path: string) => {
    const earlier = results.get(ref);
    const v = earlier && earlier.httpStatusCode < 300 ? readPath(earlier.body, path) : undefined;
    if (v === undefined || v === null) {
      missing ??= ref;
      return whole;
    }
    return String(v);
  });
  return missing ? { text: out, missing } : { text: out };
}

type Dispatch = (req: Request, caller: ApiCaller) => Promise<Response>;

export function compositeRoutes(dispatch: Dispatch): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.post('/composite', async (c) => {
    const caller = c.get('caller');
    const body = await jsonBody<{ allOrNone?: boolean; compositeRequest?: Subrequest[] }>(c);
    const subs = body?.compositeRequest;
    if (!Array.isArray(subs) || subs.length === 0) throw new SfError(400, 'JSON_PARSER_ERROR', 'compositeRequest is required');
    if (subs.length > MAX_SUBREQUESTS) {
      throw new SfError(400, 'LIMIT_EXCEEDED', `Exceeded max limit of subrequests: ${MAX_SUBREQUESTS}`);
    }
    const allOrNone = body.allOrNone === true;
    const origin = new URL(c.req.url).origin;
    const results = new Map<string, SubResponse>();
    const responses: SubResponse[] = [];
    const undo = caller.org.beginUndo();
    let failed = false;
    try {
      for (const sub of subs) {
        if (failed && allOrNone) {
          responses.push(halted(sub.referenceId));
          continue;
        }
        const url = substitute(sub.url, results);
        const payload = sub.body === undefined ? undefined : substitute(JSON.stringify(sub.body), results);
        const missing = url.missing ?? payload?.missing;
        if (missing) {
          responses.push({
            body: [{ errorCode: 'PROCESSING_HALTED', message: `Invalid reference specified. No value for ${missing} found in ${missing}. Provided referenceId ('${missing}') must start with a letter or a number, and it can contain only letters, numbers and underscores ('_').` }],
            httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId,
          });
          failed = true;
          continue;
        }
        if (!url.text.startsWith('/services/data/')) {
          responses.push({ body: [{ errorCode: 'INVALID_INPUT', message: 'The url must start with /services/data/' }], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
          failed = true;
          continue;
        }
        const res = await dispatch(new Request(origin + url.text, {
          method: sub.method.toUpperCase(),
          headers: { 'content-type': 'application/json', ...(sub.httpHeaders ?? {}) },
          ...(payload ? { body: payload.text } : {}),
        }), caller);
        const text = await res.text();
        const parsed: unknown = text ? JSON.parse(text) : null;
        const createdId = res.status === 201 ? (parsed as { id?: string } | null)?.id : undefined;
        const response: SubResponse = {
          body: parsed,
          httpHeaders: createdId ? { Location: `${new URL(url.text, origin).pathname.replace(/\/$/, '')}/${createdId}` } : {},
          httpStatusCode: res.status,
          referenceId: sub.referenceId,
        };
        if (res.status >= 400) failed = true;
        results.set(sub.referenceId, response);
        responses.push(response);
      }
      if (failed && allOrNone) {
        undo.rollback();
        for (let i = 0; i < responses.length; i++) if (responses[i]!.httpStatusCode < 400) responses[i] = halted(responses[i]!.referenceId);
      }
    } finally {
      undo.end();
    }
    dropResponseIfFaulted(c);
    return c.json({ compositeResponse: responses });
  });

  return app;
}

function halted(referenceId: string): SubResponse {
  return {
    body: [{ errorCode: 'PROCESSING_HALTED', message: 'The transaction was rolled back since another operation in the same transaction failed.' }],
    httpHeaders: {},
    httpStatusCode: 400,
    referenceId,
  };
}
