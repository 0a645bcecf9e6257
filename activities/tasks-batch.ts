import { randomUUID } from 'node:crypto';
import { heartbeat } from '@temporalio/activity';
import type jsforce from 'jsforce';
import {
  dueFollowups,
  markCallEnded,
  markFailed,
  markLogged,
  markSending,
  mirroredContactsByEmail,
  mirroredOpportunities,
  requeue,
  taskLoggingScope,
  uncertainFollowups,
  type FailedFollowup,
  type QueuedFollowup,
} from '../db/followup-batches.js';
import type { Db } from '../db/connect.js';
import { explainError } from '../domain/error-explanations.js';
import { isTransientRecordError, referencedFollowupId, taskFields, TASKS_PER_COLLECTION_CALL } from '../domain/followup-task.js';
import { createCollection } from '../salesforce/collections.js';
import { salesforceHttpTimeoutMs } from '../salesforce/http-timeout.js';
import { orgTimeZone, tasksCreatedSince, userIdsByEmail } from '../salesforce/org-directory.js';

// One batch of Task logging for a connection: reconcile any batch whose outcome is unknown, then
// send up to 200 due follow-ups as Tasks in one sObject Collections call.

/** What one batch did (counts only: follow-up contents never enter Temporal history). */
export interface BatchCounts {
  logged: number;
  adopted: number;
  failed: number;
  waitingForContact: number;
  apiCalls: number;
  collectionCalls: number;
}

export interface BatchContext {
  db: Db;
  conn: jsforce.Connection;
  connectionId: string;
  /** How long a follow-up waits for its contact to reach Salesforce (and our mirror) before it fails. */
  contactWaitMs: number;
  stop: AbortSignal;
  counts: BatchCounts;
}

/** A contact not mirrored yet is looked for again this often while it may still arrive. */
const CONTACT_RECHECK_MS = 5_000;
/** Per-record errors that may pass later (a locked row) are retried after this long. */
const TRANSIENT_RETRY_MS = 5_000;
/** Clocks differ: Tasks of an uncertain batch are looked for from this long before it was sent. */
const CLOCK_MARGIN_MS = 5 * 60_000;
/** A batch's call is taken to be over this long after its HTTP timeout. */
const IN_FLIGHT_MARGIN_MS = 5_000;

export async function logOneBatch(ctx: BatchContext): Promise<void> {
  const scope = await taskLoggingScope(ctx.db, ctx.connectionId);
  const cacheKey = `${ctx.connectionId}:${scope.orgId}`;
  await reconcileUncertain(ctx, scope.userId);
  const batch = await dueFollowups(ctx.db, ctx.connectionId, TASKS_PER_COLLECTION_CALL);
  const ready = await withContacts(ctx, batch);
  if (ready.length === 0) return;
  const countCall = callCounter(ctx);
  const opportunities = await mirroredOpportunities(ctx.db, ctx.connectionId, ready.flatMap((f) => (f.dealId ? [f.dealId] : [])));
  const owners = await userIdsByEmail(ctx.conn, cacheKey, ready.flatMap((f) => (f.senderEmail ? [f.senderEmail] : [])), countCall);
  const timeZone = await orgTimeZone(ctx.conn, cacheKey, countCall);

  ctx.stop.throwIfAborted();
  const batchId = randomUUID();
  const marked = new Set(await markSending(ctx.db, batchId, ready.map((f) => f.id), salesforceHttpTimeoutMs() + IN_FLIGHT_MARGIN_MS));
  const sending = ready.filter((f) => marked.has(f.id));
  const records = sending.map((f) =>
    taskFields(f, {
      whoId: f.whoId,
      whatId: (f.dealId && opportunities.get(f.dealId)) ?? null,
      ownerId: (f.senderEmail && owners.get(f.senderEmail.toLowerCase())) || scope.userId,
      timeZone,
    }),
  );
  let results;
  try {
    countCall();
    ctx.counts.collectionCalls++;
    results = await createCollection(ctx.conn, 'Task', records);
  } catch (error) {
    // No usable answer: Salesforce may or may not have created the Tasks. The retry reconciles first.
    await markCallEnded(ctx.db, batchId);
    throw error;
  }
  await storeResults(ctx, sending, results);
}

type ReadyFollowup = QueuedFollowup & { whoId: string; contactId: string };

