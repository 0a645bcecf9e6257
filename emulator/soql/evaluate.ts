// Runtime of a compiled query: field getters, the WHERE predicate (built once per execute as a
// tree of closures), ORDER BY (decorate–sort–undecorate), and output shaping for REST and CSV.

import { canonicalDate, canonicalDateTime, formatDateTimeForJson, relativeDateRange } from './dates.js';
import type { ComparisonOperator, SoqlFieldType, SoqlRow } from './types.js';

/** How values of a field type compare. */
export type Domain = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime';

export function domainOf(type: SoqlFieldType): Domain {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    default:
      return 'text';
  }
}

/** One relationship hop: read `refField` on the current row, continue on the row it points to. */
export interface Hop {
  refField: string;
  relationshipName: string;
}

/** A field path resolved against the schema. */
export interface ResolvedPath {
  /** Canonical path, e.g. 'Account.Name'. */
  canonical: string;
  hops: Hop[];
  /** Canonical name of the final field. */
  fieldName: string;
  type: SoqlFieldType;
  /** A long text area: Salesforce refuses it in WHERE and ORDER BY. */
  longText?: boolean;
}

export type Lookup = (id: string) => SoqlRow | null;
type Getter = (row: SoqlRow) => unknown;

export function makeGetter(path: ResolvedPath, lookup: Lookup): Getter {
  const name = path.fieldName;
  const hops = path.hops;
  if (hops.length === 0) return (row) => row[name];
  if (hops.length === 1) {
    const ref = hops[0]!.refField;
    return (row) => {
      const id = row[ref];
      if (typeof id !== 'string' || id === '') return null;
      const parent = lookup(id);
      return parent === null ? null : parent[name];
    };
  }
  return (row) => {
    let current: SoqlRow | null = row;
    for (let i = 0; i < hops.length; i++) {
      const id: unknown = current[hops[i]!.refField];
      if (typeof id !== 'string' || id === '') return null;
      current = lookup(id);
      if (current === null) return null;
    }
    return current[name];
  };
}

// ---------------------------------------------------------------------------------------------
// Normalisation: every value is turned into a string | number | null that compares with plain
// ===, < and > inside its domain. Literals are normalised once at compile time.
// ---------------------------------------------------------------------------------------------

export type Comparable = string | number;

export function normalize(domain: Domain, v: unknown): Comparable | null {
  switch (domain) {
    case 'text':
      if (v === null || v === undefined || v === '') return null;
      return (typeof v === 'string' ? v : String(v)).toLowerCase();
    case 'id':
      if (v === null || v === undefined || v === '') return null;
      return (typeof v === 'string' ? v : String(v)).slice(0, 15);
    case 'number':
      if (typeof v === 'number') return v;
      if (v === null || v === undefined || v === '') return null;
      return Number(v);
    case 'boolean':
      // Checkboxes are never null in Salesforce: a missing value reads as false.
      return v === true || v === 'true' ? 1 : 0;
    case 'date':
      return canonicalDate(v);
    case 'datetime':
      return wholeSecond(canonicalDateTime(v));
  }
}

/**
 * Salesforce keeps datetimes to the second and ignores milliseconds in comparisons and ordering: two
 * records stamped in the same second tie on SystemModstamp, and `ORDER BY SystemModstamp, Id` orders
 * them by Id (which keyset paging relies on).
 */
function wholeSecond(canonical: string | null): string | null {
  return canonical === null ? null : `${canonical.slice(0, 19)}.000Z`;
}

/** A comparison literal in the same precision as the values it is compared with. */
function comparable(domain: Domain, v: Comparable): Comparable {
  return domain === 'datetime' && typeof v === 'string' ? (wholeSecond(canonicalDateTime(v)) ?? v) : v;
}

/** Sort key: like normalize, but ids keep all 18 characters (still ordered like the 15-char form). */
function sortKey(domain: Domain, v: unknown): Comparable | null {
  if (domain === 'id') return v === null || v === undefined || v === '' ? null : String(v);
  return normalize(domain, v);
}

