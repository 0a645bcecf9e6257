import { parseArgs } from 'node:util';
import { parseDuration } from '../domain/duration.js';
import type { RealisticSettings } from './critical-path.js';

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
  /** `--realistic`: latency per API call and Bulk processing time on the bench org; the initial sync alone. */
  realistic: RealisticSettings | null;
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
  realistic: null,
};

/** `--realistic` without further flags: 150–400 ms per call, Bulk 150 ms per 1,000 records and at least 3 s a job. */
export const REALISTIC_DEFAULTS: RealisticSettings = { latencyMs: 150, latencyJitterMs: 250, bulkMsPerThousand: 150, bulkJobMs: 3_000 };

const COUNTS = ['accounts', 'contacts', 'opportunities', 'updates', 'creates', 'deletes', 'connections'] as const;
const DURATIONS = { pollInterval: 'poll-interval', safetyLag: 'safety-lag', lookback: 'lookback', window: 'window' } as const;

export const USAGE = `npm run bench -- [options]
  --accounts N --contacts N --opportunities N   org size for the initial sync (defaults ${DEFAULTS.accounts}, ${DEFAULTS.contacts}, ${DEFAULTS.opportunities})
  --updates N --creates N --deletes N           incremental cycle changes to contacts (defaults ${DEFAULTS.updates}, ${DEFAULTS.creates}, ${DEFAULTS.deletes})
  ${`--size ${Object.keys(SIZES).join('|')}`.padEnd(46)}a named org size: 1m = 100k accounts, 1M contacts, 250k opportunities (initial sync through Bulk)
  --poll-interval D --safety-lag D --lookback D  sync timing (defaults ${DEFAULTS.pollInterval}, ${DEFAULTS.safetyLag}, ${DEFAULTS.lookback})
  --connections N [--window D]                   instead: N small orgs connected to one worker, steady incremental cycles measured over D (default ${DEFAULTS.window});
                                                 CPU ms and API calls per cycle per connection, worker RSS, history events per cycle
  --realistic                                    instead: the initial sync alone against a slow org (what a real org would take), reported
                                                 beside its critical path of Salesforce waits; the other scenarios are local-mode measures
    --latency A-Bms                              each API call waits A to B ms, e.g. 150-400ms (default), or a fixed 200ms (token requests wait nothing)
    --bulk-ms-per-thousand N                     a Bulk job processes N ms per 1,000 records (default ${REALISTIC_DEFAULTS.bulkMsPerThousand})
    --bulk-job-ms N                              …and at least N ms per job (default ${REALISTIC_DEFAULTS.bulkJobMs}; the emulator takes the later of the two)`;

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
      realistic: { type: 'boolean' },
      latency: text,
      'bulk-ms-per-thousand': text,
      'bulk-job-ms': text,
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
  options.realistic = parseRealistic(values);
  if (options.realistic && options.connections > 0) throw new Error('--realistic runs the initial sync alone: leave out --connections');
  if (options.contacts < 1) throw new Error('--contacts must be at least 1');
  if (options.updates + options.deletes > options.contacts) throw new Error('--updates plus --deletes cannot exceed --contacts');
  return options;
}

/** `--latency 150-400ms` → 150 ms plus 0..250 ms jitter; `--latency 200ms` → 200 ms flat. */
export function parseLatency(text: string): Pick<RealisticSettings, 'latencyMs' | 'latencyJitterMs'> {
  const [low, high, extra] = text.split('-');
  const unit = /[a-z]+$/.exec(text)?.[0] ?? '';
  const from = low === undefined ? undefined : parseDuration(/[a-z]$/.test(low) ? low : `${low}${unit}`);
  const to = high === undefined ? from : parseDuration(high);
  if (extra !== undefined || from === undefined || to === undefined || to < from) {
    throw new Error(`--latency must be a range such as 150-400ms or one duration such as 200ms (got ${text})`);
  }
  return { latencyMs: from, latencyJitterMs: to - from };
}

function parseRealistic(values: Record<string, string | boolean | undefined>): RealisticSettings | null {
  const flags = ['latency', 'bulk-ms-per-thousand', 'bulk-job-ms'] as const;
  if (!values.realistic) {
    const given = flags.find((flag) => values[flag] !== undefined);
    if (given) throw new Error(`--${given} applies to the realistic mode: add --realistic`);
    return null;
  }
  const settings = { ...REALISTIC_DEFAULTS };
  if (typeof values.latency === 'string') Object.assign(settings, parseLatency(values.latency));
  for (const [flag, key] of [['bulk-ms-per-thousand', 'bulkMsPerThousand'], ['bulk-job-ms', 'bulkJobMs']] as const) {
    const raw = values[flag];
    if (raw === undefined) continue;
    if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new Error(`--${flag} must be a whole number of milliseconds (got ${String(raw)})`);
    settings[key] = Number(raw);
  }
  return settings;
}
