import { describe, expect, it } from 'vitest';
import { parseBenchArgs, parseLatency, REALISTIC_DEFAULTS } from '../../bench/args.js';

describe('benchmark flags: --realistic', () => {
  it('is off by default; on, it brings 150–400 ms per call and Bulk 150 ms per 1,000 rows, at least 3 s a job', () => {
    expect(parseBenchArgs([])).toMatchObject({ realistic: null });
    expect(parseBenchArgs(['--realistic'])).toMatchObject({ realistic: { latencyMs: 150, latencyJitterMs: 250, bulkMsPerThousand: 150, bulkJobMs: 3_000 } });
    expect(REALISTIC_DEFAULTS).toEqual({ latencyMs: 150, latencyJitterMs: 250, bulkMsPerThousand: 150, bulkJobMs: 3_000 });
  });

  it('combines with the org size flags and takes its own values', () => {
    const options = parseBenchArgs(['--realistic', '--size', '1m', '--contacts', '20000', '--latency', '50-100ms', '--bulk-ms-per-thousand', '400', '--bulk-job-ms', '0']);
    expect(options).toMatchObject({ accounts: 100_000, contacts: 20_000, realistic: { latencyMs: 50, latencyJitterMs: 50, bulkMsPerThousand: 400, bulkJobMs: 0 } });
  });

  it('reads a latency range or one fixed duration', () => {
    expect(parseLatency('150-400ms')).toEqual({ latencyMs: 150, latencyJitterMs: 250 });
    expect(parseLatency('150ms-400ms')).toEqual({ latencyMs: 150, latencyJitterMs: 250 });
    expect(parseLatency('0.1-0.3s')).toEqual({ latencyMs: 100, latencyJitterMs: 200 });
    expect(parseLatency('200ms')).toEqual({ latencyMs: 200, latencyJitterMs: 0 });
    for (const bad of ['fast', '400-150ms', '150-', '1-2-3ms', '-5ms']) expect(() => parseLatency(bad)).toThrow(/--latency must be a range such as 150-400ms/);
  });

  it('refuses its settings without --realistic, a bad number, and --connections beside it', () => {
    expect(() => parseBenchArgs(['--latency', '150-400ms'])).toThrow('--latency applies to the realistic mode: add --realistic');
    expect(() => parseBenchArgs(['--bulk-job-ms', '10'])).toThrow('--bulk-job-ms applies to the realistic mode: add --realistic');
    expect(() => parseBenchArgs(['--realistic', '--bulk-ms-per-thousand', 'slow'])).toThrow(/--bulk-ms-per-thousand must be a whole number of milliseconds/);
    expect(() => parseBenchArgs(['--realistic', '--connections', '10'])).toThrow(/leave out --connections/);
  });
});
