import type jsforce from 'jsforce';

// What the org tells about itself and its users, for the Tasks we log: its default time zone and
// the users by email. Both are cached per connection for a while (an org's time zone and its
// users' emails rarely change), so a batch of Tasks costs no extra calls most of the time.

const CACHE_MS = 60 * 60 * 1000;

/** SOQL string literal: backslash and quote escaped. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

interface Cached<T> {
  value: T;
  until: number;
}

const timeZones = new Map<string, Cached<string>>();
const usersByEmail = new Map<string, Map<string, Cached<string | null>>>();

/** The org's default time zone (Organization.TimeZoneSidKey, e.g. "America/Los_Angeles"). */
export async function orgTimeZone(conn: jsforce.Connection, cacheKey: string, countCall: () => void): Promise<string> {
  const cached = timeZones.get(cacheKey);
  if (cached && cached.until > Date.now()) return cached.value;
  countCall();
  const result = await conn.query<{ TimeZoneSidKey: string }>('SELECT TimeZoneSidKey FROM Organization');
  const zone = result.records[0]?.TimeZoneSidKey;
  if (!zone) throw new Error('Salesforce answered no Organization row with a TimeZoneSidKey');
  timeZones.set(cacheKey, { value: zone, until: Date.now() + CACHE_MS });
  return zone;
}

/**
 * Active users by (lower-cased) email: their Id, or null when the org has none with that email.
 * Several users with one email: the one created first (lowest Id) wins, deterministically.
 */
export async function userIdsByEmail(conn: jsforce.Connection, cacheKey: string, emails: string[], countCall: () => void): Promise<Map<string, string | null>> {
  const cache = usersByEmail.get(cacheKey) ?? new Map<string, Cached<string | null>>();
  usersByEmail.set(cacheKey, cache);
  const now = Date.now();
  const wanted = [...new Set(emails.map((email) => email.toLowerCase()))];
  const missing = wanted.filter((email) => !((cache.get(email)?.until ?? 0) > now));
  // 100 emails per query keeps the SOQL well under Salesforce's 100,000-character limit.
  for (let i = 0; i < missing.length; i += 100) {
    const chunk = missing.slice(i, i + 100);
    countCall();
    const soql = `SELECT Id, Email FROM User WHERE IsActive = true AND Email IN (${chunk.map(soqlString).join(', ')}) ORDER BY Id`;
    const result = await conn.query<{ Id: string; Email: string | null }>(soql);
    for (const email of chunk) cache.set(email, { value: null, until: now + CACHE_MS });
    for (const user of [...result.records].reverse()) {
      if (user.Email) cache.set(user.Email.toLowerCase(), { value: user.Id, until: now + CACHE_MS });
    }
  }
  return new Map(wanted.map((email) => [email, cache.get(email)?.value ?? null]));
}

/** Tasks this integration's user created since `since`, with their Description (which carries our reference). */
export async function tasksCreatedSince(
  conn: jsforce.Connection,
  createdById: string,
  since: Date,
  countCall: () => void,
): Promise<Array<{ Id: string; Description: string | null }>> {
  const stamp = since.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const soql = `SELECT Id, Description FROM Task WHERE CreatedById = ${soqlString(createdById)} AND CreatedDate >= ${stamp} AND TaskSubtype = 'Email'`;
  countCall();
  let page = await conn.query<{ Id: string; Description: string | null }>(soql, { autoFetch: false });
  const records = [...page.records];
  while (!page.done && page.nextRecordsUrl) {
    countCall();
    page = await conn.queryMore<{ Id: string; Description: string | null }>(page.nextRecordsUrl);
    records.push(...page.records);
  }
  return records;
}