/** A literal on the right-hand side of a comparison, normalised for the field's domain. */
export type TypedValue =
  | { kind: 'null' }
  | { kind: 'scalar'; v: Comparable }
  /** A relative date literal (TODAY, LAST_N_DAYS:n …): resolved to a range at execute time. */
  | { kind: 'relative'; name: string; n: number | undefined };

export type LikeMatcher = (lowered: string) => boolean;

export type TypedCondition =
  | { kind: 'and' | 'or'; operands: TypedCondition[] }
  | { kind: 'not'; operand: TypedCondition }
  | { kind: 'compare'; path: ResolvedPath; domain: Domain; op: ComparisonOperator; value: TypedValue }
  | { kind: 'in'; path: ResolvedPath; domain: Domain; negated: boolean; values: TypedValue[] }
  | { kind: 'like'; path: ResolvedPath; matcher: LikeMatcher };

export interface EvalEnv {
  lookup: Lookup;
  now: Date;
}

type Predicate = (row: SoqlRow) => boolean;

function rangeFor(domain: Domain, name: string, n: number | undefined, now: Date): [string, string] {
  const [lo, hi] = relativeDateRange(name, n, now);
  const a = new Date(lo).toISOString();
  const b = new Date(hi).toISOString();
  return domain === 'date' ? [a.slice(0, 10), b.slice(0, 10)] : [a, b];
}

function comparePredicate(get: Getter, domain: Domain, op: ComparisonOperator, value: TypedValue, now: Date): Predicate {
  if (value.kind === 'null') {
    if (op === '=') return (row) => normalize(domain, get(row)) === null;
    if (op === '!=') return (row) => normalize(domain, get(row)) !== null;
    return () => false;
  }
  if (value.kind === 'relative') {
    const [lo, hi] = rangeFor(domain, value.name, value.n, now);
    const norm = (row: SoqlRow) => normalize(domain, get(row)) as string | null;
    switch (op) {
      case '=':
        return (row) => {
          const v = norm(row);
          return v !== null && v >= lo && v < hi;
        };
      case '!=':
        return (row) => {
          const v = norm(row);
          return v === null || v < lo || v >= hi;
        };
      case '<':
        return (row) => {
          const v = norm(row);
          return v !== null && v < lo;
        };
      case '<=':
        return (row) => {
          const v = norm(row);
          return v !== null && v < hi;
        };
      case '>':
        return (row) => {
          const v = norm(row);
          return v !== null && v >= hi;
        };
      case '>=':
        return (row) => {
          const v = norm(row);
          return v !== null && v >= lo;
        };
    }
  }
  const lit = comparable(domain, value.v);
  // Hot path: a datetime field compared with a datetime literal; stored values are canonical ISO
  // strings, so this is a string compare without allocation.
  switch (op) {
    case '=':
      return (row) => normalize(domain, get(row)) === lit;
    case '!=':
      // SOQL: `Field != 'x'` also matches rows where Field is null.
      return (row) => normalize(domain, get(row)) !== lit;
    case '<':
      return (row) => {
        const v = normalize(domain, get(row));
        return v !== null && v < lit;
      };
    case '<=':
      return (row) => {
        const v = normalize(domain, get(row));
        return v !== null && v <= lit;
      };
    case '>':
      return (row) => {
        const v = normalize(domain, get(row));
        return v !== null && v > lit;
      };
    case '>=':
      return (row) => {
        const v = normalize(domain, get(row));
        return v !== null && v >= lit;
      };
  }
}

