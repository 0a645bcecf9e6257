// compileSoql: parse, resolve names against the schema, type-check literals, and return a
// CompiledQuery whose execute/toRecord/toCsvValues do no further name resolution.

import { SoqlError, errorAt, noSuchColumn, unknownRelationship, unsupportedObject } from './errors.js';
import {
  buildPredicate,
  buildShape,
  compileLike,
  csvValue,
  domainOf,
  makeGetter,
  shapeRecord,
  sortRows,
  type Comparable,
  type Domain,
  type ResolvedPath,
  type SortSpec,
  type TypedCondition,
  type TypedValue,
} from './evaluate.js';
import { parseSoql } from './parser.js';
import type {
  CompiledQuery,
  ExecuteOptions,
  FieldRef,
  SoqlCondition,
  SoqlDataSource,
  SoqlField,
  SoqlLiteral,
  SoqlObject,
  SoqlRow,
  SoqlSchema,
} from './types.js';

interface ObjectInfo {
  name: string;
  fields: Map<string, SoqlField>; // lower-case name → field
  relationships: Map<string, SoqlField>; // lower-case relationshipName → reference field
}

function objectInfo(obj: SoqlObject): ObjectInfo {
  const fields = new Map<string, SoqlField>();
  const relationships = new Map<string, SoqlField>();
  for (const f of obj.fields) {
    fields.set(f.name.toLowerCase(), f);
    if (f.relationshipName && f.referenceTo && f.referenceTo.length > 0) {
      relationships.set(f.relationshipName.toLowerCase(), f);
    }
  }
  return { name: obj.name, fields, relationships };
}

const ID_CASE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * The 15-character, case-sensitive form of a Salesforce Id literal, or undefined when the text is
 * not a well-formed 15/18-character Id. An 18-character Id's suffix encodes the case of the first
 * 15 characters, so '001…aaa' in the wrong case still names the same record (as in Salesforce).
 */
export function normalizeIdLiteral(id: string): string | undefined {
  if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-5]{3})?$/.test(id)) return undefined;
  if (id.length === 15) return id;
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = ID_CASE_ALPHABET.indexOf(id[15 + chunk]!.toUpperCase());
    for (let j = 0; j < 5; j++) {
      const ch = id[chunk * 5 + j]!;
      out += bits & (1 << j) ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return out;
}

class Compiler {
  private readonly infos = new Map<string, ObjectInfo | null>();

  constructor(
    private readonly text: string,
    private readonly schema: SoqlSchema,
  ) {}

  info(name: string): ObjectInfo | undefined {
    const key = name.toLowerCase();
    let cached = this.infos.get(key);
    if (cached === undefined) {
      const obj = this.schema.getObject(name);
      cached = obj ? objectInfo(obj) : null;
      this.infos.set(key, cached);
    }
    return cached ?? undefined;
  }

  /** Qualifiers that name the queried object itself: its alias, or its name (`Contact.FirstName`). */
  private selfQualifiers: string[] = [];

  setSelfQualifiers(objectName: string, alias: string | undefined): void {
    this.selfQualifiers = alias ? [alias.toLowerCase()] : [objectName.toLowerCase()];
  }

  resolvePath(root: ObjectInfo, ref: FieldRef): ResolvedPath {
    let objects: ObjectInfo[] = [root];
    const hops: ResolvedPath['hops'] = [];
    const canonical: string[] = [];
    let from = 0;
    if (ref.path.length > 1) {
      const q = ref.path[0]!.toLowerCase();
      // A relationship of the same name wins over the object-name qualifier; an alias always qualifies.
      if (this.selfQualifiers.includes(q) && (q !== root.name.toLowerCase() || !root.relationships.has(q))) from = 1;
    }
    for (let i = from; i < ref.path.length - 1; i++) {
      const seg = ref.path[i]!;
      let rel: SoqlField | undefined;
      for (const o of objects) {
        rel = o.relationships.get(seg.toLowerCase());
        if (rel) break;
      }
      const targets = (rel?.referenceTo ?? []).map((n) => this.info(n)).filter((o): o is ObjectInfo => o !== undefined);
      if (!rel || targets.length === 0) throw unknownRelationship(this.text, ref.start, seg);
      hops.push({ refField: rel.name, relationshipName: rel.relationshipName! });
      canonical.push(rel.relationshipName!);
      objects = targets;
    }
    const last = ref.path[ref.path.length - 1]!;
    let field: SoqlField | undefined;
    for (const o of objects) {
      field = o.fields.get(last.toLowerCase());
      if (field) break;
    }
    if (!field) throw noSuchColumn(this.text, ref.start, last, objects[0]!.name);
    canonical.push(field.name);
    return { canonical: canonical.join('.'), hops, fieldName: field.name, type: field.type, ...(field.longText ? { longText: true } : {}) };
  }

