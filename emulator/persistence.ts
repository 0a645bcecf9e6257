// A saved emulator, for `npm start`: orgs (settings, users, rows, recycle bin, custom fields, API
// usage), connected apps, OAuth grants and tokens (with their rotation state), the Id counters and
// the clock, as one JSON file. Written after changes (debounced) and on close, atomically (a temporary
// file renamed over the old one), so a crash mid-write leaves the previous snapshot intact.
// Not saved: Bulk API jobs in flight, faults and login-host faults (test switches), cursors.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AccessToken, AuthorizationCode, AuthorizationRequest, Grant, RefreshToken } from './oauth/tokens.js';
import { purgedThroughMs, setPurgedThroughMs } from './recycle-bin.js';
import type { FieldDef } from './schema.js';
import { Org, Table, type ConnectedApp, type EmulatorState, type OrgSettings, type Row, type UserAccount } from './store.js';
import type { UsageSnapshot } from './usage.js';

const FORMAT = 1;

interface TableSnapshot {
  rows: Row[];
  deletedAt: [string, string][];
  purgedThroughMs: number;
}

interface OrgSnapshot {
  id: string;
  settings: OrgSettings;
  createdAt: string;
  lastStampMs: number;
  adminUserId?: string;
  users: UserAccount[];
  customFields: [string, FieldDef[]][];
  tables: Record<string, TableSnapshot>;
  usage: UsageSnapshot;
}

export interface EmulatorSnapshot {
  format: typeof FORMAT;
  savedAt: string;
  clockOffsetMs: number;
  ids: Record<string, number>;
  orgs: OrgSnapshot[];
  connectedApps: ConnectedApp[];
  tokens: {
    authRequests: AuthorizationRequest[];
    codes: AuthorizationCode[];
    grants: Grant[];
    refreshTokens: RefreshToken[];
    accessTokens: AccessToken[];
  };
}

function snapshotOrg(org: Org): OrgSnapshot {
  const tables: Record<string, TableSnapshot> = {};
  // Organization is computed from the settings, not stored (store.ts).
  for (const [name, table] of org.tables) {
    if (name === 'Organization') continue;
    tables[name] = { rows: [...table.rows.values()], deletedAt: [...table.deletedAt], purgedThroughMs: purgedThroughMs(table) };
  }
  return {
    id: org.id,
    settings: org.settings,
    createdAt: org.createdAt,
    lastStampMs: org.lastStampMs,
    ...(org.adminUserId ? { adminUserId: org.adminUserId } : {}),
    users: [...org.users.values()],
    customFields: [...org.customFields],
    tables,
    usage: org.usage.snapshot(org.now()),
  };
}

export function snapshotState(state: EmulatorState): EmulatorSnapshot {
  const t = state.tokens;
  return {
    format: FORMAT,
    savedAt: new Date().toISOString(),
    clockOffsetMs: state.clock.offsetMs,
    ids: state.ids.counts(),
    orgs: [...state.orgs.values()].map(snapshotOrg),
    connectedApps: [...state.connectedApps.values()],
    tokens: {
      authRequests: [...t.authRequests.values()],
      codes: [...t.codes.values()],
      grants: [...t.grants.values()],
      refreshTokens: [...t.refreshTokens.values()],
      accessTokens: [...t.accessTokens.values()],
    },
  };
}

function restoreOrg(state: EmulatorState, saved: OrgSnapshot): void {
  const org = new Org(saved.id, saved.settings, state.clock, saved.createdAt);
  org.lastStampMs = saved.lastStampMs;
  org.adminUserId = saved.adminUserId;
  for (const user of saved.users) {
    org.users.set(user.id, user);
    // The administrator does not log in through the login form (control.ts).
    if (user.id !== saved.adminUserId) state.usersByUsername.set(user.username.toLowerCase(), user);
  }
  for (const [objectName, fields] of saved.customFields) org.addCustomFields(objectName, fields);
  for (const [name, savedTable] of Object.entries(saved.tables)) {
    const table = org.tables.get(name) ?? new Table();
    for (const row of savedTable.rows) table.rows.set(row.Id as string, row);
    for (const [id, at] of savedTable.deletedAt) table.deletedAt.set(id, at);
    setPurgedThroughMs(table, savedTable.purgedThroughMs);
    org.tables.set(name, table);
  }
  org.usage.restore(saved.usage);
  state.orgs.set(org.id, org);
}

/** Replaces the state's contents with a snapshot's. */
export function restoreState(state: EmulatorState, saved: EmulatorSnapshot): void {
  if (saved.format !== FORMAT) throw new Error(`Saved emulator state has format ${String(saved.format)}; this emulator reads format ${FORMAT}`);
  state.reset();
  state.clock.offsetMs = saved.clockOffsetMs;
  state.ids.restoreCounts(saved.ids);
  for (const org of saved.orgs) restoreOrg(state, org);
  for (const app of saved.connectedApps) state.connectedApps.set(app.clientId, app);
  const t = state.tokens;
  for (const r of saved.tokens.authRequests) t.authRequests.set(r.id, r);
  for (const c of saved.tokens.codes) t.codes.set(c.code, c);
  for (const g of saved.tokens.grants) t.grants.set(g.id, g);
  // A refresh that was being processed when the emulator stopped never finished.
  for (const rt of saved.tokens.refreshTokens) t.refreshTokens.set(rt.token, { ...rt, inFlight: false });
  for (const at of saved.tokens.accessTokens) t.accessTokens.set(at.token, at);
}

/** Saves the state to `file` a moment after changes, and on flush; loads it back on start. */
export class StatePersistence {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: EmulatorState,
    readonly file: string,
    private readonly debounceMs = 1000,
  ) {}

  /** Restores the saved state if there is one; false when the file does not exist. */
  load(): boolean {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    restoreState(this.state, JSON.parse(text) as EmulatorSnapshot);
    return true;
  }

  /** Something changed: save soon (one write for a burst of requests). */
  changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      try {
        this.save();
      } catch (error) {
        // A failed save (disk full) must not take the local system down; the next change tries again.
        console.error(`[emulator] could not save its state to ${this.file}: ${(error as Error).message}`);
      }
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes now if a save is pending (on close). */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.save();
  }

  save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    // 0600: the file holds the orgs' users' passwords and OAuth tokens.
    writeFileSync(temporary, JSON.stringify(snapshotState(this.state)), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
