import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseBenchArgs } from '../../bench/args.js';

describe('benchmark flags', () => {
  it('--size 1m sets a million contacts, 100k accounts and 250k opportunities; explicit counts beside it win', () => {
    expect(parseBenchArgs(['--size', '1m'])).toMatchObject({ accounts: 100_000, contacts: 1_000_000, opportunities: 250_000 });
    expect(parseBenchArgs(['--size', '1m', '--contacts', '500000'])).toMatchObject({ accounts: 100_000, contacts: 500_000 });
    expect(() => parseBenchArgs(['--size', '2m'])).toThrow(/--size must be one of default, 1m/);
  });

  it('--connections N with a measuring window; none by default', () => {
    expect(parseBenchArgs([])).toMatchObject({ connections: 0, window: DEFAULTS.window });
    expect(parseBenchArgs(['--connections', '200', '--window', '90s'])).toMatchObject({ connections: 200, window: '90s' });
    expect(() => parseBenchArgs(['--connections', 'many'])).toThrow(/--connections must be a whole number/);
    expect(() => parseBenchArgs(['--window', 'soon'])).toThrow(/--window must be a duration/);
  });
});
