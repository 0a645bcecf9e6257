import fc from 'fast-check';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';

// The fuzzed routes come from the API's own OpenAPI document, so a route added with `app.openapi(...)`
// is fuzzed without touching this file. Routes outside the document (plain `app.get`) go in EXTRA_ROUTES.

export type Auth = 'service' | 'support' | 'none';

interface ParamSchema {
  type?: string;
  enum?: string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
}

export interface FuzzRoute {
  method: string;
  /** OpenAPI template: `/api/followups/{followupId}`. */
  path: string;
  auth: Auth;
  params: { name: string; schema: ParamSchema }[];
  /** The JSON body's schema (resolved $ref) when the route takes one. */
  body?: { properties: Record<string, ParamSchema>; required: string[] };
}

/** Routes that are not in the OpenAPI document. */
export const EXTRA_ROUTES: FuzzRoute[] = [
  { method: 'GET', path: '/api/docs/assets/{name}', auth: 'none', params: [{ name: 'name', schema: { enum: ['swagger-ui-bundle.js', 'swagger-ui.css'] } }] },
];

interface OpenApiOperation {
  security?: Record<string, unknown>[];
  parameters?: { name: string; in: string; schema: ParamSchema }[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } & FuzzRoute['body'] }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, FuzzRoute['body']> };
}

export function routesFromOpenApi(doc: OpenApiDocument): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const schemes = (operation.security ?? []).flatMap((entry) => Object.keys(entry));
      const auth: Auth = schemes.includes('supportToken') ? 'support' : schemes.includes('serviceToken') ? 'service' : 'none';
      const params = (operation.parameters ?? []).filter((p) => p.in === 'path').map(({ name, schema }) => ({ name, schema }));
      const raw = operation.requestBody?.content?.['application/json']?.schema;
      const body = raw?.$ref ? doc.components?.schemas?.[raw.$ref.split('/').at(-1)!] : raw;
      routes.push({ method: method.toUpperCase(), path, auth, params, ...(body ? { body: { properties: body.properties ?? {}, required: body.required ?? [] } } : {}) });
    }
  }
  return routes;
}

/** Whether `value` satisfies the (small) JSON schema of a path parameter. */
export function satisfies(schema: ParamSchema, value: string): boolean {
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) return false;
  if (schema.minLength !== undefined && value.length < schema.minLength) return false;
  if (schema.maxLength !== undefined && value.length > schema.maxLength) return false;
  return true;
}

/** A value a parameter with this schema accepts (for the parameters a case leaves valid). */
export function validValue(schema: ParamSchema): string {
  return schema.enum?.[0] ?? 'acct-proof-fuzz';
}

/** Path parameter values of every shape: empty, dots, encoded slashes and NULs, unicode, very long, plain. */
export const paramShape: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '.', '..', '%2F', 'a%2Fb', '%2e%2e', '%00', 'a%20b', '%25', '%E2%80%AE', 'production%2Fsandbox', 'PRODUCTION', 'sandbox%20', '%20production', 'acct:1'),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.integer({ min: 201, max: 6_000 }).map((n) => 'a'.repeat(n)),
  fc.stringMatching(/^[A-Za-z0-9_.@-]{1,30}$/),
);

export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

const JSON_TYPES: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  array: (v) => Array.isArray(v),
};

const anyJson = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }));

/**
 * Request bodies the route must refuse, and a label for the failure message: text that is not JSON,
 * JSON that is not an object, an object missing a required field, a required field of the wrong type,
 * and a body over the size limit.
 */
export function invalidBody(route: FuzzRoute): fc.Arbitrary<{ kind: string; text: string }> {
  const required = route.body?.required ?? [];
  const properties = route.body?.properties ?? {};
  const valid = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, validValue(schema)]));
  const variants: fc.Arbitrary<{ kind: string; text: string }>[] = [
    fc.string({ unit: 'grapheme', maxLength: 60 }).filter((text) => !parsesAsObject(text)).map((text) => ({ kind: 'not a JSON object', text })),
    fc.oneof(fc.array(anyJson, { maxLength: 3 }), fc.double(), fc.string(), fc.constant(null)).map((value) => ({ kind: 'JSON not an object', text: JSON.stringify(value) })),
    fc.integer({ min: 65 * 1024, max: 300 * 1024 }).map((n) => ({ kind: 'huge', text: JSON.stringify({ ...valid, filler: 'x'.repeat(n) }) })),
  ];
  if (required.length > 0) {
    variants.push(
      fc.tuple(fc.constantFrom(...required), fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 12 }), anyJson, { maxKeys: 3 })).map(([missing, extra]) => {
        const body: Record<string, unknown> = { ...extra, ...valid };
        delete body[missing];
        return { kind: `missing ${missing}`, text: JSON.stringify(body) };
      }),
    );
  }
  // Only fields with one JSON type can be given a wrong one: for a field that is, say, an object or null
  // (no single `type` in the schema), every value would be filtered out and generation would never end.
  const typed = required.filter((name) => JSON_TYPES[properties[name]?.type ?? ''] !== undefined);
  if (typed.length > 0) {
    variants.push(
      fc
        .tuple(fc.constantFrom(...typed), anyJson)
        .filter(([name, value]) => !JSON_TYPES[properties[name]!.type!]!(value))
        .map(([name, value]) => ({ kind: `${name} of the wrong type`, text: JSON.stringify({ ...valid, [name]: value }) })),
    );
  }
  return fc.oneof(...variants);
}

function parsesAsObject(text: string): boolean {
  try {
    return JSON_TYPES.object!(JSON.parse(text));
  } catch {
    return false;
  }
}

/** Authorization header values that are not the audience's token (undefined: no header). */
export function wrongAuthorization(otherToken: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `Bearer ${otherToken}`, `bearer  ${otherToken}`, `Token ${otherToken}`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((token) => `Bearer ${token}`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
  );
}

/**
 * Every public table's rows, fingerprinted (count and an md5 of the rows' text), so a test can show a
 * request wrote nothing: inserts, updates and deletes all change it.
 */
export async function tablesFingerprint(db: Db, except: string[] = []): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const names = tables.rows.map((row) => row.name).filter((name) => !except.includes(name));
  const parts = names.map((name) => sql`select ${name} as name, count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as print from ${sql.table(name)} t`);
  const result = await sql<{ name: string; print: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(result.rows.map((row) => [row.name, row.print]));
}
