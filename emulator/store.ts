// In-memory state of the emulator: orgs, their users and rows, connected apps.
// Rows are immutable objects (an edit replaces the row), so a query cursor holding row references
// keeps a consistent snapshot while later pages are fetched.
import { Clock, iso } from './clock.js';
import { Faults, type LoginHostFaults } from './faults.js';
import { IdGenerator, KEY_PREFIXES, to18 } from './ids.js';
import { STANDARD_OBJECTS, type FieldDef, type ObjectDef } from './schema.js';
import { UsageMeter } from './usage.js';
import { organizationRow } from './organization.js';
import { TokenStore } from './oauth/tokens.js';

export type Edition = 'Developer' | 'Enterprise' | 'Unlimited' | 'Performance' | 'Professional' | 'Essentials';
export type Environment = 'production' | 'sandbox';

export const API_EDITIONS: readonly Edition[] = ['Developer', 'Enterprise', 'Unlimited', 'Performance'];

export const DEFAULT_DAILY_API_LIMIT: Record<Edition, number> = {
  Developer: 15_000,
  Enterprise: 100_000,
  Unlimited: 100_000,
  Performance: 100_000,
  Professional: 15_000,
  Essentials: 15_000,
};

export interface OrgSettings {
  name: string;
  edition: Edition;
  environment: Environment;
  dailyApiLimit: number;
  timezone: string;
  sessionTimeoutSeconds: number;
  /** Bulk API 2.0 query jobs (rest/bulk.ts); all off by default. */
  bulkJobOutcome?: 'complete' | 'failed' | 'aborted';
  bulkJobFailAfterPolls?: number;
  bulkProcessingMsPerThousand?: number;
  bulkJobRetentionDays?: number;
  /** Days a deleted record stays in the recycle bin (Salesforce: 15); unset or null = kept until emptied (recycle-bin.ts). */
  recycleBinDays?: number | null;
  /**
   * Long-running requests (over 20 s in Salesforce) an org may have in flight at once; more are refused
   * with REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn Limit exceeded." Unset or null = no limit
   * (rest/context.ts: a request held by a latency fault counts as long).
   */
  concurrentLongRequestLimit?: number | null;
}

export type Row = Record<string, unknown>;

export interface ObjectPermission {
  read: boolean;
  create: boolean;
  edit: boolean;
  delete: boolean;
}

/** Field-level security of one field: hidden (no read), read (read-only) or edit. */
export type FieldAccess = 'hidden' | 'read' | 'edit';

export interface UserPermissions {
  /** Object permissions by object name; objects not listed get full access (like an admin). */
  objects?: Record<string, Partial<ObjectPermission>>;
  /** Field-level security by "Object.Field"; fields not listed are editable. */
  fields?: Record<string, FieldAccess>;
  /** System permissions; unlisted ones are granted. `viewSetup`: "View Setup and Configuration" (limits, limits/recordCount). */
  system?: { viewSetup?: boolean };
}

export interface UserAccount {
  id: string;
  orgId: string;
  username: string;
  password: string;
  firstName: string;
  lastName: string;
  email: string;
  permissions: UserPermissions;
}

export interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  callbackUrls: string[];
  requirePkce: boolean;
  rotateRefreshTokens: boolean;
  /** "Require Secret for Web Server Flow" (on by default in Salesforce). */
  requireSecret: boolean;
  scopes: string[];
}

export class Table {
  readonly rows = new Map<string, Row>();
  /** When each soft-deleted row was deleted (for /deleted). */
  readonly deletedAt = new Map<string, string>();
}

/** An org's tables. Organization is not stored: its one row is computed from the org's settings on each read. */
class OrgTables extends Map<string, Table> {
  constructor(private readonly organization: () => Row) {
    super();
  }

  override get(objectName: string): Table | undefined {
    if (objectName !== 'Organization') return super.get(objectName);
    const table = new Table();
    const row = this.organization();
    table.rows.set(row.Id as string, row);
    return table;
  }
}

interface UndoEntry {
  table: Table;
  id: string;
  before: Row | undefined;
  deletedAt: string | undefined;
}

export class Org {
  readonly users = new Map<string, UserAccount>();
  readonly tables: Map<string, Table> = new OrgTables(() => organizationRow(this));
  readonly customFields = new Map<string, FieldDef[]>();
  readonly usage = new UsageMeter();
  readonly faults = new Faults();
  /** The org's administrator (created with it; not a login user of the login form). */
  adminUserId: string | undefined;
  /** SystemModstamp never goes backwards, even when a test moves the clock back. */
  lastStampMs = 0;
  readonly createdAt: string;
  private describeCache = new Map<string, ObjectDef>();
  private undoLog: UndoEntry[] | undefined;

  constructor(
    readonly id: string,
    public settings: OrgSettings,
    private readonly clock: Clock,
    /** Given when a saved org is restored (persistence.ts). */
    createdAt?: string,
  ) {
    for (const o of STANDARD_OBJECTS) if (o.name !== 'Organization') this.tables.set(o.name, new Table());
    this.createdAt = createdAt ?? iso(clock.now());
  }

  now(): number {
    return this.clock.now() + this.faults.clockOffsetMs;
  }

  get apiEnabled(): boolean {
    return API_EDITIONS.includes(this.settings.edition);
  }

  /** One timestamp for one save: never earlier than the previous save's. */
  nextStamp(strictlyAfterPrevious = false): string {
    const now = this.now();
    const ms = strictlyAfterPrevious ? Math.max(now, this.lastStampMs + 1) : Math.max(now, this.lastStampMs);
    this.lastStampMs = ms;
    return iso(ms);
  }

