// OAuth grants and the tokens issued under them. A grant is one user's approval of one connected
// app; its refresh token (rotated or not) and every access token issued from it die with it.
import { randomBytes } from 'node:crypto';

export type TokenState = 'active' | 'expired' | 'revoked' | 'rotated';

export interface AuthorizationRequest {
  id: string;
  host: 'production' | 'sandbox';
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | undefined;
  userId?: string;
  orgId?: string;
  createdAt: number;
}

export interface AuthorizationCode {
  code: string;
  host: 'production' | 'sandbox';
  clientId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | undefined;
  orgId: string;
  userId: string;
  issuedAt: number;
  used: boolean;
}

export interface Grant {
  id: string;
  clientId: string;
  orgId: string;
  userId: string;
  scopes: string[];
  host: 'production' | 'sandbox';
  revoked: boolean;
  /** The refresh token currently valid for this grant (rotation replaces it). */
  refreshToken: string | undefined;
}

export interface RefreshToken {
  token: string;
  grantId: string;
  issuedAt: number;
  rotatedAt?: number;
  /** Set while a refresh with this token is being processed (concurrent use fails). */
  inFlight: boolean;
}

export interface AccessToken {
  token: string;
  grantId: string;
  orgId: string;
  userId: string;
  clientId: string;
  issuedAt: number;
  revoked: boolean;
}

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

export class TokenStore {
  readonly authRequests = new Map<string, AuthorizationRequest>();
  readonly codes = new Map<string, AuthorizationCode>();
  readonly grants = new Map<string, Grant>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly accessTokens = new Map<string, AccessToken>();

  clear(): void {
    this.authRequests.clear();
    this.codes.clear();
    this.grants.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
  }

  newAuthRequest(fields: Omit<AuthorizationRequest, 'id'>): AuthorizationRequest {
    const req = { ...fields, id: random(18) };
    this.authRequests.set(req.id, req);
    return req;
  }

  newCode(fields: Omit<AuthorizationCode, 'code' | 'used'>): AuthorizationCode {
    // Real codes look like "aPrx…==": opaque and URL-hostile, which is why clients must decode them.
    const code = { ...fields, code: `aPrx${random(48)}==`, used: false };
    this.codes.set(code.code, code);
    return code;
  }

  newGrant(fields: Omit<Grant, 'id' | 'revoked' | 'refreshToken'>): Grant {
    const grant = { ...fields, id: random(12), revoked: false, refreshToken: undefined };
    this.grants.set(grant.id, grant);
    return grant;
  }

  issueRefreshToken(grant: Grant, now: number): RefreshToken {
    const previous = grant.refreshToken ? this.refreshTokens.get(grant.refreshToken) : undefined;
    if (previous) previous.rotatedAt = now;
    const rt = { token: `5Aep861${random(60)}`, grantId: grant.id, issuedAt: now, inFlight: false };
    this.refreshTokens.set(rt.token, rt);
    grant.refreshToken = rt.token;
    return rt;
  }

  issueAccessToken(grant: Grant, now: number): AccessToken {
    // Salesforce access tokens start with the 15-character org id and "!".
    const at = {
      token: `${grant.orgId.slice(0, 15)}!AQ${random(75)}`,
      grantId: grant.id,
      orgId: grant.orgId,
      userId: grant.userId,
      clientId: grant.clientId,
      issuedAt: now,
      revoked: false,
    };
    this.accessTokens.set(at.token, at);
    return at;
  }

  revokeGrant(grant: Grant): void {
    grant.revoked = true;
  }

  /** Revokes every grant matching the filter; returns how many were live. */
  revokeWhere(match: (g: Grant) => boolean): number {
    let n = 0;
    for (const g of this.grants.values()) {
      if (!g.revoked && match(g)) {
        g.revoked = true;
        n++;
      }
    }
    return n;
  }

  accessTokenState(at: AccessToken, now: number, sessionTimeoutMs: number): TokenState {
    const grant = this.grants.get(at.grantId);
    if (at.revoked || !grant || grant.revoked) return 'revoked';
    if (now - at.issuedAt >= sessionTimeoutMs) return 'expired';
    return 'active';
  }

  /** The grant a refresh token belongs to (rotated-out and revoked ones included). */
  grantOf(refreshToken: string): Grant | undefined {
    const rt = this.refreshTokens.get(refreshToken);
    return rt ? this.grants.get(rt.grantId) : undefined;
  }

  refreshTokenState(rt: RefreshToken): TokenState {
    const grant = this.grants.get(rt.grantId);
    if (!grant || grant.revoked) return 'revoked';
    if (grant.refreshToken !== rt.token) return 'rotated';
    return 'active';
  }
}
