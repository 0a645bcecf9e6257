import { describe, expect, it } from 'vitest';
import { trustedClientAddress } from '../../api/client-address.js';
import { bindingCookieName, bindingCookieOptions, bindingMatches, newBrowserBinding } from '../../api/connections/browser-binding.js';
import { ConfigError, loadConfig } from '../../platform/config.js';

const testConfig = (overrides: Record<string, string> = {}) =>
  loadConfig({
    DATABASE_URL: 'postgres://user:pw@db.internal:5432/fastfollow',
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    API_TOKEN: 'a'.repeat(32),
    SUPPORT_TOKEN: 'b'.repeat(32),
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    SALESFORCE_CLIENT_ID: '3MVG9client',
    SALESFORCE_CLIENT_SECRET: 'super-secret-value',
    SALESFORCE_CALLBACK_URL: 'https://app.fastfollow.ai/api/integrations/salesforce/callback',
    APP_URL: 'https://app.fastfollow.ai/settings/integrations',
    ...overrides,
  });

describe('trusted client address (TRUST_PROXY)', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(trustedClientAddress('192.0.2.1', '203.0.113.7', 0)).toBe('192.0.2.1');
  });

  it('takes the entry the trusted proxies wrote, never one the client sent', () => {
    // One load balancer: it appended the client's address to whatever the client sent.
    expect(trustedClientAddress('10.0.0.2', 'spoofed, 203.0.113.7', 1)).toBe('203.0.113.7');
    // Two hops (CDN → load balancer): the CDN's entry is the client, the balancer's the CDN.
    expect(trustedClientAddress('10.0.0.2', 'spoofed, 203.0.113.7, 198.51.100.20', 2)).toBe('203.0.113.7');
    // Fewer entries than hops: the leftmost was still written by one of ours.
    expect(trustedClientAddress('10.0.0.2', '203.0.113.7', 3)).toBe('203.0.113.7');
    // A trusted proxy with no header at all: the socket peer is all we know.
    expect(trustedClientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
  });

  it('writes IPv4-mapped IPv6 socket addresses as IPv4', () => {
    expect(trustedClientAddress('::ffff:127.0.0.1', undefined, 0)).toBe('127.0.0.1');
    expect(trustedClientAddress(undefined, undefined, 0)).toBe('unknown');
  });

  it('TRUST_PROXY is false (default) or a number of hops; anything else is refused naming it', () => {
    expect(testConfig().TRUST_PROXY).toBe(0);
    expect(testConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(0);
    expect(testConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    for (const value of ['true', 'yes', '-1', '10.0.0.0/8']) {
      expect(() => testConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => testConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be false or the number of proxies/);
    }
  });
});

describe('browser binding', () => {
  it('names the cookie after the state and stores only a hash of its value', () => {
    const { binding, hash } = newBrowserBinding('the-state', 'https://app.fastfollow.ai/api/integrations/salesforce/callback', 600_000);
    expect(binding.cookie).toBe(bindingCookieName('the-state'));
    expect(binding.cookie).not.toBe(bindingCookieName('another-state'));
    expect(binding).toMatchObject({ path: '/api/integrations/salesforce/callback', maxAgeSeconds: 600, secure: true });
    expect(hash).not.toContain(binding.value);
    expect(bindingMatches(binding.value, hash)).toBe(true);
    expect(bindingMatches(`${binding.value}x`, hash)).toBe(false);
    expect(bindingMatches(undefined, hash)).toBe(false);
    expect(bindingMatches(binding.value, null)).toBe(false); // a state made before bindings existed
  });

  it('is Secure for an https callback, not for a plain-HTTP local one', () => {
    expect(bindingCookieOptions('https://app.fastfollow.ai/api/integrations/salesforce/callback')).toEqual({
      path: '/api/integrations/salesforce/callback',
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
    });
    expect(bindingCookieOptions('http://localhost:3000/api/integrations/salesforce/callback').secure).toBe(false);
  });
});
