import type { Db } from '../db/connect.js';
import { findRevocation, markRevocationDone, recordRevocationFailure } from '../db/revocations.js';
import type { TokenVault } from '../platform/token-vault.js';
import { revokeRefreshToken, RevokeFailedError } from './oauth.js';

/** How long one revoke request may take before it counts as a failed attempt. */
export const REVOKE_TIMEOUT_MS = 10_000;

export type RevocationAttempt =
  | { state: 'done'; outcome: 'revoked' | 'already_invalid' }
  | { state: 'failed'; reason: string }
  /** No such row (a test database reset, or a row removed by hand): nothing to revoke. */
  | { state: 'missing' };

/**
 * One attempt to revoke a pending grant at the login host it came from. Done (revoked, or Salesforce
 * says the token is no longer valid) erases the stored token; a failure is counted on the row with
 * its reason. Safe to run twice at once: the second revoke finds the token already invalid.
 */
export async function attemptRevocation(
  db: Db,
  vault: TokenVault,
  revocationId: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<RevocationAttempt> {
  const row = await findRevocation(db, revocationId);
  if (!row) return { state: 'missing' };
  if (row.done_at) return { state: 'done', outcome: row.outcome ?? 'revoked' };
  if (!row.refresh_token_ciphertext || row.refresh_token_key_version === null) {
    await markRevocationDone(db, revocationId, 'already_invalid');
    return { state: 'done', outcome: 'already_invalid' };
  }
  const refreshToken = vault.decrypt(row.account_id, 'refresh_token', {
    ciphertext: row.refresh_token_ciphertext,
    keyVersion: row.refresh_token_key_version,
  });
  try {
    const outcome = await revokeRefreshToken(row.login_url, refreshToken, { timeoutMs: options.timeoutMs ?? REVOKE_TIMEOUT_MS, signal: options.signal });
    await markRevocationDone(db, revocationId, outcome);
    return { state: 'done', outcome };
  } catch (error) {
    if (!(error instanceof RevokeFailedError)) throw error;
    await recordRevocationFailure(db, revocationId, error.reason);
    return { state: 'failed', reason: error.reason };
  }
}
