import type { Selectable } from 'kysely';
import type { Db } from './connect.js';
import type { SalesforcePendingRevocationsTable } from './schema.js';
import type { Environment } from '../domain/environment.js';

// The one owner of salesforce_pending_revocations: grants let go of by FastFollow that Salesforce has
// not yet confirmed revoked. The refresh token stays encrypted here until the revoke succeeds.

export type RevocationRow = Selectable<SalesforcePendingRevocationsTable>;
export type RevocationReason = RevocationRow['reason'];

/** A grant to revoke: the refresh token as stored on the connection (ciphertext and key version). */
export interface GrantToRevoke {
  accountId: string;
  environment: Environment;
  reason: RevocationReason;
  loginUrl: string;
  refreshToken: { ciphertext: string; keyVersion: number };
}

/** Queues a revocation; call it inside the transaction that erases the token from its connection. */
export async function queueRevocation(db: Db, grant: GrantToRevoke): Promise<string> {
  const row = await db
    .insertInto('salesforce_pending_revocations')
    .values({
      account_id: grant.accountId,
      environment: grant.environment,
      reason: grant.reason,
      login_url: grant.loginUrl,
      refresh_token_ciphertext: grant.refreshToken.ciphertext,
      refresh_token_key_version: grant.refreshToken.keyVersion,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findRevocation(db: Db, id: string): Promise<RevocationRow | undefined> {
  return db.selectFrom('salesforce_pending_revocations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A failed attempt: counted, with a reason that carries no secret (an OAuth error code or "network"). */
export async function recordRevocationFailure(db: Db, id: string, reason: string): Promise<void> {
  await db
    .updateTable('salesforce_pending_revocations')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: reason }))
    .where('id', '=', id)
    .where('done_at', 'is', null)
    .execute();
}

/** Salesforce revoked the grant (or said it was already invalid): erase the token for good. */
export async function markRevocationDone(db: Db, id: string, outcome: 'revoked' | 'already_invalid'): Promise<void> {
  await db
    .updateTable('salesforce_pending_revocations')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      outcome,
      refresh_token_ciphertext: null,
      refresh_token_key_version: null,
      done_at: new Date(),
    }))
    .where('id', '=', id)
    .where('done_at', 'is', null)
    .execute();
}

/** The newest revocation queued for `reasons` at or after `since` (e.g. the one a disconnect queued). */
export async function latestRevocation(
  db: Db,
  accountId: string,
  environment: Environment,
  since: Date,
  reasons: RevocationReason[],
): Promise<RevocationRow | undefined> {
  return db
    .selectFrom('salesforce_pending_revocations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('environment', '=', environment)
    .where('created_at', '>=', since)
    .where('reason', 'in', reasons)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Revocations not yet done, oldest first (the sweep that makes sure each has a workflow). */
export async function openRevocationIds(db: Db, limit = 100): Promise<string[]> {
  const rows = await db
    .selectFrom('salesforce_pending_revocations')
    .select('id')
    .where('done_at', 'is', null)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** Revocations still holding a refresh token: what a master-key rotation must re-encrypt too. */
export async function listRevocationSecrets(db: Db): Promise<Array<Pick<RevocationRow, 'id' | 'account_id'> & { ciphertext: string; keyVersion: number }>> {
  const rows = await db
    .selectFrom('salesforce_pending_revocations')
    .select(['id', 'account_id', 'refresh_token_ciphertext', 'refresh_token_key_version'])
    .where('done_at', 'is', null)
    .where('refresh_token_ciphertext', 'is not', null)
    .execute();
  return rows.flatMap((row) =>
    row.refresh_token_ciphertext && row.refresh_token_key_version !== null
      ? [{ id: row.id, account_id: row.account_id, ciphertext: row.refresh_token_ciphertext, keyVersion: row.refresh_token_key_version }]
      : [],
  );
}

/** Swaps a revocation's token for its re-encryption, unless it was revoked or re-encrypted meanwhile. */
export async function replaceRevocationSecret(db: Db, id: string, previousKeyVersion: number, secret: { ciphertext: string; keyVersion: number }): Promise<boolean> {
  const result = await db
    .updateTable('salesforce_pending_revocations')
    .set({ refresh_token_ciphertext: secret.ciphertext, refresh_token_key_version: secret.keyVersion })
    .where('id', '=', id)
    .where('done_at', 'is', null)
    .where('refresh_token_key_version', '=', previousKeyVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
