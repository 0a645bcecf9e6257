import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.js';
import { findCurrentAccessToken, type ConnectionRow } from '../db/connections.js';
import { endRefusedGrant, releaseRefreshLease, storeRefreshedTokens, takeRefreshLease, type LeaseAttempt, type RefreshedTokens } from '../db/token-refresh.js';
import type { TokenVault } from '../platform/token-vault.js';
import { useSalesforceHttpTimeout } from './http-timeout.js';
import { oauthClient, requestTokenRefresh, type SalesforceAppConfig } from './oauth.js';

export interface AccessGrant {
  accessToken: string;
  instanceUrl: string;
  /** The token generation this access token belongs to (see salesforce_connections.token_generation). */
  generation: number;
}

export const INVALID_GRANT_REASON = 'Access revoked in Salesforce (invalid_grant)';
export const REFRESH_TOKEN_LOST_REASON = 'Refresh token lost: a token refresh was interrupted after Salesforce may have rotated the token (invalid_grant)';

/** Why a connection can no longer be used: an admin-side revocation, or a rotated refresh token lost in a crash. */
export type RevocationCode = 'INVALID_GRANT' | 'REFRESH_TOKEN_LOST';

/** The connection is no longer usable: revoked in Salesforce, its refresh token lost, or disconnected. Carries no secret. */
export class ConnectionRevokedError extends Error {
  override name = 'ConnectionRevokedError';
  constructor(
    readonly connectionId: string,
    readonly reason: string,
    readonly code: RevocationCode = reason === REFRESH_TOKEN_LOST_REASON ? 'REFRESH_TOKEN_LOST' : 'INVALID_GRANT',
  ) {
    super(`Salesforce connection ${connectionId} is no longer authorised: ${reason}`);
  }
}

/**
 * Salesforce refused a refresh for a reason other than a dead grant: the Connected App's credentials
 * (`invalid_client`), the app's access policy (`unauthorized_client`), an inactive user or org… The
 * grant may work again once someone fixes it, so the connection is kept. Carries the OAuth error
 * code, never a token.
 */
export class TokenRefreshRefusedError extends Error {
  override name = 'TokenRefreshRefusedError';
  /** The OAuth error in our code style: invalid_client → INVALID_CLIENT. */
  readonly errorCode: string;
  constructor(readonly connectionId: string, readonly oauthError: string, description: string) {
    super(`Salesforce refused to refresh the session of connection ${connectionId}: ${oauthError}${description ? ` (${description})` : ''}`);
    this.errorCode = oauthError.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  }
}

/** How long the waiters poll a lease held by another process. */
const LEASE_POLL_MS = 100;
/** Storing a refresh's answer is retried while the process lives, backing off up to this. */
const STORE_RETRY_MAX_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Hands out access tokens and refreshes them single-flight per connection across all processes:
 * in-process callers share one promise; across processes a lease on the connection row (taken and
 * stored in short transactions, never held over the HTTP call) lets one refresh while the others
 * wait for its answer. The answer is stored the moment it arrives, retried while the process lives.
 */
export class TokenManager {
  private readonly cache = new Map<string, AccessGrant>();
  private readonly inflight = new Map<string, Promise<AccessGrant>>();
  private readonly leaseMs: number;
  /** Token endpoint calls made by this process (observability and tests). */
  refreshCount = 0;

