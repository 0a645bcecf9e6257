// Hand-run speed check (not a test): `npx tsx emulator/speed-check.ts [rows]`.
// Inserts N contacts via generate, then reads them with REST query (batchSize 2000) and Bulk API 2.0,
// printing rows/s so we know benchmarks measure the sync, not the emulator.
import jsforce from 'jsforce';
import { createControlClient, startEmulator } from './index.js';
import { authorizationCode } from './browser-login.js';

const rows = Number(process.argv[2] ?? 100_000);
const emu = await startEmulator({ port: 0, sandboxPort: 0 });
const control = createControlClient(emu.productionUrl);
const org = await control.createOrg({ edition: 'Enterprise', dailyApiLimit: 1_000_000 });
await control.createUser(org.orgId, { username: 'speed@example.com', password: 'pw' });
await control.createConnectedApp({ clientId: 'speed', clientSecret: 's', callbackUrl: 'http://localhost/cb', requirePkce: true, rotateRefreshTokens: true });
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} rows/s`;

let t = performance.now();
await control.generateRecords(org.orgId, 'Account', 2000, 1);
await control.generateRecords(org.orgId, 'Contact', rows, 2);
console.log(`generate ${rows} contacts: ${(performance.now() - t).toFixed(0)} ms (${rate(rows, performance.now() - t)})`);

const oauth2 = new jsforce.OAuth2({ loginUrl: emu.productionUrl, clientId: 'speed', clientSecret: 's', redirectUri: 'http://localhost/cb', useVerifier: true });
const code = await authorizationCode(oauth2.getAuthorizationUrl({}), 'speed@example.com', 'pw');
const conn = new jsforce.Connection({ oauth2, version: '62.0' });
await conn.authorize(code);
const headers = { authorization: `Bearer ${conn.accessToken}`, 'sforce-query-options': 'batchSize=2000' };

async function restRead(soql: string): Promise<number> {
  let url = `${emu.productionUrl}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`;
  let n = 0;
  for (;;) {
    const page = (await (await fetch(url, { headers })).json()) as { records: unknown[]; nextRecordsUrl?: string };
    n += page.records.length;
    if (!page.nextRecordsUrl) return n;
    url = emu.productionUrl + page.nextRecordsUrl;
  }
}

t = performance.now();
let n = await restRead('SELECT Id, FirstName, LastName, Email, Phone, AccountId, Account.Name, SystemModstamp FROM Contact');
console.log(`REST query (batchSize 2000, raw fetch): ${n} rows in ${(performance.now() - t).toFixed(0)} ms (${rate(n, performance.now() - t)})`);

t = performance.now();
n = await restRead('SELECT Id, Email, SystemModstamp FROM Contact WHERE SystemModstamp >= 2000-01-01T00:00:00Z ORDER BY SystemModstamp, Id');
console.log(`REST incremental window (ORDER BY SystemModstamp, Id): ${n} rows in ${(performance.now() - t).toFixed(0)} ms (${rate(n, performance.now() - t)})`);

t = performance.now();
const result = await conn.query('SELECT Id, FirstName, LastName, Email, Phone, AccountId, SystemModstamp FROM Contact').autoFetch(true).maxFetch(rows).execute({ headers: { 'Sforce-Query-Options': 'batchSize=2000' } } as never);
console.log(`REST query via jsforce autoFetch: ${result.records.length} rows in ${(performance.now() - t).toFixed(0)} ms (${rate(result.records.length, performance.now() - t)})`);

t = performance.now();
const job = (await (await fetch(`${emu.productionUrl}/services/data/v62.0/jobs/query`, {
  method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify({ operation: 'query', query: 'SELECT Id, FirstName, LastName, Email, Phone, AccountId, Account.Name, SystemModstamp FROM Contact' }),
})).json()) as { id: string };
await fetch(`${emu.productionUrl}/services/data/v62.0/jobs/query/${job.id}`, { headers });
let locator: string | null = null;
n = 0;
do {
  const res = await fetch(`${emu.productionUrl}/services/data/v62.0/jobs/query/${job.id}/results?maxRecords=50000${locator ? `&locator=${locator}` : ''}`, { headers });
  await res.text();
  n += Number(res.headers.get('sforce-numberofrecords'));
  locator = res.headers.get('sforce-locator');
} while (locator && locator !== 'null');
console.log(`Bulk 2.0 query (raw fetch, maxRecords 50000): ${n} rows in ${(performance.now() - t).toFixed(0)} ms (${rate(n, performance.now() - t)})`);

t = performance.now();
try {
  const records = await (await conn.bulk2.query('SELECT Id, Email FROM Contact', { pollInterval: 50 })).toArray();
  console.log(`Bulk 2.0 query via jsforce bulk2.query: ${records.length} rows in ${(performance.now() - t).toFixed(0)} ms (${rate(records.length, performance.now() - t)})`);
} catch (e) {
  console.log(`Bulk 2.0 query via jsforce bulk2.query failed: ${(e as Error).message}`);
}

console.log('API usage', (await control.usage(org.orgId)).byEndpoint);
await emu.close();
