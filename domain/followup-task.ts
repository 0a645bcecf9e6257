// How a sent follow-up becomes a Salesforce Task: pure rules (no I/O), shared by the activity that
// logs Tasks and by the tests. The contract is described in docs/how-sync-works.md (Follow-ups → Tasks).

/** Salesforce's limit for Task.Description (a long text area). */
export const TASK_DESCRIPTION_LIMIT = 32_000;
/** Salesforce's limit for Task.Subject. */
export const TASK_SUBJECT_LIMIT = 255;
/** sObject Collections take at most this many records per call. */
export const TASKS_PER_COLLECTION_CALL = 200;

export const TRUNCATION_MARKER = '\n[… shortened by FastFollow: the full text is in FastFollow]';

/**
 * The last line of every Task's Description: a reference that is unique per follow-up. It lets a
 * retry recognise a Task Salesforce created even though its answer was lost (see reconcile).
 */
export function followupReference(followupId: string): string {
  return `FastFollow follow-up ${followupId}`;
}

/** Body cut to fit Salesforce's limit (with a marker), then the reference line. */
export function taskDescription(body: string | null, followupId: string): string {
  const reference = `\n\n— ${followupReference(followupId)}`;
  const text = body ?? '';
  const room = TASK_DESCRIPTION_LIMIT - reference.length;
  const kept = text.length <= room ? text : text.slice(0, room - TRUNCATION_MARKER.length) + TRUNCATION_MARKER;
  return `${kept}${reference}`;
}

/** The reference a stored Description carries, if it is one of ours. */
export function referencedFollowupId(description: string | null | undefined): string | undefined {
  const match = /— FastFollow follow-up (\S+)\s*$/.exec(description ?? '');
  return match?.[1];
}

/**
 * The calendar date of `sentAt` in `timeZone` (an IANA name such as Salesforce's TimeZoneSidKey
 * "Asia/Tokyo"), as Salesforce dates are written: YYYY-MM-DD. An unknown zone falls back to UTC.
 */
export function activityDate(sentAt: Date, timeZone: string): string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
  }
  const parts = Object.fromEntries(format.formatToParts(sentAt).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export interface FollowupForTask {
  id: string;
  subject: string;
  body: string | null;
  sentAt: Date;
}

export interface TaskLinks {
  whoId: string;
  whatId: string | null;
  ownerId: string | null;
  timeZone: string;
}

/** The Task's fields exactly as they are sent to Salesforce (sObject Collections record, without attributes). */
export function taskFields(followup: FollowupForTask, links: TaskLinks): Record<string, string> {
  const fields: Record<string, string> = {
    Subject: followup.subject.slice(0, TASK_SUBJECT_LIMIT),
    Description: taskDescription(followup.body, followup.id),
    Status: 'Completed',
    TaskSubtype: 'Email',
    ActivityDate: activityDate(followup.sentAt, links.timeZone),
    WhoId: links.whoId,
  };
  if (links.whatId) fields.WhatId = links.whatId;
  if (links.ownerId) fields.OwnerId = links.ownerId;
  return fields;
}

/**
 * Per-record Salesforce errors that may pass on a later attempt (the record was locked, the org was
 * busy): the follow-up stays pending. Any other per-record error fails the follow-up.
 */
export function isTransientRecordError(code: string): boolean {
  return code === 'UNABLE_TO_LOCK_ROW' || code === 'SERVER_UNAVAILABLE' || code === 'REQUEST_LIMIT_EXCEEDED';
}