function inPredicate(get: Getter, domain: Domain, negated: boolean, values: TypedValue[], now: Date): Predicate {
  const set = new Set<Comparable>();
  const ranges: [string, string][] = [];
  let hasNull = false;
  for (const value of values) {
    if (value.kind === 'null') hasNull = true;
    else if (value.kind === 'scalar') set.add(comparable(domain, value.v));
    else ranges.push(rangeFor(domain, value.name, value.n, now));
  }
  const matches = (row: SoqlRow): boolean => {
    const v = normalize(domain, get(row));
    if (v === null) return hasNull;
    if (set.has(v)) return true;
    for (const [lo, hi] of ranges) if ((v as string) >= lo && (v as string) < hi) return true;
    return false;
  };
  return negated ? (row) => !matches(row) : matches;
}

export function buildPredicate(c: TypedCondition, env: EvalEnv): Predicate {
  switch (c.kind) {
    case 'and': {
      const ps = c.operands.map((o) => buildPredicate(o, env));
      if (ps.length === 2) {
        const [a, b] = ps as [Predicate, Predicate];
        return (row) => a(row) && b(row);
      }
      return (row) => {
        for (let i = 0; i < ps.length; i++) if (!ps[i]!(row)) return false;
        return true;
      };
    }
    case 'or': {
      const ps = c.operands.map((o) => buildPredicate(o, env));
      return (row) => {
        for (let i = 0; i < ps.length; i++) if (ps[i]!(row)) return true;
        return false;
      };
    }
    case 'not': {
      const p = buildPredicate(c.operand, env);
      return (row) => !p(row);
    }
    case 'compare':
      return comparePredicate(makeGetter(c.path, env.lookup), c.domain, c.op, c.value, env.now);
    case 'in':
      return inPredicate(makeGetter(c.path, env.lookup), c.domain, c.negated, c.values, env.now);
    case 'like': {
      const get = makeGetter(c.path, env.lookup);
      const m = c.matcher;
      return (row) => {
        const v = normalize('text', get(row));
        return v !== null && m(v as string);
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// LIKE: % = any sequence, _ = one character, \% and \_ literal; case-insensitive; whole value.
// Compiled once into the cheapest matcher over the lower-cased value.
// ---------------------------------------------------------------------------------------------

const LIKE_ESCAPES: Record<string, string> = {
  n: '\n', N: '\n', r: '\r', R: '\r', t: '\t', T: '\t', b: '\b', B: '\b', f: '\f', F: '\f',
  '"': '"', "'": "'", '\\': '\\', '%': '%', _: '_',
};

/** `raw` is the string literal's source text including its quotes. */
export function compileLike(raw: string): LikeMatcher {
  // Pieces: literal text or wildcard tokens.
  const parts: Array<{ lit: string } | { any: true } | { one: true }> = [];
  let buf = '';
  const body = raw.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\') {
      const next = body[i + 1] ?? '';
      if (next === 'u' || next === 'U') {
        buf += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
        i += 5;
      } else {
        buf += LIKE_ESCAPES[next] ?? next;
        i += 1;
      }
    } else if (ch === '%' || ch === '_') {
      if (buf) parts.push({ lit: buf.toLowerCase() });
      buf = '';
      parts.push(ch === '%' ? { any: true } : { one: true });
    } else {
      buf += ch;
    }
  }
  if (buf) parts.push({ lit: buf.toLowerCase() });

  const isLit = (p: (typeof parts)[number] | undefined): p is { lit: string } => p !== undefined && 'lit' in p;
  const isAny = (p: (typeof parts)[number] | undefined) => p !== undefined && 'any' in p;
  if (parts.length === 0) return (v) => v === '';
  if (parts.length === 1 && isLit(parts[0])) {
    const s = parts[0].lit;
    return (v) => v === s;
  }
  if (parts.length === 1 && isAny(parts[0])) return () => true;
  if (parts.length === 2 && isLit(parts[0]) && isAny(parts[1])) {
    const s = parts[0].lit;
    return (v) => v.startsWith(s);
  }
  if (parts.length === 2 && isAny(parts[0]) && isLit(parts[1])) {
    const s = parts[1].lit;
    return (v) => v.endsWith(s);
  }
  if (parts.length === 3 && isAny(parts[0]) && isLit(parts[1]) && isAny(parts[2])) {
    const s = parts[1].lit;
    return (v) => v.includes(s);
  }
  let src = '^';
  for (const p of parts) {
    if ('lit' in p) src += p.lit.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if ('any' in p) src += '[\\s\\S]*';
    else src += '[\\s\\S]';
  }
  const re = new RegExp(src + '$');
  return (v) => re.test(v);
}

// ---------------------------------------------------------------------------------------------
// ORDER BY
// ---------------------------------------------------------------------------------------------

export interface SortSpec {
  path: ResolvedPath;
  descending: boolean;
  nullsFirst: boolean;
}

/**
 * An order-preserving number for values of numeric-like domains (not a timestamp: only the order
 * matters), or null. Datetimes are read digit by digit from the canonical ISO string.
 */
function numericSortKey(domain: Domain, v: unknown): number | null {
  switch (domain) {
    case 'number':
      if (typeof v === 'number') return Number.isNaN(v) ? null : v;
      if (v === null || v === undefined || v === '') return null;
      return Number.isNaN(Number(v)) ? null : Number(v);
    case 'boolean':
      return v === true || v === 'true' ? 1 : 0;
    case 'datetime': {
      const c = canonicalDateTime(v);
      if (c === null) return null;
      // 'YYYY-MM-DDTHH:mm:ss.sssZ' → epoch ms, read digit by digit (no Date allocation).
      const y = digits(c, 0, 4);
      const days = daysFromCivil(y, digits(c, 5, 2), digits(c, 8, 2));
      // Milliseconds left out: Salesforce orders datetimes to the second (ties go to the next key).
      return days * 86_400_000 + digits(c, 11, 2) * 3_600_000 + digits(c, 14, 2) * 60_000 + digits(c, 17, 2) * 1000;
    }
    case 'date': {
      const c = canonicalDate(v);
      if (c === null) return null;
      let x = 0;
      for (let i = 0; i < c.length; i++) {
        const d = c.charCodeAt(i) - 48;
        if (d >= 0 && d <= 9) x = x * 10 + d;
      }
      return x;
    }
    default:
      return null;
  }
}

function digits(s: string, at: number, len: number): number {
  let x = 0;
  for (let i = at; i < at + len; i++) x = x * 10 + (s.charCodeAt(i) - 48);
  return x;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function isNumericDomain(d: Domain): boolean {
  return d === 'number' || d === 'boolean' || d === 'datetime' || d === 'date';
}

/** Comparator over precomputed key columns from spec `from` on; ties keep source order (stable). */
function makeComparator(specs: SortSpec[], keys: Array<Array<Comparable | null>>, from: number): (x: number, y: number) => number {
  const k = specs.length;
  const dirs = specs.map((s) => (s.descending ? -1 : 1));
  const nullsFirst = specs.map((s) => s.nullsFirst);
  if (k - from === 1) {
    const col = keys[from]!;
    const dir = dirs[from]!;
    const nf = nullsFirst[from]!;
    return (x, y) => {
      const a = col[x]!;
      const b = col[y]!;
      if (a === b) return x - y;
      if (a === null) return nf ? -1 : 1;
      if (b === null) return nf ? 1 : -1;
      return a < b ? -dir : dir;
    };
  }
  return (x, y) => {
    for (let s = from; s < k; s++) {
      const col = keys[s]!;
      const a = col[x]!;
      const b = col[y]!;
      if (a === b) continue;
      if (a === null) return nullsFirst[s] ? -1 : 1;
      if (b === null) return nullsFirst[s] ? 1 : -1;
      return a < b ? -dirs[s]! : dirs[s]!;
    }
    return x - y;
  };
}

/**
 * Stable multi-key sort. Nulls go first or last per key, independent of the direction.
 * Fast path for the sync pattern `ORDER BY SystemModstamp, Id`: when the first key is numeric-like,
 * rows are ranked by it with a native Float64Array sort (no comparator calls), and only runs of
 * equal first keys are sorted by the remaining keys with a comparator.
 */
export function sortRows(rows: SoqlRow[], specs: SortSpec[], lookup: Lookup): SoqlRow[] {
  const n = rows.length;
  if (n < 2) return rows;
  const restKeys = (from: number): Array<Array<Comparable | null>> =>
    specs.map((spec, s) => {
      if (s < from) return [];
      const get = makeGetter(spec.path, lookup);
      const domain = domainOf(spec.path.type);
      const arr = new Array<Comparable | null>(n);
      for (let i = 0; i < n; i++) arr[i] = sortKey(domain, get(rows[i]!));
      return arr;
    });

  const first = specs[0]!;
  const firstDomain = domainOf(first.path.type);
  let order: number[];
  if (n >= 64 && isNumericDomain(firstDomain)) {
    const get = makeGetter(first.path, lookup);
    const key = new Float64Array(n);
    const nullIdx: number[] = [];
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = numericSortKey(firstDomain, get(rows[i]!));
      if (v === null) {
        key[i] = NaN;
        nullIdx.push(i);
      } else {
        key[i] = v;
        m++;
      }
    }
    const nonNull = first.descending ? orderByKey(key, m, true) : orderByKey(key, m, false);
    order = first.nullsFirst ? nullIdx.concat(nonNull) : nonNull.concat(nullIdx);
    if (specs.length > 1) {
      const cmp = makeComparator(specs, restKeys(1), 1);
      // Runs of equal first keys: the nulls, and equal values among the rest.
      const nullStart = first.nullsFirst ? 0 : m;
      if (nullIdx.length > 1) sortRun(order, nullStart, nullStart + nullIdx.length, cmp);
      const base = first.nullsFirst ? nullIdx.length : 0;
      let runStart = base;
      for (let j = base + 1; j <= base + m; j++) {
        if (j === base + m || key[order[j]!] !== key[order[runStart]!]) {
          if (j - runStart > 1) sortRun(order, runStart, j, cmp);
          runStart = j;
        }
      }
    }
  } else {
    order = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort(makeComparator(specs, restKeys(0), 0));
  }
  const out = new Array<SoqlRow>(n);
  for (let i = 0; i < n; i++) out[i] = rows[order[i]!]!;
  return out;
}

/**
 * Indices of the m non-NaN entries of `key`, ordered by key (ties in index order). When the key
 * range allows, (key - min) * n + index is packed into one exact double and sorted natively;
 * otherwise rows are ranked against the sorted distinct keys and counting-sorted by rank.
 */
function orderByKey(key: Float64Array, m: number, descending: boolean): number[] {
  const n = key.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = key[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Array<number>(m);
  if (m === 0) return out;
  const exactInts = Number.isSafeInteger(min) && Number.isSafeInteger(max);
  let allInts = exactInts;
  if (exactInts) for (let i = 0; i < n && allInts; i++) if (!Number.isNaN(key[i]!) && !Number.isInteger(key[i]!)) allInts = false;
  if (allInts && (max - min + 1) * n <= Number.MAX_SAFE_INTEGER) {
    const packed = new Float64Array(m);
    for (let i = 0, j = 0; i < n; i++) {
      const v = key[i]!;
      if (Number.isNaN(v)) continue;
      packed[j++] = (descending ? max - v : v - min) * n + i;
    }
    packed.sort();
    for (let j = 0; j < m; j++) {
      const p = packed[j]!;
      out[j] = p - Math.floor(p / n) * n;
    }
    return out;
  }
  const distinct = new Float64Array(m);
  for (let i = 0, j = 0; i < n; i++) if (!Number.isNaN(key[i]!)) distinct[j++] = key[i]!;
  distinct.sort();
  let u = 0;
  for (let i = 0; i < m; i++) if (i === 0 || distinct[i] !== distinct[u - 1]) distinct[u++] = distinct[i]!;
  const rankOf = new Int32Array(n);
  const counts = new Int32Array(u + 1);
  for (let i = 0; i < n; i++) {
    const v = key[i]!;
    if (Number.isNaN(v)) continue;
    let lo = 0;
    let hi = u - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const rank = descending ? u - 1 - lo : lo;
    rankOf[i] = rank;
    counts[rank + 1]!++;
  }
  for (let r = 1; r <= u; r++) counts[r]! += counts[r - 1]!;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(key[i]!)) continue;
    out[counts[rankOf[i]!]!++] = i;
  }
  return out;
}

function sortRun(order: number[], start: number, end: number, cmp: (x: number, y: number) => number): void {
  if (end - start === 2) {
    if (cmp(order[start]!, order[start + 1]!) > 0) {
      const t = order[start]!;
      order[start] = order[start + 1]!;
      order[start + 1] = t;
    }
    return;
  }
  // Runs are often already in order (rows stored in Id order, saved in batches with one timestamp).
  let sorted = true;
  for (let i = start + 1; i < end && sorted; i++) if (cmp(order[i - 1]!, order[i]!) > 0) sorted = false;
  if (sorted) return;
  const run = order.slice(start, end).sort(cmp);
  for (let i = 0; i < run.length; i++) order[start + i] = run[i]!;
}

// ---------------------------------------------------------------------------------------------
// Output shaping
// ---------------------------------------------------------------------------------------------

export function jsonValue(type: SoqlFieldType, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  switch (type) {
    case 'datetime':
      return formatDateTimeForJson(v);
    case 'date':
      return canonicalDate(v);
    case 'boolean':
      return v === true || v === 'true';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return typeof v === 'number' ? v : v === '' ? null : Number(v);
    default:
      // Salesforce stores blank text as null.
      return v === '' ? null : v;
  }
}

export function csvValue(type: SoqlFieldType, v: unknown): string {
  if (v === undefined || v === null) return '';
  switch (type) {
    case 'datetime':
      return canonicalDateTime(v) ?? '';
    case 'date':
      return canonicalDate(v) ?? '';
    case 'boolean':
      return v === true || v === 'true' ? 'true' : 'false';
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

/** The nested output structure of a SELECT list: fields and parent relationships in first-seen order. */
export interface ShapeNode {
  entries: Array<
    | { kind: 'field'; key: string; type: SoqlFieldType }
    | { kind: 'relationship'; key: string; refField: string; node: ShapeNode }
  >;
}

export function buildShape(paths: ResolvedPath[]): ShapeNode {
  const root: ShapeNode = { entries: [] };
  for (const path of paths) {
    let node = root;
    for (const hop of path.hops) {
      let entry = node.entries.find((e) => e.kind === 'relationship' && e.key === hop.relationshipName);
      if (!entry) {
        entry = { kind: 'relationship', key: hop.relationshipName, refField: hop.refField, node: { entries: [] } };
        node.entries.push(entry);
      }
      node = (entry as { node: ShapeNode }).node;
    }
    node.entries.push({ kind: 'field', key: path.fieldName, type: path.type });
  }
  return root;
}

export function shapeRecord(
  node: ShapeNode,
  row: SoqlRow,
  objectName: string,
  urlBase: string,
  byId: (id: string) => { objectName: string; row: SoqlRow } | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: objectName, url: `${urlBase}/sobjects/${objectName}/${String(row.Id)}` },
  };
  for (const e of node.entries) {
    if (e.kind === 'field') {
      out[e.key] = jsonValue(e.type, row[e.key]);
    } else {
      const id = row[e.refField];
      const parent = typeof id === 'string' && id !== '' ? byId(id) : undefined;
      out[e.key] = parent ? shapeRecord(e.node, parent.row, parent.objectName, urlBase, byId) : null;
    }
  }
  return out;
}
