// The local mode's target is per object: each object's own rate in the initial sync against the slower of
// its own read and write limits. Pure figures here; the scenarios measure, the summary compares.
import type { ObjectActivity } from './timeline.js';

export interface Measured {
  rows: number;
  seconds: number;
}

export interface ObjectLimits {
  /** Rows/s of the faster of this object's two reads (REST pages, a Bulk job), no database. */
  readLimit: number | null;
  readApi: 'rest' | 'bulk' | null;
  /** Rows/s of this object's rows written alone (batched), measured on `writeRows` of them. */
  writeLimit: number | null;
  writeRows: number;
  slowerLimit: number | null;
  limitedBy: 'read' | 'write' | null;
}

export interface ObjectThroughput {
  records: number;
  activities: number;
  /** Time inside the object's own sync activities (start → end, overlaps once): what it cost the sync. */
  busySeconds: number | null;
  /** Its first activity's start → its last one's end: other objects' turns and Bulk waits included. */
  spanSeconds: number | null;
  busyRate: number | null;
  spanRate: number | null;
}

/** Rows per second, or null when nothing was measured. */
export function rate(measured: Measured): number | null {
  return measured.rows > 0 && measured.seconds > 0 ? measured.rows / measured.seconds : null;
}

/** Read limit (the better API), write limit, and which of the two binds. */
export function objectLimits(rest: Measured, bulk: Measured, write: Measured): ObjectLimits {
  const restRate = rate(rest);
  const bulkRate = rate(bulk);
  const readApi = restRate === null && bulkRate === null ? null : (bulkRate ?? -1) > (restRate ?? -1) ? 'bulk' : 'rest';
  const readLimit = readApi === 'bulk' ? bulkRate : restRate;
  const writeLimit = rate(write);
  const limitedBy = readLimit === null || writeLimit === null ? null : readLimit < writeLimit ? 'read' : 'write';
  return { readLimit, readApi, writeLimit, writeRows: write.rows, slowerLimit: limitedBy === null ? null : Math.min(readLimit!, writeLimit!), limitedBy };
}

/**
 * Seconds to write `counts` rows at each object's measured rate: the write limit of the whole org when each
 * object's sample was capped (a plain rows ÷ seconds over the samples would weigh the objects by sample size).
 */
export function scaledWriteSeconds(counts: Record<string, number>, limits: Record<string, Pick<ObjectLimits, 'writeLimit'>>): number | null {
  let seconds = 0;
  for (const [object, count] of Object.entries(counts)) {
    if (count === 0) continue;
    const writeLimit = limits[object]?.writeLimit ?? null;
    if (writeLimit === null) return null;
    seconds += count / writeLimit;
  }
  return seconds;
}

/** An object's rate in the initial sync, from its activities in the workflow history (none: nulls). */
export function objectThroughput(records: number, activity: ObjectActivity | undefined): ObjectThroughput {
  const busySeconds = activity && activity.runningMs > 0 ? activity.runningMs / 1000 : null;
  const spanSeconds = activity?.firstStartedMs != null && activity.lastMs > activity.firstStartedMs ? (activity.lastMs - activity.firstStartedMs) / 1000 : null;
  const per = (seconds: number | null) => (seconds !== null && records > 0 ? records / seconds : null);
  return { records, activities: activity?.activities ?? 0, busySeconds, spanSeconds, busyRate: per(busySeconds), spanRate: per(spanSeconds) };
}

const whole = (value: number | null) => (value === null ? 'n/a' : Math.round(value).toLocaleString('en-US'));
const hundredths = (value: number | null) => (value === null ? 'n/a' : value.toFixed(2));

/** The initial-sync table row of one object: busy time / span, and the rates they give. */
export function throughputRow(object: string, figures: ObjectThroughput): { metric: string; value: string; unit: string } {
  return {
    metric: `  ${object} (${figures.records.toLocaleString('en-US')}): inside its ${figures.activities} activit${figures.activities === 1 ? 'y' : 'ies'} / first start → last end`,
    value: `${hundredths(figures.busySeconds)} / ${hundredths(figures.spanSeconds)}`,
    unit: `s (${whole(figures.busyRate)} / ${whole(figures.spanRate)} rec/s)`,
  };
}

/** The limits table row of one object: read (which API) / write (on how many rows) / the slower. */
export function limitsRow(object: string, limits: ObjectLimits): { metric: string; value: string; unit: string } {
  return {
    metric: `  ${object}: read (${limits.readApi === 'bulk' ? 'Bulk' : 'REST'}) / write (${limits.writeRows.toLocaleString('en-US')} rows) / slower`,
    value: `${whole(limits.readLimit)} / ${whole(limits.writeLimit)} / ${whole(limits.slowerLimit)}`,
    unit: 'rows/s',
  };
}
