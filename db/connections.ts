import { sql, type Selectable } from 'kysely';
import type { TokenVault } from '../platform/token-vault.js';
import type { Db } from './connect.js';
import type { SalesforceConnectionsTable, StoredConnectionState } from './schema.js';
import type { Environment } from '../domain/environment.js';
import { deleteCursorsOfConnection } from './cursors.js';
import { queueRevocation, type RevocationReason } from './revocations.js';

// The one owner of salesforce_connections and the tokens stored on it.

export type ConnectionRow = Selectable<SalesforceConnectionsTable>;

/** A fresh grant from Salesforce's OAuth flow: what a connect or reconnect stores. */
export interface GrantedConnection {
  accountId: string;
  environment: Environment;
  orgId: string;
  userId: string;
  username: string | undefined;
  loginUrl: string;
  instanceUrl: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Stores a fresh grant (connect or reconnect): tokens encrypted with the account's key. The grant it
 * replaces is queued for revocation at Salesforce in the same transaction (its id is returned), so no
 * replaced grant stays live unnoticed.
 */
export async function saveGrant(
  db: Db,
  vault: TokenVault,
  grant: GrantedConnection,
): Promise<{ id: string; connectedAt: Date; replacedGrantRevocationId: string | null }> {
  const refresh = vault.encrypt(grant.accountId, 'refresh_token', grant.refreshToken);
  const access = vault.encrypt(grant.accountId, 'access_token', grant.accessToken);
  const values = {
    status: 'active' as const,
    status_reason: null,
    org_id: grant.orgId,
    user_id: grant.userId,
    username: grant.username ?? null,
    login_url: grant.loginUrl,
    instance_url: grant.instanceUrl,
    refresh_token_ciphertext: refresh.ciphertext,
    refresh_token_key_version: refresh.keyVersion,
    access_token_ciphertext: access.ciphertext,
    access_token_key_version: access.keyVersion,
    connected_at: new Date(),
    ended_at: null,
    updated_at: new Date(),
  };
  return db.transaction().execute(async (trx) => {
    const previous = await trx
      .selectFrom('salesforce_connections')
      .selectAll()
      .where('account_id', '=', grant.accountId)
      .where('environment', '=', grant.environment)
      .forUpdate()
      .executeTakeFirst();
    if (previous && previous.org_id !== grant.orgId) {
      // Reconnected to a different org: its cursors mean nothing there; the next cycle re-reads from scratch.
      await deleteCursorsOfConnection(trx, previous.id);
    }
    const replacedGrantRevocationId = previous ? await queueRevocationOf(trx, previous, 'reconnect') : null;
    const saved = await trx
      .insertInto('salesforce_connections')
      .values({ account_id: grant.accountId, environment: grant.environment, ...values })
      .onConflict((oc) =>
        oc.columns(['account_id', 'environment']).doUpdateSet({ ...values, token_generation: sql`salesforce_connections.token_generation + 1` }),
      )
      .returning(['id', 'connected_at as connectedAt'])
      .executeTakeFirstOrThrow();
    return { ...saved, replacedGrantRevocationId };
  });
}

/** Moves a connection row's refresh token (still encrypted) into a pending revocation; null when it has none. */
async function queueRevocationOf(db: Db, row: ConnectionRow, reason: RevocationReason): Promise<string | null> {
  if (!row.refresh_token_ciphertext || row.refresh_token_key_version === null) return null;
  return queueRevocation(db, {
    accountId: row.account_id,
    environment: row.environment,
    reason,
    loginUrl: row.login_url,
    refreshToken: { ciphertext: row.refresh_token_ciphertext, keyVersion: row.refresh_token_key_version },
  });
}

export async function findConnection(db: Db, accountId: string, environment: Environment): Promise<ConnectionRow | undefined> {
  return db
    .selectFrom('salesforce_connections')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('environment', '=', environment)
    .executeTakeFirst();
}

/** The FastFollow account a connection syncs into. */
export async function connectionAccountId(db: Db, connectionId: string): Promise<string> {
  const row = await db.selectFrom('salesforce_connections').select(['account_id']).where('id', '=', connectionId).executeTakeFirstOrThrow();
  return row.account_id;
}

/** The Salesforce user the connection acts as (whose Bulk jobs are ours). */
export async function connectionUserId(db: Db, connectionId: string): Promise<string> {
  const row = await db.selectFrom('salesforce_connections').select(['user_id']).where('id', '=', connectionId).executeTakeFirstOrThrow();
  return row.user_id;
}

/** Whose rows a connection's sync writes, and whether they still come from the org it is connected to now. */
export async function connectionScope(db: Db, connectionId: string) {
  return db
    .selectFrom('salesforce_connections')
    .select(['account_id as accountId', 'environment', 'org_id as orgId', 'mirrored_org_id as mirroredOrgId'])
    .where('id', '=', connectionId)
    .executeTakeFirstOrThrow();
}

/** The connection's mirrored rows are now the org `orgId`'s (after the previous org's rows were removed). */
export async function recordMirroredOrg(db: Db, connectionId: string, orgId: string): Promise<void> {
  await db.updateTable('salesforce_connections').set({ mirrored_org_id: orgId }).where('id', '=', connectionId).execute();
}

export async function listConnectionIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('salesforce_connections').select('id').execute();
  return rows.map((row) => row.id);
}

