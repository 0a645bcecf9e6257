import { sql } from 'kysely';
import type { TokenVault } from '../platform/token-vault.js';
import type { Db } from './connect.js';
import type { StoredConnectionState } from './schema.js';
import type { Environment } from '../domain/environment.js';
import type { GrantedConnection } from '../api/connections/oauth-flow.js';

/** Stores a fresh grant (connect or reconnect): tokens encrypted with the account's key. */
export async function saveGrant(db: Db, vault: TokenVault, grant: GrantedConnection): Promise<{ id: string; connectedAt: Date }> {
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
  const previous = await findConnection(db, grant.accountId, grant.environment);
  if (previous && previous.org_id !== grant.orgId) {
    // Reconnected to a different org: its cursors mean nothing there; the next cycle re-reads from scratch.
    await db.deleteFrom('salesforce_sync_cursors').where('connection_id', '=', previous.id).execute();
  }
  return db
    .insertInto('salesforce_connections')
    .values({ account_id: grant.accountId, environment: grant.environment, ...values })
    .onConflict((oc) =>
      oc.columns(['account_id', 'environment']).doUpdateSet({ ...values, token_generation: sql`salesforce_connections.token_generation + 1` }),
    )
    .returning(['id', 'connected_at as connectedAt'])
    .executeTakeFirstOrThrow();
}

export async function findConnection(db: Db, accountId: string, environment: Environment) {
  return db
    .selectFrom('salesforce_connections')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('environment', '=', environment)
    .executeTakeFirst();
}

/** Ends a connection and erases its tokens; returns the refresh token first so it can be revoked. */
export async function endConnection(
  db: Db,
  vault: TokenVault,
  connectionId: string,
  status: Exclude<StoredConnectionState, 'active'>,
  reason: string,
): Promise<{ refreshToken: string | null; loginUrl: string } | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('salesforce_connections').selectAll().where('id', '=', connectionId).forUpdate().executeTakeFirst();
    if (!row) return undefined;
    const refreshToken =
      row.refresh_token_ciphertext && row.refresh_token_key_version !== null
        ? vault.decrypt(row.account_id, 'refresh_token', { ciphertext: row.refresh_token_ciphertext, keyVersion: row.refresh_token_key_version })
        : null;
    await trx
      .updateTable('salesforce_connections')
      .set({
        status,
        status_reason: reason,
        refresh_token_ciphertext: null,
        refresh_token_key_version: null,
        access_token_ciphertext: null,
        access_token_key_version: null,
        ended_at: row.ended_at ?? new Date(),
        updated_at: new Date(),
      })
      .where('id', '=', connectionId)
      .execute();
    return { refreshToken, loginUrl: row.login_url };
  });
}