/** Follow-ups whose contact is mirrored from the connection; the others wait for it, or fail once waited long enough. */
async function withContacts(ctx: BatchContext, batch: QueuedFollowup[]): Promise<ReadyFollowup[]> {
  const contacts = await mirroredContactsByEmail(ctx.db, ctx.connectionId, batch.map((f) => f.contactEmail));
  const ready: ReadyFollowup[] = [];
  const waiting: string[] = [];
  const expired: FailedFollowup[] = [];
  for (const followup of batch) {
    const contact = contacts.get(followup.contactEmail.toLowerCase());
    if (contact) ready.push({ ...followup, whoId: contact.salesforceId, contactId: contact.contactId });
    else if (Date.now() - followup.createdAt.getTime() >= ctx.contactWaitMs) expired.push({ id: followup.id, ...describe('CONTACT_NOT_IN_SALESFORCE') });
    else waiting.push(followup.id);
  }
  await markFailed(ctx.db, expired);
  await requeue(ctx.db, waiting, Math.min(CONTACT_RECHECK_MS, Math.max(ctx.contactWaitMs, 1)));
  ctx.counts.failed += expired.length;
  ctx.counts.waitingForContact += waiting.length;
  return ready;
}

async function storeResults(ctx: BatchContext, sending: ReadyFollowup[], results: Awaited<ReturnType<typeof createCollection>>): Promise<void> {
  const logged: Array<{ id: string; taskId: string; contactId: string }> = [];
  const failed: FailedFollowup[] = [];
  const retry: string[] = [];
  sending.forEach((followup, i) => {
    const result = results[i]!;
    if (result.success) {
      logged.push({ id: followup.id, taskId: result.id, contactId: followup.contactId });
      return;
    }
    const first = result.errors[0] ?? { statusCode: 'UNKNOWN_ERROR', message: '', fields: [] };
    if (isTransientRecordError(first.statusCode)) retry.push(followup.id);
    else failed.push({ id: followup.id, ...describe(first.statusCode, first.message, first.fields) });
  });
  await markLogged(ctx.db, logged);
  await markFailed(ctx.db, failed);
  await requeue(ctx.db, retry, TRANSIENT_RETRY_MS);
  ctx.counts.logged += logged.length;
  ctx.counts.failed += failed.length;
}

/**
 * A batch still marked as sending is one whose answer never arrived (lost response, timeout, a
 * worker that died during the call). Before anything of it is sent again, the Tasks this
 * integration's user created since shortly before it are read back, and those whose Description
 * carries a follow-up's reference are adopted; only the others go back to the queue.
 */
async function reconcileUncertain(ctx: BatchContext, integrationUserId: string): Promise<void> {
  const uncertain = await uncertainFollowups(ctx.db, ctx.connectionId);
  if (uncertain.length === 0) return;
  // A call that may still be in flight in another process (its worker lost touch with Temporal) is waited out.
  const inFlightUntil = Math.max(...uncertain.map((f) => f.sendingUntil.getTime()));
  await waitUntil(inFlightUntil, ctx.stop);
  const since = new Date(Math.min(...uncertain.map((f) => f.sendingSince.getTime())) - CLOCK_MARGIN_MS);
  const tasks = await tasksCreatedSince(ctx.conn, integrationUserId, since, callCounter(ctx));
  const taskByFollowup = new Map(tasks.flatMap((task) => {
    const followupId = referencedFollowupId(task.Description);
    return followupId ? [[followupId, task.Id] as const] : [];
  }));
  const adopted = uncertain.flatMap((f) => {
    const taskId = taskByFollowup.get(f.id);
    return taskId ? [{ id: f.id, taskId }] : [];
  });
  await markLogged(ctx.db, adopted);
  await requeue(ctx.db, uncertain.filter((f) => !taskByFollowup.has(f.id)).map((f) => f.id), 0);
  ctx.counts.adopted += adopted.length;
  ctx.counts.logged += adopted.length;
}

function callCounter(ctx: BatchContext): () => void {
  return () => {
    ctx.stop.throwIfAborted();
    ctx.counts.apiCalls++;
  };
}

function describe(code: string, salesforceMessage?: string, fields: string[] = []): Omit<FailedFollowup, 'id'> {
  const explanation = explainError(code, salesforceMessage);
  const detail = salesforceMessage && explanation.message !== `Salesforce error: ${salesforceMessage}` ? ` Salesforce said: ${salesforceMessage}` : '';
  const where = fields.length > 0 ? ` (field${fields.length > 1 ? 's' : ''} ${fields.join(', ')})` : '';
  return { code: explanation.code, message: `${explanation.message}${detail}${where}`, fix: explanation.fix };
}

/** Sleeps until `until` (epoch ms), heartbeating, unless stopped. */
async function waitUntil(until: number, stop: AbortSignal): Promise<void> {
  while (Date.now() < until) {
    stop.throwIfAborted();
    heartbeat();
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, until - Date.now())));
  }
}
