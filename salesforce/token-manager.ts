import type { Db } from '../db/connect.js';
import { findCurrentAccessToken, withLockedConnection } from '../db/connections.js';
import type { TokenVault } from '../platform/token-vault.js';
import { oauthClient, oauthErrorCode, type SalesforceAppConfig } from './oauth.js';

export interface AccessGrant {
  accessToken: string;
  instanceUrl: string;
  /** The token generation this access token belongs to (see salesforce_connections.token_generation). */
  generation: number;
}

const INVALID_GRANT_REASON = 'Access revoked in Salesforce (invalid_grant)';

type RefreshOutcome = { revoked: string; grant?: undefined } | { revoked?: undefined; grant: AccessGrant };

/** The connection is no longer usable: revoked in Salesforce or disconnected. Carries no secret. */
export class ConnectionRevokedError extends Error {
  override name = 'ConnectionRevokedError';
  constructor(readonly connectionId: string, readonly reason: string) {
    super(`Salesforce connection ${connectionId} is no longer authorised: ${reason}`);
  }
}

/**
 * Hands out access tokens and refreshes them single-flight per connection across all processes:
 * in-process callers share one promise; across processes the connection row is locked
 * (SELECT … FOR UPDATE) and a caller that finds a newer token generation uses it instead of
 * refreshing again. A rotated refresh token is committed before anyone can use it.
 */
export class TokenManager {
  private readonly cache = new Map<string, AccessGrant>();
  private readonly inflight = new Map<string, Promise<AccessGrant>>();
  /** Token endpoint calls made by this process (observability and tests). */
  refreshCount = 0;

  constructor(
    private readonly db: Db,
    private readonly vault: TokenVault,
    private readonly app: SalesforceAppConfig,
  ) {}

  /**
   * The connection's current access token. Always checks the row (one indexed read): a disconnect,
   * a revocation or a reconnect elsewhere takes effect on this process's very next call.
   */
  async current(connectionId: string): Promise<AccessGrant> {
    const row = await findCurrentAccessToken(this.db, connectionId);
    if (!row || row.status !== 'active') {
      this.cache.delete(connectionId);
      throw new ConnectionRevokedError(connectionId, row?.status_reason ?? 'not connected');
    }
    const cached = this.cache.get(connectionId);
    if (cached && cached.generation === row.token_generation) return cached;
    if (row.access_token_ciphertext && row.access_token_key_version !== null) {
      const grant = {
        accessToken: this.vault.decrypt(row.account_id, 'access_token', { ciphertext: row.access_token_ciphertext, keyVersion: row.access_token_key_version }),
        instanceUrl: row.instance_url,
        generation: row.token_generation,
      };
      this.cache.set(connectionId, grant);
      return grant;
    }
    return this.refresh(connectionId, row.token_generation);
  }

  /** Refreshes unless a token newer than `staleGeneration` already exists. */
  refresh(connectionId: string, staleGeneration: number): Promise<AccessGrant> {
    const running = this.inflight.get(connectionId);
    if (running) return running;
    const work = this.refreshLocked(connectionId, staleGeneration).finally(() => this.inflight.delete(connectionId));
    this.inflight.set(connectionId, work);
    return work;
  }

  private async refreshLocked(connectionId: string, staleGeneration: number): Promise<AccessGrant> {
    const outcome = await withLockedConnection(this.db, connectionId, async ({ row, storeTokens, endAndEraseTokens }): Promise<RefreshOutcome> => {
      if (!row || row.status !== 'active' || !row.refresh_token_ciphertext || row.refresh_token_key_version === null) {
        return { revoked: row?.status_reason ?? 'not connected' };
      }
      if (row.token_generation > staleGeneration && row.access_token_ciphertext && row.access_token_key_version !== null) {
        // Another caller refreshed while we waited for the lock.
        const accessToken = this.vault.decrypt(row.account_id, 'access_token', {
          ciphertext: row.access_token_ciphertext,
          keyVersion: row.access_token_key_version,
        });
        return { grant: { accessToken, instanceUrl: row.instance_url, generation: row.token_generation } };
      }
      const refreshToken = this.vault.decrypt(row.account_id, 'refresh_token', {
        ciphertext: row.refresh_token_ciphertext,
        keyVersion: row.refresh_token_key_version,
      });
      this.refreshCount++;
      let response: { access_token: string; refresh_token?: string; instance_url?: string };
      try {
        response = await oauthClient(this.app, row.login_url).refreshToken(refreshToken);
      } catch (error) {
        if (oauthErrorCode(error) !== 'invalid_grant') throw new Error(`Salesforce token refresh failed: ${oauthErrorCode(error) ?? 'network error'}`);
        // Revoked on the Salesforce side: end the connection now; never try this token again.
        await endAndEraseTokens('revoked', INVALID_GRANT_REASON);
        return { revoked: INVALID_GRANT_REASON };
      }
      const rotatedToken = response.refresh_token;
      const generation = row.token_generation + 1;
      const instanceUrl = response.instance_url ?? row.instance_url;
      await storeTokens({
        access: this.vault.encrypt(row.account_id, 'access_token', response.access_token),
        refresh: rotatedToken ? this.vault.encrypt(row.account_id, 'refresh_token', rotatedToken) : undefined,
        instanceUrl,
        generation,
      });
      return { grant: { accessToken: response.access_token, instanceUrl, generation } };
    });
    if (outcome.revoked !== undefined) {
      this.cache.delete(connectionId);
      throw new ConnectionRevokedError(connectionId, outcome.revoked);
    }
    this.cache.set(connectionId, outcome.grant);
    return outcome.grant;
  }
}
