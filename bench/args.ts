import { parseArgs } from 'node:util';
import { parseDuration } from '../domain/duration.js';

export interface BenchOptions {
  accounts: number;
  contacts: number;
  opportunities: number;
  /** Incremental cycle: contacts updated with one shared SystemModstamp, created, deleted. */
  updates: number;
  creates: number;
  deletes: number;
  /** Passed to the worker as SYNC_POLL_INTERVAL, SYNC_SAFETY_LAG and SYNC_LOOKBACK. */
  pollInterval: string;
  safetyLag: string;
  lookback: string;
  /** `--connections N`: run the many-connections scenario (N small orgs on one worker) instead of the others. */
  connections: number;
  /** Window over which the many-connections scenario measures steady incremental cycles. */
  window: string;
}

/** Named org sizes (`--size 1m`); explicit counts given beside it win. */
export const SIZES: Record<string, Pick<BenchOptions, 'accounts' | 'contacts' | 'opportunities'>> = {
  default: { accounts: 10_000, contacts: 100_000, opportunities: 25_000 },
  '1m': { accounts: 100_000, contacts: 1_000_000, opportunities: 250_000 },
};

export const DEFAULTS: BenchOptions = {
  accounts: 10_000,
  contacts: 100_000,
  opportunities: 25_000,
  updates: 3_000,
  creates: 500,
  deletes: 100,
  pollInterval: '1s',
  safetyLag: '500ms',
  // The production default (5m) would make every cycle re-read all the records the bench just generated.
  lookback: '2s',
  connections: 0,
  window: '30s',
};

const COUNTS = ['accounts', 'contacts', 'opportunities', 'updates', 'creates', 'deletes', 'connections'] as const;
const DURATIONS = { pollInterval: 'poll-interval', safetyLag: 'safety-lag', lookback: 'lookback', window: 'window' } as const;

export const USAGE = `npm run bench -- [options]
  --accounts N --contacts N --opportunities N   org size for the initial sync (defaults ${DEFAULTS.accounts}, ${DEFAULTS.contacts}, ${DEFAULTS.opportunities})
  --updates N --creates N --deletes N           incremental cycle changes to contacts (defaults ${DEFAULTS.updates}, ${DEFAULTS.creates}, ${DEFAULTS.deletes})
  ${`--size ${Object.keys(SIZES).join('|')}`.padEnd(46)}a named org size: 1m = 100k accounts, 1M contacts, 250k opportunities (initial sync through Bulk)
  --poll-interval D --safety-lag D --lookback D  sync timing (defaults ${DEFAULTS.pollInterval}, ${DEFAULTS.safetyLag}, ${DEFAULTS.lookback})
  --connections N [--window D]                   instead: N small orgs connected to one worker, steady incremental cycles measured over D (default ${DEFAULTS.window});
                                                 CPU ms and API calls per cycle per connection, worker RSS, history events per cycle`;

/** Reads `--contacts 20000`-style flags; throws a one-line message on a bad value. */
export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      accounts: text,
      contacts: text,
      opportunities: text,
      updates: text,
      creates: text,
      deletes: text,
      'poll-interval': text,
      'safety-lag': text,
      lookback: text,
      size: text,
      connections: text,
      window: text,
    },
  });
  if (values.help) return 'help';
  const options = { ...DEFAULTS };
  if (values.size !== undefined) {
    const size = SIZES[String(values.size)];
    if (!size) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')} (got ${String(values.size)})`);
    Object.assign(options, size);
  }
  for (const name of COUNTS) {
    const raw = values[name];
    if (raw === undefined) continue;
    if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new Error(`--${name} must be a whole number (got ${String(raw)})`);
    options[name] = Number(raw);
  }
  for (const [key, flag] of Object.entries(DURATIONS) as [keyof typeof DURATIONS, (typeof DURATIONS)[keyof typeof DURATIONS]][]) {
    const raw = values[flag];
    if (raw === undefined) continue;
    if (typeof raw !== 'string' || parseDuration(raw) === undefined) throw new Error(`--${flag} must be a duration such as 500ms, 1s or 2m (got ${String(raw)})`);
    options[key] = raw;
  }
  if (options.contacts < 1) throw new Error('--contacts must be at least 1');
  if (options.updates + options.deletes > options.contacts) throw new Error('--updates plus --deletes cannot exceed --contacts');
  return options;
}