/** What a token read needs: one indexed read per Salesforce call. */
export async function findCurrentAccessToken(db: Db, connectionId: string) {
  return db
    .selectFrom('salesforce_connections')
    .select(['account_id', 'status', 'status_reason', 'instance_url', 'token_generation', 'access_token_ciphertext', 'access_token_key_version'])
    .where('id', '=', connectionId)
    .executeTakeFirst();
}

/** New ciphertexts for a locked row: a refresh (with an optional rotated refresh token) or a re-encryption. */
export interface TokenUpdate {
  access?: { ciphertext: string; keyVersion: number };
  refresh?: { ciphertext: string; keyVersion: number };
  instanceUrl?: string;
  /** Set on a refresh: tells other processes a newer access token exists. */
  generation?: number;
}

/** Writes to a connection row that the caller holds locked (SELECT … FOR UPDATE). */
export interface LockedConnection {
  row: ConnectionRow | undefined;
  storeTokens(update: TokenUpdate): Promise<void>;
  /** Ends the connection and erases every stored token, in the same transaction. */
  endAndEraseTokens(status: Exclude<StoredConnectionState, 'active'>, reason: string): Promise<void>;
}

/**
 * Runs `work` holding the connection row's lock (SELECT … FOR UPDATE) for one transaction: token
 * refreshes and disconnects serialise on it across processes.
 */
export async function withLockedConnection<T>(db: Db, connectionId: string, work: (locked: LockedConnection) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('salesforce_connections').selectAll().where('id', '=', connectionId).forUpdate().executeTakeFirst();
    return work({
      row,
      async storeTokens(update) {
        await trx
          .updateTable('salesforce_connections')
          .set({
            ...(update.access ? { access_token_ciphertext: update.access.ciphertext, access_token_key_version: update.access.keyVersion } : {}),
            ...(update.refresh ? { refresh_token_ciphertext: update.refresh.ciphertext, refresh_token_key_version: update.refresh.keyVersion } : {}),
            ...(update.instanceUrl !== undefined ? { instance_url: update.instanceUrl } : {}),
            ...(update.generation !== undefined ? { token_generation: update.generation } : {}),
            updated_at: new Date(),
          })
          .where('id', '=', connectionId)
          .execute();
      },
      async endAndEraseTokens(status, reason) {
        await endAndEraseTokens(trx, connectionId, status, reason);
      },
    });
  });
}

/**
 * Ends a connection and erases its tokens. Its refresh token moves (still encrypted) into a pending
 * revocation in the same transaction: the grant is never forgotten before Salesforce revoked it.
 * Returns the revocation's id (null when there was no token left to revoke).
 */
export async function endConnection(
  db: Db,
  connectionId: string,
  status: Exclude<StoredConnectionState, 'active'>,
  reason: string,
  revocationReason: RevocationReason,
): Promise<{ revocationId: string | null } | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('salesforce_connections').selectAll().where('id', '=', connectionId).forUpdate().executeTakeFirst();
    if (!row) return undefined;
    const revocationId = await queueRevocationOf(trx, row, revocationReason);
    await endAndEraseTokens(trx, connectionId, status, reason);
    return { revocationId };
  });
}

/**
 * The one token-erasing update: the connection ends and keeps no token or refresh lease (disconnect,
 * revocation, a refused grant). `onlyIfActive`: leave an already-ended connection as it is.
 */
export async function endAndEraseTokens(
  db: Db,
  connectionId: string,
  status: Exclude<StoredConnectionState, 'active'>,
  reason: string,
  { onlyIfActive = false }: { onlyIfActive?: boolean } = {},
): Promise<void> {
  let update = db
    .updateTable('salesforce_connections')
    .set({
      status,
      status_reason: reason,
      refresh_token_ciphertext: null,
      refresh_token_key_version: null,
      access_token_ciphertext: null,
      access_token_key_version: null,
      refresh_lease_owner: null,
      refresh_lease_until: null,
      refresh_in_flight_since: null,
      // An already-ended connection keeps the moment it ended.
      ended_at: sql`coalesce(ended_at, now())`,
      updated_at: new Date(),
    })
    .where('id', '=', connectionId);
  if (onlyIfActive) update = update.where('status', '=', 'active');
  await update.execute();
}