  private typeMismatch(path: ResolvedPath, lit: SoqlLiteral, domain: Domain): SoqlError {
    const typeName =
      domain === 'text'
        ? 'string'
        : domain === 'datetime'
          ? 'dateTime'
          : domain === 'date'
            ? 'date'
            : domain === 'boolean'
              ? 'boolean'
              : path.type === 'int'
                ? 'int'
                : 'double';
    const quoting = domain === 'text' ? 'should be enclosed in quotes' : 'should not be enclosed in quotes';
    return errorAt(
      'INVALID_FIELD',
      this.text,
      lit.start,
      `value of filter criterion for field '${path.canonical}' must be of type ${typeName} and ${quoting}`,
    );
  }

  typedValue(path: ResolvedPath, domain: Domain, lit: SoqlLiteral): TypedValue {
    if (lit.kind === 'null') return { kind: 'null' };
    const scalar = (v: Comparable): TypedValue => ({ kind: 'scalar', v });
    switch (domain) {
      case 'text':
        if (lit.kind !== 'string') throw this.typeMismatch(path, lit, domain);
        return lit.value === '' ? { kind: 'null' } : scalar(lit.value.toLowerCase());
      case 'id': {
        if (lit.kind !== 'string') throw this.typeMismatch(path, lit, 'text');
        if (lit.value === '') return { kind: 'null' };
        const id15 = normalizeIdLiteral(lit.value);
        if (id15 === undefined) {
          throw errorAt('INVALID_QUERY_FILTER_OPERATOR', this.text, lit.start, `invalid ID field: ${lit.value}`);
        }
        return scalar(id15);
      }
      case 'number':
        if (lit.kind !== 'number') throw this.typeMismatch(path, lit, domain);
        return scalar(lit.value);
      case 'boolean':
        if (lit.kind !== 'boolean') throw this.typeMismatch(path, lit, domain);
        return scalar(lit.value ? 1 : 0);
      case 'date':
        if (lit.kind === 'date') return scalar(lit.value);
        if (lit.kind === 'dateLiteral') return { kind: 'relative', name: lit.name, n: lit.n };
        throw this.typeMismatch(path, lit, domain);
      case 'datetime':
        if (lit.kind === 'datetime') return scalar(lit.value);
        if (lit.kind === 'dateLiteral') return { kind: 'relative', name: lit.name, n: lit.n };
        throw this.typeMismatch(path, lit, domain);
    }
  }

  /** Salesforce: "field 'Description' can not be filtered in a query call" (long text areas). */
  usable(path: ResolvedPath, start: number, use: 'filtered' | 'sorted'): ResolvedPath {
    if (path.longText) throw errorAt('INVALID_FIELD', this.text, start, `field '${path.canonical}' can not be ${use} in a query call`);
    return path;
  }

  condition(root: ObjectInfo, c: SoqlCondition): TypedCondition {
    switch (c.kind) {
      case 'and':
      case 'or':
        return { kind: c.kind, operands: c.operands.map((o) => this.condition(root, o)) };
      case 'not':
        return { kind: 'not', operand: this.condition(root, c.operand) };
      case 'compare': {
        const path = this.usable(this.resolvePath(root, c.field), c.field.start, 'filtered');
        const domain = domainOf(path.type);
        return { kind: 'compare', path, domain, op: c.op, value: this.typedValue(path, domain, c.value) };
      }
      case 'in': {
        const path = this.usable(this.resolvePath(root, c.field), c.field.start, 'filtered');
        const domain = domainOf(path.type);
        return { kind: 'in', path, domain, negated: c.negated, values: c.values.map((v) => this.typedValue(path, domain, v)) };
      }
      case 'like': {
        const path = this.usable(this.resolvePath(root, c.field), c.field.start, 'filtered');
        const domain = domainOf(path.type);
        if (domain === 'id') {
          throw errorAt('INVALID_QUERY_FILTER_OPERATOR', this.text, c.opStart, 'invalid operator on id field');
        }
        if (domain !== 'text' || c.pattern.kind !== 'string') {
          throw this.typeMismatch(path, c.pattern, domain === 'text' ? 'text' : domain);
        }
        return { kind: 'like', path, matcher: compileLike(c.pattern.raw) };
      }
    }
  }
}

