// The faults the resilience suite uses: random latency on top of a fixed one, and sessions ended every N calls.
import { describe, expect, it } from 'vitest';
import { Faults } from '../../emulator/faults.js';

describe('fault settings for the resilience suite', () => {
  it('adds a seeded random share of latencyJitterMs to latencyMs, different from call to call', () => {
    const faults = new Faults();
    faults.configure({ latencyMs: 10, latencyJitterMs: 100, seed: 3 });
    const delays = Array.from({ length: 50 }, () => faults.nextLatencyMs());
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...delays)).toBeLessThan(110);
    expect(new Set(delays).size).toBeGreaterThan(10);
    const again = new Faults();
    again.configure({ latencyMs: 10, latencyJitterMs: 100, seed: 3 });
    expect(Array.from({ length: 50 }, () => again.nextLatencyMs())).toEqual(delays);
  });

  it('ends the session on every Nth call only, and never without the setting', () => {
    const faults = new Faults();
    faults.configure({ expireSessionEveryCalls: 3 });
    expect(Array.from({ length: 9 }, () => faults.takeSessionExpiry())).toEqual([false, false, true, false, false, true, false, false, true]);
    faults.configure({});
    expect(Array.from({ length: 5 }, () => faults.takeSessionExpiry())).toEqual([false, false, false, false, false]);
  });
});
