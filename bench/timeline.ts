// Where an initial sync's wall time went, read from the connection workflow's history: each activity
// (its type, the object its input names, when it was scheduled, started and ended) and each timer. It
// shows what the critical path leaves out: objects read one after another, waits on Bulk status polls
// that outlast the job, local work between calls.
import type { temporal } from '@temporalio/proto';
import { connectionWorkflowId } from '../domain/connection-status.js';
import type { BenchSystem } from './system.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface ActivitySpan {
  type: string;
  /** The `object` its input names (the sync's page activities do), if any. */
  object: string | null;
  /** Milliseconds after the time origin (the OAuth callback). */
  scheduledMs: number;
  startedMs: number | null;
  endedMs: number | null;
  /** From its result, when it says (the sync's page activities do): rows fetched, API calls made. */
  fetched: number | null;
  apiCalls: number | null;
}

export interface TimerSpan {
  startedMs: number;
  firedMs: number | null;
  timeoutMs: number;
}

export interface ObjectActivity {
  activities: number;
  /** First activity scheduled → last one ended, ms after the origin. */
  firstMs: number;
  lastMs: number;
  /** When its first activity started running (null if none did): its span without the first queueing. */
  firstStartedMs: number | null;
  /** Time inside the object's activities (their union), and the rest of its span: timers, workflow tasks, queueing. */
  runningMs: number;
  betweenMs: number;
}

export interface Timeline {
  activities: ActivitySpan[];
  timers: TimerSpan[];
  objects: Record<string, ObjectActivity>;
}

export async function fetchTimeline(system: BenchSystem, accountId: string, originMs: number, untilMs: number): Promise<Timeline> {
  const history = await system.temporal.workflow.getHandle(connectionWorkflowId(accountId, 'production')).fetchHistory();
  return timelineOf(history.events ?? [], originMs, untilMs);
}

/** Epoch ms of a protobuf timestamp (seconds may be a Long). */
function epochMs(time: HistoryEvent['eventTime']): number {
  const seconds = time?.seconds;
  return Number(typeof seconds === 'number' ? seconds : (seconds?.toString() ?? 0)) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
}

function durationMs(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  const seconds = duration?.seconds;
  return Number(typeof seconds === 'number' ? seconds : (seconds?.toString() ?? 0)) * 1000 + Math.floor((duration?.nanos ?? 0) / 1e6);
}

/** A field of the first JSON payload (an activity's first argument, or its result), or null. */
function payloadField<T extends 'string' | 'number'>(payloads: temporal.api.common.v1.IPayload[] | null | undefined, field: string, type: T): (T extends 'string' ? string : number) | null {
  const data = payloads?.[0]?.data;
  if (!data) return null;
  try {
    const value = (JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown> | null)?.[field];
    return typeof value === type ? (value as T extends 'string' ? string : number) : null;
  } catch {
    return null;
  }
}

/** The activities scheduled and timers started from `originMs` to `untilMs`, in ms after the origin. */
export function timelineOf(events: HistoryEvent[], originMs: number, untilMs: number): Timeline {
  const activities = new Map<string, ActivitySpan>();
  const timers = new Map<string, TimerSpan>();
  for (const event of events) {
    const at = epochMs(event.eventTime) - originMs;
    const id = String(event.eventId ?? '');
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) activities.set(id, { type: scheduled.activityType?.name ?? '?', object: payloadField(scheduled.input?.payloads, 'object', 'string'), scheduledMs: at, startedMs: null, endedMs: null, fetched: null, apiCalls: null });
    const started = event.activityTaskStartedEventAttributes;
    const startedSpan = started ? activities.get(String(started.scheduledEventId)) : undefined;
    if (startedSpan) startedSpan.startedMs = at;
    const ended = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes ?? event.activityTaskCanceledEventAttributes;
    const endedSpan = ended ? activities.get(String(ended.scheduledEventId)) : undefined;
    if (endedSpan) endedSpan.endedMs = at;
    const result = event.activityTaskCompletedEventAttributes?.result?.payloads;
    if (endedSpan && result) Object.assign(endedSpan, { fetched: payloadField(result, 'fetched', 'number'), apiCalls: payloadField(result, 'apiCalls', 'number') });
    if (event.timerStartedEventAttributes) timers.set(id, { startedMs: at, firedMs: null, timeoutMs: durationMs(event.timerStartedEventAttributes.startToFireTimeout) });
    const fired = event.timerFiredEventAttributes ?? event.timerCanceledEventAttributes;
    const timer = fired ? timers.get(String(fired.startedEventId)) : undefined;
    if (timer) timer.firedMs = at;
  }
  const window = (ms: number) => ms >= 0 && ms <= untilMs - originMs;
  const kept = [...activities.values()].filter((span) => window(span.scheduledMs));
  return { activities: kept, timers: [...timers.values()].filter((span) => window(span.startedMs)), objects: byObject(kept) };
}

function byObject(spans: ActivitySpan[]): Record<string, ObjectActivity> {
  const objects: Record<string, ObjectActivity> = {};
  for (const object of new Set(spans.map((span) => span.object).filter((name): name is string => name !== null))) {
    const own = spans.filter((span) => span.object === object);
    const firstMs = Math.min(...own.map((span) => span.scheduledMs));
    const lastMs = Math.max(...own.map((span) => span.endedMs ?? span.scheduledMs));
    const ran = own.flatMap((span) => (span.startedMs !== null && span.endedMs !== null ? [[span.startedMs, span.endedMs] as const] : []));
    const firstStartedMs = ran.length ? Math.min(...ran.map(([from]) => from)) : null;
    const runningMs = unionMs(ran);
    objects[object] = { activities: own.length, firstMs, lastMs, firstStartedMs, runningMs, betweenMs: lastMs - firstMs - runningMs };
  }
  return objects;
}

/** Total length of a set of intervals, overlaps counted once. */
export function unionMs(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of sorted) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}
