import { sql } from 'kysely';
import type { Db } from './connect.js';
import { endAndEraseTokens, type ConnectionRow } from './connections.js';

// The token refresh lease on salesforce_connections (part of the connections repository, kept in its
// own module): a refresh takes the lease in one short transaction, calls Salesforce holding no lock
// and no pooled connection, then stores the answer in a second short statement if it still owns it.

const LEASE_CLEARED = { refresh_lease_owner: null, refresh_lease_until: null, refresh_in_flight_since: null } as const;

export type LeaseAttempt =
  /** Not connected any more (disconnected, revoked) or no refresh token left. */
  | { kind: 'ended'; row: ConnectionRow | undefined }
  /** A token newer than the caller's stale one is stored: use it. */
  | { kind: 'fresh'; row: ConnectionRow }
  /** Someone else holds a live lease: wait, then look again. */
  | { kind: 'busy'; leaseUntil: Date }
  /**
   * Ours until the lease expires. `interruptedBefore`: an earlier refresh made its call and its
   * outcome was never recorded (the process died, or no answer came): Salesforce may have rotated the
   * refresh token stored here.
   */
  | { kind: 'acquired'; row: ConnectionRow; interruptedBefore: boolean };

export interface LeaseRequest {
  owner: string;
  /** The caller's access token generation: a newer stored one makes the refresh unnecessary. */
  staleGeneration: number;
  leaseMs: number;
}

export async function takeRefreshLease(db: Db, connectionId: string, { owner, staleGeneration, leaseMs }: LeaseRequest): Promise<LeaseAttempt> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('salesforce_connections')
      .selectAll()
      .select(sql<boolean>`refresh_lease_until > now()`.as('lease_live'))
      .where('id', '=', connectionId)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.status !== 'active' || !row.refresh_token_ciphertext || row.refresh_token_key_version === null) return { kind: 'ended', row };
    if (row.token_generation > staleGeneration && row.access_token_ciphertext && row.access_token_key_version !== null) return { kind: 'fresh', row };
    if (row.refresh_lease_owner !== null && row.lease_live && row.refresh_lease_until) return { kind: 'busy', leaseUntil: row.refresh_lease_until };
    await trx
      .updateTable('salesforce_connections')
      .set({
        refresh_lease_owner: owner,
        refresh_lease_until: sql`now() + make_interval(secs => ${leaseMs / 1000}::float8)`,
        // The in-flight mark: cleared only once this refresh's outcome is recorded.
        refresh_in_flight_since: sql`coalesce(refresh_in_flight_since, now())`,
      })
      .where('id', '=', connectionId)
      .execute();
    return { kind: 'acquired', row, interruptedBefore: row.refresh_in_flight_since !== null };
  });
}

export interface RefreshedTokens {
  access: { ciphertext: string; keyVersion: number };
  /** Absent when Salesforce did not rotate the refresh token. */
  refresh?: { ciphertext: string; keyVersion: number };
  instanceUrl: string;
}

/**
 * Stores a refresh's answer (one statement, its own transaction) if the lease is still this owner's
 * and no reconnect replaced the grant meanwhile (`generation` unchanged). 'ended': the connection was
 * ended meanwhile; 'superseded': someone else's tokens are stored now.
 */
export async function storeRefreshedTokens(
  db: Db,
  connectionId: string,
  lease: { owner: string; generation: number },
  tokens: RefreshedTokens,
): Promise<'stored' | 'ended' | 'superseded'> {
  const result = await db
    .updateTable('salesforce_connections')
    .set({
      access_token_ciphertext: tokens.access.ciphertext,
      access_token_key_version: tokens.access.keyVersion,
      ...(tokens.refresh ? { refresh_token_ciphertext: tokens.refresh.ciphertext, refresh_token_key_version: tokens.refresh.keyVersion } : {}),
      instance_url: tokens.instanceUrl,
      token_generation: lease.generation + 1,
      ...LEASE_CLEARED,
      updated_at: new Date(),
    })
    .where('id', '=', connectionId)
    .where('status', '=', 'active')
    .where('refresh_lease_owner', '=', lease.owner)
    .where('token_generation', '=', lease.generation)
    .executeTakeFirst();
  if (result.numUpdatedRows > 0n) return 'stored';
  const row = await db.selectFrom('salesforce_connections').select('status').where('id', '=', connectionId).executeTakeFirst();
  return row?.status === 'active' ? 'superseded' : 'ended';
}

/**
 * Gives the lease back. `outcomeKnown`: Salesforce answered (a refusal: nothing was issued), so the
 * in-flight mark goes too; otherwise (timeout, no answer) it stays for the next refresh to see.
 */
export async function releaseRefreshLease(db: Db, connectionId: string, owner: string, { outcomeKnown }: { outcomeKnown: boolean }): Promise<void> {
  await db
    .updateTable('salesforce_connections')
    .set(outcomeKnown ? LEASE_CLEARED : { refresh_lease_owner: null, refresh_lease_until: null })
    .where('id', '=', connectionId)
    .where('refresh_lease_owner', '=', owner)
    .execute();
}

/** Salesforce refused the grant itself (invalid_grant): end the connection and erase its dead tokens. */
export async function endRefusedGrant(db: Db, connectionId: string, reason: string): Promise<void> {
  await endAndEraseTokens(db, connectionId, 'revoked', reason, { onlyIfActive: true });
}