  noteStamp(isoStamp: string): void {
    const ms = Date.parse(isoStamp);
    if (ms > this.lastStampMs) this.lastStampMs = ms;
  }

  /** The object with this org's custom fields, resolved case-insensitively. */
  object(name: string): ObjectDef | undefined {
    const lower = name.toLowerCase();
    const cached = this.describeCache.get(lower);
    if (cached) return cached;
    const standard = STANDARD_OBJECTS.find((o) => o.name.toLowerCase() === lower);
    if (!standard) return undefined;
    const merged = { ...standard, fields: [...standard.fields, ...(this.customFields.get(standard.name) ?? [])] };
    this.describeCache.set(lower, merged);
    return merged;
  }

  addCustomFields(objectName: string, fields: FieldDef[]): void {
    const existing = this.customFields.get(objectName) ?? [];
    const byName = new Map(existing.map((f) => [f.name.toLowerCase(), f]));
    for (const f of fields) byName.set(f.name.toLowerCase(), f);
    this.customFields.set(objectName, [...byName.values()]);
    this.describeCache.clear();
  }

  table(objectName: string): Table {
    const t = this.tables.get(objectName);
    if (!t) throw new Error(`No table for ${objectName}`);
    return t;
  }

  /** Finds a row by a 15- or 18-character Id in whichever table its key prefix names. */
  findById(id: string): { objectName: string; row: Row } | undefined {
    const id18 = to18(id);
    if (!id18) return undefined;
    const prefix = id18.slice(0, 3);
    const def = STANDARD_OBJECTS.find((o) => o.keyPrefix === prefix);
    if (!def) return undefined;
    const row = this.tables.get(def.name)?.rows.get(id18);
    return row ? { objectName: def.name, row } : undefined;
  }

  put(objectName: string, row: Row, deletedAt?: string): void {
    const table = this.table(objectName);
    const id = row.Id as string;
    this.undoLog?.push({ table, id, before: table.rows.get(id), deletedAt: table.deletedAt.get(id) });
    table.rows.set(id, row);
    if (deletedAt) table.deletedAt.set(id, deletedAt);
    else table.deletedAt.delete(id);
  }

  /**
   * Runs fn as one all-or-nothing unit: if it throws or `committed(result)` is false, every put made
   * inside it is undone. Nests: an inner rollback undoes only the inner puts.
   */
  transaction<T>(fn: () => T, committed: (result: T) => boolean = () => true): T {
    const outer = this.undoLog;
    const log = outer ?? [];
    const mark = log.length;
    this.undoLog = log;
    try {
      const result = fn();
      if (!committed(result)) this.undoTo(log, mark);
      return result;
    } catch (err) {
      this.undoTo(log, mark);
      throw err;
    } finally {
      this.undoLog = outer;
    }
  }

  /** Starts recording puts so a caller spanning several async steps (composite) can roll them back. */
  beginUndo(): { rollback(): void; end(): void } {
    const outer = this.undoLog;
    const log = outer ?? [];
    const mark = log.length;
    this.undoLog = log;
    return {
      rollback: () => this.undoTo(log, mark),
      end: () => {
        this.undoLog = outer;
      },
    };
  }

  private undoTo(log: UndoEntry[], mark: number): void {
    while (log.length > mark) {
      const e = log.pop()!;
      if (e.before) e.table.rows.set(e.id, e.before);
      else e.table.rows.delete(e.id);
      if (e.deletedAt) e.table.deletedAt.set(e.id, e.deletedAt);
      else e.table.deletedAt.delete(e.id);
    }
  }

}

export class EmulatorState {
  readonly clock = new Clock();
  ids = new IdGenerator();
  readonly orgs = new Map<string, Org>();
  readonly usersByUsername = new Map<string, UserAccount>();
  readonly connectedApps = new Map<string, ConnectedApp>();
  readonly tokens = new TokenStore();
  /** How long a refresh takes to process; a second refresh with the same token meanwhile fails. */
  refreshProcessingMs = 25;
  /** Per login host (see faults.ts); cleared by reset. */
  readonly loginHostFaults: Record<Environment, LoginHostFaults> = { production: {}, sandbox: {} };
  productionUrl = 'http://127.0.0.1:4010';
  sandboxUrl = 'http://127.0.0.1:4011';

  reset(): void {
    this.clock.offsetMs = 0;
    this.ids = new IdGenerator();
    this.orgs.clear();
    this.usersByUsername.clear();
    this.connectedApps.clear();
    this.tokens.clear();
    this.loginHostFaults.production = {};
    this.loginHostFaults.sandbox = {};
  }

  loginUrl(environment: Environment): string {
    return environment === 'sandbox' ? this.sandboxUrl : this.productionUrl;
  }

  createOrg(settings: OrgSettings): Org {
    const org = new Org(this.ids.next(KEY_PREFIXES.Organization), settings, this.clock);
    this.orgs.set(org.id, org);
    return org;
  }

  org(orgId: string): Org | undefined {
    const id18 = to18(orgId);
    return id18 ? this.orgs.get(id18) : undefined;
  }
}

export function objectPermission(user: UserAccount, objectName: string): ObjectPermission {
  const p = user.permissions.objects?.[objectName];
  const read = p?.read ?? true;
  return {
    read,
    create: read && (p?.create ?? true),
    edit: read && (p?.edit ?? true),
    delete: read && (p?.edit ?? true) && (p?.delete ?? true),
  };
}

export function fieldAccess(user: UserAccount, objectName: string, fieldName: string): FieldAccess {
  // Id and system fields cannot be hidden in Salesforce.
  return user.permissions.fields?.[`${objectName}.${fieldName}`] ?? 'edit';
}