  constructor(
    private readonly db: Db,
    private readonly vault: TokenVault,
    private readonly app: SalesforceAppConfig,
  ) {
    useSalesforceHttpTimeout(app.SALESFORCE_HTTP_TIMEOUT);
    // Long enough for the call to time out and its answer to be stored; a dead holder's lease expires.
    this.leaseMs = 2 * app.SALESFORCE_HTTP_TIMEOUT;
  }

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
      return this.remember(connectionId, {
        accessToken: this.vault.decrypt(row.account_id, 'access_token', { ciphertext: row.access_token_ciphertext, keyVersion: row.access_token_key_version }),
        instanceUrl: row.instance_url,
        generation: row.token_generation,
      });
    }
    return this.refresh(connectionId, row.token_generation);
  }

  /** Refreshes unless a token newer than `staleGeneration` already exists. */
  refresh(connectionId: string, staleGeneration: number): Promise<AccessGrant> {
    const running = this.inflight.get(connectionId);
    if (running) return running;
    const work = this.refreshUnderLease(connectionId, staleGeneration).finally(() => this.inflight.delete(connectionId));
    this.inflight.set(connectionId, work);
    return work;
  }

  private async refreshUnderLease(connectionId: string, staleGeneration: number): Promise<AccessGrant> {
    const owner = randomUUID();
    for (;;) {
      const attempt = await takeRefreshLease(this.db, connectionId, { owner, staleGeneration, leaseMs: this.leaseMs });
      if (attempt.kind === 'ended') {
        this.cache.delete(connectionId);
        throw new ConnectionRevokedError(connectionId, attempt.row?.status_reason ?? 'not connected');
      }
      if (attempt.kind === 'fresh') return this.remember(connectionId, this.storedGrant(attempt.row));
      if (attempt.kind === 'busy') {
        await sleep(LEASE_POLL_MS + Math.random() * LEASE_POLL_MS);
        continue;
      }
      const grant = await this.refreshHoldingLease(connectionId, owner, attempt);
      if (grant) return this.remember(connectionId, grant);
      // A reconnect or another refresh replaced the tokens meanwhile: look again.
    }
  }

  /** The token call, made with no lock and no pooled connection held; undefined when superseded. */
  private async refreshHoldingLease(
    connectionId: string,
    owner: string,
    { row, interruptedBefore }: Extract<LeaseAttempt, { kind: 'acquired' }>,
  ): Promise<AccessGrant | undefined> {
    const refreshToken = this.vault.decrypt(row.account_id, 'refresh_token', { ciphertext: row.refresh_token_ciphertext!, keyVersion: row.refresh_token_key_version! });
    this.refreshCount++;
    let answer: Awaited<ReturnType<typeof requestTokenRefresh>>;
    try {
      answer = await requestTokenRefresh(this.app, row.login_url, refreshToken);
    } catch (error) {
      // No answer: whether Salesforce rotated the token is unknown, so the in-flight mark stays.
      await releaseRefreshLease(this.db, connectionId, owner, { outcomeKnown: false }).catch(() => undefined);
      throw error;
    }
    if (answer.refused) return this.refused(connectionId, owner, answer.refused, interruptedBefore);
    const grant = { accessToken: answer.accessToken, instanceUrl: answer.instanceUrl ?? row.instance_url, generation: row.token_generation + 1 };
    const tokens: RefreshedTokens = {
      access: this.vault.encrypt(row.account_id, 'access_token', answer.accessToken),
      ...(answer.refreshToken ? { refresh: this.vault.encrypt(row.account_id, 'refresh_token', answer.refreshToken) } : {}),
      instanceUrl: grant.instanceUrl,
    };
    const outcome = await this.storeWhileAlive(connectionId, { owner, generation: row.token_generation }, tokens);
    if (outcome === 'stored') return grant;
    if (outcome === 'ended') {
      // Disconnected while the call was out: the grant we were just given must not stay live.
      await oauthClient(this.app, row.login_url).revokeToken(answer.refreshToken ?? refreshToken).catch(() => undefined);
      throw new ConnectionRevokedError(connectionId, 'not connected');
    }
    return undefined;
  }

  /** A database hiccup must not lose a rotated refresh token: retry until stored or the process dies. */
  private async storeWhileAlive(connectionId: string, lease: { owner: string; generation: number }, tokens: RefreshedTokens) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await storeRefreshedTokens(this.db, connectionId, lease, tokens);
      } catch {
        await sleep(Math.min(100 * 2 ** attempt, STORE_RETRY_MAX_MS));
      }
    }
  }

  /** Salesforce answered with an OAuth error: nothing was issued. */
  private async refused(connectionId: string, owner: string, refusal: { error: string; description: string }, interruptedBefore: boolean): Promise<never> {
    if (refusal.error === 'invalid_grant') {
      // After an interrupted refresh, the dead token is most likely one Salesforce rotated out while
      // nobody was there to store its successor: ours to own, not the customer's admin.
      const reason = interruptedBefore ? REFRESH_TOKEN_LOST_REASON : INVALID_GRANT_REASON;
      await endRefusedGrant(this.db, connectionId, reason);
      this.cache.delete(connectionId);
      throw new ConnectionRevokedError(connectionId, reason);
    }
    await releaseRefreshLease(this.db, connectionId, owner, { outcomeKnown: true });
    throw new TokenRefreshRefusedError(connectionId, refusal.error, refusal.description);
  }

  private storedGrant(row: ConnectionRow): AccessGrant {
    const accessToken = this.vault.decrypt(row.account_id, 'access_token', { ciphertext: row.access_token_ciphertext!, keyVersion: row.access_token_key_version! });
    return { accessToken, instanceUrl: row.instance_url, generation: row.token_generation };
  }

  private remember(connectionId: string, grant: AccessGrant): AccessGrant {
    this.cache.set(connectionId, grant);
    return grant;
  }
}
