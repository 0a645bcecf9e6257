// The recycle bin and its limits, as Salesforce has them: a soft-deleted record stays in the bin
// (queryAll shows it with IsDeleted = true, getDeleted lists it) until the bin is emptied, the record
// ages out (the org's recycleBinDays; Salesforce keeps 15 days), or it was hard-deleted, which skips
// the bin. A record that leaves the bin is gone physically: neither queryAll nor getDeleted sees it
// again, and getDeleted's earliestDateAvailable moves up to its deletion time.
import type { Org, Table } from './store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Per table: the deletion time (ms) of the latest record physically removed. */
const purgedThrough = new WeakMap<Table, number>();

export function purgedThroughMs(table: Table): number {
  return purgedThrough.get(table) ?? 0;
}

/** Restores a saved emulator's purge mark (persistence.ts). */
export function setPurgedThroughMs(table: Table, ms: number): void {
  if (ms > 0) purgedThrough.set(table, ms);
}

/** Removes these soft-deleted rows physically; returns how many went. */
export function purgeRows(table: Table, ids: Iterable<string>): number {
  let purged = 0;
  for (const id of ids) {
    const at = table.deletedAt.get(id);
    if (at === undefined) continue;
    table.rows.delete(id);
    table.deletedAt.delete(id);
    purgedThrough.set(table, Math.max(purgedThroughMs(table), Date.parse(at)));
    purged++;
  }
  return purged;
}

/** Setup → Recycle Bin → Empty: every soft-deleted record of the org goes. Counts per object. */
export function emptyRecycleBin(org: Org): Record<string, number> {
  const purged: Record<string, number> = {};
  for (const [name, table] of org.tables) {
    const count = purgeRows(table, [...table.deletedAt.keys()]);
    if (count > 0) purged[name] = count;
  }
  return purged;
}

/** Records deleted more than recycleBinDays ago leave the bin (off while the setting is unset). */
export function expireRecycleBin(org: Org): void {
  const days = org.settings.recycleBinDays;
  if (days === undefined || days === null) return;
  const cutoff = org.now() - days * DAY_MS;
  for (const table of org.tables.values()) {
    const expired: string[] = [];
    for (const [id, at] of table.deletedAt) if (Date.parse(at) <= cutoff) expired.push(id);
    purgeRows(table, expired);
  }
}

/**
 * A hard delete: `deleteRows` soft-deletes (with Salesforce's cascade), then every row it put in the
 * bin is removed at once, so the deletes never show in queryAll or getDeleted.
 */
export function hardDelete<T>(org: Org, deleteRows: () => T): T {
  const before = new Map<Table, Set<string>>();
  for (const table of org.tables.values()) before.set(table, new Set(table.deletedAt.keys()));
  const result = deleteRows();
  for (const table of org.tables.values()) {
    const earlier = before.get(table);
    purgeRows(table, [...table.deletedAt.keys()].filter((id) => !earlier?.has(id)));
  }
  return result;
}

/**
 * getDeleted's earliestDateAvailable for one object: the deletion time of the latest record that
 * left the bin (in whole minutes, as Salesforce answers), and never before the oldest deletion the
 * bin still keeps (recycleBinDays ago; 30 days while no bin limit is set).
 */
export function earliestDateAvailableMs(org: Org, table: Table, minuteMs: number): number {
  const keptDays = org.settings.recycleBinDays ?? 30;
  const earliest = Math.max(org.now() - keptDays * DAY_MS, purgedThroughMs(table));
  return Math.floor(earliest / minuteMs) * minuteMs;
}
