// Several Salesforce contacts may share one email; FastFollow keeps one contact per
// (account, lower(email)). The rule (deterministic, never silent):
//
//   The contact with the earliest Salesforce Id keeps the email. Ids are compared on their
//   15-character case-sensitive prefix (the 18-character form only adds a checksum), ordinally
//   ('0'-'9' < 'A'-'Z' < 'a'-'z', as Salesforce allocates them), which orders records by creation.
//   Every other contact with that email is stored with email = null and a DUPLICATE_EMAIL issue
//   naming the winner.
//
// Why the Id and not SystemModstamp/LastModifiedDate: an Id never changes, so the winner is the same
// on every sync, in every batch order, and in initial and incremental sync alike. A "latest edit
// wins" rule would move the email (and whatever FastFollow hangs off it) back and forth between
// contacts each time either one is edited.
import type { SyncIssue } from './issues.js';

export interface EmailCandidate {
  salesforce_contact_id: string;
  email: string | null;
  /** Carried through untouched; deliberately not part of the rule (see above). */
  lastModified?: string;
}

/** The case-sensitive 15-character Id that identifies a record (18-character Ids add a checksum). */
export function salesforceIdKey(id: string): string {
  return id.slice(0, 15);
}

/** Negative when `a` was created before `b`, 0 when they are the same record. */
export function compareSalesforceIds(a: string, b: string): number {
  const ka = salesforceIdKey(a);
  const kb = salesforceIdKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function emailKey(email: string | null): string | null {
  const key = email?.trim().toLowerCase() ?? '';
  return key === '' ? null : key;
}

function duplicateIssue(loserId: string, winnerId: string): SyncIssue {
  return {
    code: 'DUPLICATE_EMAIL',
    field: 'Email',
    message: `Another contact (${winnerId}, created earlier) has the same email; this contact is stored without an email.`,
    salesforceId: loserId,
  };
}

/**
 * Applies the rule within one batch. Returns the rows in input order, losers with `email: null`,
 * and one DUPLICATE_EMAIL issue per loser (sorted by Id). The same record appearing twice is not a
 * duplicate of itself. The result does not depend on the input order.
 */
export function resolveDuplicateEmails<T extends EmailCandidate>(rows: readonly T[]): { rows: T[]; issues: SyncIssue[] } {
  const winners = new Map<string, string>(); // email key → winning contact id
  for (const row of rows) {
    const key = emailKey(row.email);
    if (key === null) continue;
    const current = winners.get(key);
    if (current === undefined || compareSalesforceIds(row.salesforce_contact_id, current) < 0) {
      winners.set(key, row.salesforce_contact_id);
    }
  }

  const issues: SyncIssue[] = [];
  const resolved = rows.map((row) => {
    const key = emailKey(row.email);
    const winner = key === null ? undefined : winners.get(key);
    if (winner === undefined || compareSalesforceIds(row.salesforce_contact_id, winner) === 0) return row;
    issues.push(duplicateIssue(row.salesforce_contact_id, winner));
    return { ...row, email: null };
  });
  issues.sort((a, b) => compareSalesforceIds(a.salesforceId, b.salesforceId));
  return { rows: resolved, issues };
}

/** Who gets an email when a contact arrives and the database already has a contact with it. */
export type EmailDecision =
  /** Nobody holds the email: the incoming contact takes it. */
  | { outcome: 'claim' }
  /** The holder is the incoming contact itself: an ordinary update. */
  | { outcome: 'same' }
  /** Held by a FastFollow-only contact (no Salesforce Id): same person, link that row to the incoming contact. */
  | { outcome: 'adopt' }
  /** The incoming contact is older: it takes the email; the holder `demote` must be stored without it (first, in the same transaction). */
  | { outcome: 'take'; demote: string; issue: SyncIssue }
  /** The holder is older: the incoming contact is stored with email = null. */
  | { outcome: 'yield'; issue: SyncIssue };

/**
 * The same rule, incrementally: `holder` is the contact currently holding the incoming contact's
 * email in the database (undefined when none). Run `resolveDuplicateEmails` on the batch first, then
 * this for each batch winner.
 */
export function decideEmailOwner(
  incoming: { salesforce_contact_id: string },
  holder: { salesforce_contact_id: string | null } | undefined,
): EmailDecision {
  if (holder === undefined) return { outcome: 'claim' };
  if (holder.salesforce_contact_id === null) return { outcome: 'adopt' };
  const order = compareSalesforceIds(incoming.salesforce_contact_id, holder.salesforce_contact_id);
  if (order === 0) return { outcome: 'same' };
  if (order < 0) {
    return {
      outcome: 'take',
      demote: holder.salesforce_contact_id,
      issue: duplicateIssue(holder.salesforce_contact_id, incoming.salesforce_contact_id),
    };
  }
  return { outcome: 'yield', issue: duplicateIssue(incoming.salesforce_contact_id, holder.salesforce_contact_id) };
}
