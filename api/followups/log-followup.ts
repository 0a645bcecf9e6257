import type { Environment } from '../../domain/environment.js';
import { findConnection } from '../../db/connections.js';
import { findContactIdByEmail, findDealId, findFollowup, recordFollowup, type FollowupRow } from '../../db/followups.js';
import type { LifecycleDeps } from '../connections/lifecycle.js';
import { ApiError } from '../errors.js';
import { notifyFollowupPosted } from '../temporal.js';

// Follow-ups logged as Salesforce Tasks: the API stores the follow-up (once per followupId) and tells
// the connection's workflow, whose write lane sends it with others in one sObject Collections call.

export interface PostedFollowup {
  followupId: string;
  accountId: string;
  environment: Environment;
  contactEmail: string;
  dealId?: string | undefined;
  sentAt: string;
  subject: string;
  body?: string | null | undefined;
  senderEmail?: string | undefined;
}

export interface FollowupView {
  followupId: string;
  status: 'pending' | 'logged' | 'failed';
  salesforceTaskId?: string;
  loggedAt?: string;
  error?: { code: string; message: string; fix: string };
}

const REPOST_FIX = 'Post the follow-up again with the same followupId: it is logged once however often it is posted.';

/**
 * Stores the follow-up as pending and notifies the workflow. The same followupId again answers the
 * follow-up as it is (and notifies again if it is still pending): never a second Task.
 */
export async function postFollowup(deps: LifecycleDeps, posted: PostedFollowup): Promise<FollowupView> {
  const { db } = deps;
  const connection = await findConnection(db, posted.accountId, posted.environment);
  if (!connection || connection.status !== 'active') {
    throw new ApiError(
      409,
      'NOT_CONNECTED',
      `Account ${posted.accountId} has no active ${posted.environment} Salesforce connection, so the follow-up cannot be logged; nothing was stored.`,
      'Connect Salesforce for this account and environment, then post the follow-up again.',
    );
  }
  let row = await findFollowup(db, posted.followupId);
  if (!row?.task_status) {
    const dealId = posted.dealId === undefined ? null : await findDealId(db, posted.accountId, connection.id, posted.dealId);
    if (dealId === undefined) {
      throw new ApiError(400, 'VALIDATION_FAILED', `Invalid request body: dealId: no deal ${posted.dealId} in account ${posted.accountId}`, undefined, [
        { path: 'dealId', message: `no deal with this id in account ${posted.accountId} (nor a Salesforce Opportunity mirrored from its ${posted.environment} connection)` },
      ]);
    }
    ({ row } = await recordFollowup(db, {
      id: posted.followupId,
      accountId: posted.accountId,
      environment: posted.environment,
      connectionId: connection.id,
      contactEmail: posted.contactEmail,
      contactId: await findContactIdByEmail(db, posted.accountId, posted.environment, posted.contactEmail),
      dealId,
      sentAt: new Date(posted.sentAt),
      subject: posted.subject,
      body: posted.body ?? null,
      senderEmail: posted.senderEmail ?? null,
    }));
  }
  if (row.account_id !== posted.accountId || row.salesforce_environment !== posted.environment) {
    throw new ApiError(409, 'FOLLOWUP_ID_CONFLICT', `Follow-up ${posted.followupId} already belongs to another account or environment.`, 'Use a followupId that is unique across FastFollow.');
  }
  if (row.task_status === 'pending') await notify(deps, posted);
  return followupView(row);
}

export async function followupStatus(deps: LifecycleDeps, followupId: string): Promise<FollowupView> {
  const row = await findFollowup(deps.db, followupId);
  if (!row?.task_status) throw new ApiError(404, 'FOLLOWUP_NOT_FOUND', `No follow-up ${followupId} was posted for logging.`, 'Post it to POST /api/followups first.');
  return followupView(row);
}

async function notify(deps: LifecycleDeps, posted: PostedFollowup): Promise<void> {
  let outcome: 'notified' | 'not-running';
  try {
    outcome = await notifyFollowupPosted(deps.temporal, posted.accountId, posted.environment, posted.followupId);
  } catch (error) {
    deps.logger.error({ err: { name: (error as Error).name, message: (error as Error).message }, followupId: posted.followupId }, 'could not notify the connection workflow of a follow-up');
    throw new ApiError(503, 'TEMPORARILY_UNAVAILABLE', 'The follow-up is stored but the sync service could not be told about it.', REPOST_FIX);
  }
  if (outcome === 'not-running') {
    throw new ApiError(503, 'TEMPORARILY_UNAVAILABLE', 'The follow-up is stored but the connection’s sync is not running.', REPOST_FIX);
  }
}

function followupView(row: FollowupRow): FollowupView {
  const status = row.task_status ?? 'pending';
  return {
    followupId: row.id,
    status,
    ...(row.salesforce_task_id ? { salesforceTaskId: row.salesforce_task_id } : {}),
    ...(row.logged_at ? { loggedAt: row.logged_at.toISOString() } : {}),
    ...(status === 'failed' && row.task_error_code
      ? { error: { code: row.task_error_code, message: row.task_error_message ?? '', fix: row.task_error_fix ?? '' } }
      : {}),
  };
}