/** Parses `text` and validates it against `schema`. Throws SoqlError. */
export function compileSoql(text: string, schema: SoqlSchema): CompiledQuery {
  const query = parseSoql(text);
  const compiler = new Compiler(text, schema);
  const root = compiler.info(query.from.name);
  if (!root) throw unsupportedObject(text, query.from.start, query.from.name);
  compiler.setSelfQualifiers(root.name, query.from.alias);

  // SELECT list
  let isCount = false;
  const paths: ResolvedPath[] = [];
  const seen = new Set<string>();
  for (const item of query.select) {
    if (item.kind === 'count') {
      if (query.select.length > 1) {
        throw errorAt('MALFORMED_QUERY', text, item.start, 'COUNT() must be the only element in the SELECT list');
      }
      isCount = true;
      continue;
    }
    const path = compiler.resolvePath(root, item.field);
    const key = path.canonical.toLowerCase();
    if (seen.has(key)) throw new SoqlError('INVALID_FIELD', `duplicate field selected: ${path.canonical}`);
    seen.add(key);
    paths.push(path);
  }

  const where = query.where ? compiler.condition(root, query.where) : undefined;
  const sortSpecs: SortSpec[] = query.orderBy.map((o) => ({
    path: compiler.usable(compiler.resolvePath(root, o.field), o.field.start, 'sorted'),
    descending: o.direction === 'DESC',
    nullsFirst: o.nulls === 'FIRST',
  }));

  return new CompiledSoqlQuery(root.name, isCount, paths, where, sortSpecs, query.limit, query.offset ?? 0);
}

class CompiledSoqlQuery implements CompiledQuery {
  readonly columns: string[];
  private readonly shape;

  constructor(
    readonly objectName: string,
    readonly isCount: boolean,
    private readonly paths: ResolvedPath[],
    private readonly where: TypedCondition | undefined,
    private readonly sortSpecs: SortSpec[],
    private readonly limit: number | undefined,
    private readonly offset: number,
  ) {
    this.columns = paths.map((p) => p.canonical);
    this.shape = buildShape(paths);
  }

  execute(source: SoqlDataSource, options?: ExecuteOptions): SoqlRow[] {
    const includeDeleted = options?.includeDeleted === true;
    const now = options?.now ?? new Date();
    const cache = new Map<string, SoqlRow | null>();
    const lookup = (id: string): SoqlRow | null => {
      let hit = cache.get(id);
      if (hit === undefined) {
        hit = source.byId(id)?.row ?? null;
        cache.set(id, hit);
      }
      return hit;
    };
    const predicate = this.where ? buildPredicate(this.where, { lookup, now }) : undefined;
    const sorted = this.sortSpecs.length > 0;
    // Without ORDER BY the first offset+limit matches are the answer: stop scanning there.
    const enough = !sorted && this.limit !== undefined ? this.offset + this.limit : Infinity;
    let matched: SoqlRow[] = [];
    if (enough > 0) {
      for (const row of source.rows(this.objectName)) {
        if (!includeDeleted && row.IsDeleted === true) continue;
        if (predicate !== undefined && !predicate(row)) continue;
        matched.push(row);
        if (matched.length >= enough) break;
      }
    }
    if (sorted) matched = sortRows(matched, this.sortSpecs, lookup);
    if (this.offset > 0 || (this.limit !== undefined && matched.length > this.limit)) {
      const end = this.limit === undefined ? undefined : this.offset + this.limit;
      matched = matched.slice(this.offset, end);
    }
    return matched;
  }

  toRecord(row: SoqlRow, source: SoqlDataSource, apiVersion: string): Record<string, unknown> {
    const version = apiVersion.replace(/^v/i, '');
    return shapeRecord(this.shape, row, this.objectName, `/services/data/v${version}`, (id) => source.byId(id));
  }

  /** Getters for the output columns, built once per data source (no caching of looked-up rows). */
  private csvGetters: { source: SoqlDataSource; getters: Array<(row: SoqlRow) => string> } | undefined;

  toCsvValues(row: SoqlRow, source: SoqlDataSource): string[] {
    if (this.csvGetters?.source !== source) {
      const lookup = (id: string) => source.byId(id)?.row ?? null;
      const getters = this.paths.map((p) => {
        const get = makeGetter(p, lookup);
        const type = p.type;
        return (r: SoqlRow) => csvValue(type, get(r));
      });
      this.csvGetters = { source, getters };
    }
    const getters = this.csvGetters.getters;
    const out = new Array<string>(getters.length);
    for (let i = 0; i < getters.length; i++) out[i] = getters[i]!(row);
    return out;
  }
}
