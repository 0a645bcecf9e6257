import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toActivityFailure } from '../../activities/failures.js';
import { explainError } from '../../domain/error-explanations.js';
import { TokenEndpointUnavailableError } from '../../salesforce/oauth.js';
import { ConnectionRevokedError, INVALID_GRANT_REASON, REFRESH_TOKEN_LOST_REASON, TokenRefreshRefusedError } from '../../salesforce/token-manager.js';

// What the workflow sees for each token refresh outcome: its code, and whether the activity retries.

const failure = (error: unknown) => {
  const result = toActivityFailure(error);
  expect(result).toBeInstanceOf(ApplicationFailure);
  const typed = result as ApplicationFailure;
  return { type: typed.type, nonRetryable: typed.nonRetryable };
};

describe('token refresh failures', () => {
  it('a refused refresh carries its OAuth code, is never retried by the activity, and is explained with a fix', () => {
    for (const [oauthError, code] of [
      ['invalid_client', 'INVALID_CLIENT'],
      ['invalid_client_id', 'INVALID_CLIENT'],
      ['unauthorized_client', 'UNAUTHORIZED_CLIENT'],
      ['inactive_user', 'INACTIVE_USER'],
      ['inactive_org', 'INACTIVE_ORG'],
    ] as const) {
      expect(failure(new TokenRefreshRefusedError('c1', oauthError, 'some description'))).toEqual({ type: code, nonRetryable: true });
      const explained = explainError(code);
      expect(explained.permanent).toBe(true); // re-checked hourly, not at the poll interval
      expect(explained.fix).not.toMatch(/^If this persists/);
    }
    // An OAuth error we have no text for still stops activity retries; the workflow waits a poll interval.
    expect(failure(new TokenRefreshRefusedError('c1', 'rate_limit_exceeded', ''))).toEqual({ type: 'RATE_LIMIT_EXCEEDED', nonRetryable: true });
  });

  it('a lost refresh token and an admin revocation are told apart; both end the connection', () => {
    expect(failure(new ConnectionRevokedError('c1', REFRESH_TOKEN_LOST_REASON))).toEqual({ type: 'REFRESH_TOKEN_LOST', nonRetryable: true });
    expect(failure(new ConnectionRevokedError('c1', INVALID_GRANT_REASON))).toEqual({ type: 'INVALID_GRANT', nonRetryable: true });
    expect(explainError('REFRESH_TOKEN_LOST').fix).toContain('Reconnect');
    expect(explainError('REFRESH_TOKEN_LOST').fix).not.toContain('Setup');
  });

  it('a token endpoint that does not answer is retried like any transient failure', () => {
    expect(failure(new TokenEndpointUnavailableError('timeout'))).toEqual({ type: 'LOGIN_HOST_UNAVAILABLE', nonRetryable: false });
  });
});

describe('REQUEST_LIMIT_EXCEEDED', () => {
  const limitError = (message: string) => Object.assign(new Error(message), { name: 'REQUEST_LIMIT_EXCEEDED', errorCode: 'REQUEST_LIMIT_EXCEEDED' });

  it('the concurrent long-request limit has its own code and explanation, without a word about the daily quota', () => {
    expect(failure(limitError('ConcurrentPerOrgLongTxn Limit exceeded.'))).toEqual({ type: 'CONCURRENT_REQUEST_LIMIT', nonRetryable: true });
    const explained = explainError('CONCURRENT_REQUEST_LIMIT');
    expect(explained.permanent).toBe(false);
    expect(`${explained.message} ${explained.fix}`).not.toMatch(/daily|24-hour|quota|allocation/i);
  });

  it('the daily quota keeps its code', () => {
    expect(failure(limitError('TotalRequests Limit exceeded.'))).toEqual({ type: 'REQUEST_LIMIT_EXCEEDED', nonRetryable: true });
    expect(explainError('REQUEST_LIMIT_EXCEEDED').message).toContain('daily');
  });
});
