import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, connect, createOrgFixture, startWorld, type OrgFixture, type TestWorld } from './helpers.js';

// Bulk API 2.0 query jobs as Salesforce runs them, switched on per org through the control API:
// jobs that end Failed or Aborted, processing time proportional to the records (org clock), results
// deleted after the retention period (404). And response header names cased as Salesforce sends them.

let world: TestWorld;
let fx: OrgFixture;
let token: string;
const CONTACTS = 2_000;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  world = await startWorld();
  // Sessions outlive the clock jumps below (days of org time).
  fx = await createOrgFixture(world, { sessionTimeoutSeconds: 30 * 86_400 });
  await world.control.generateRecords(fx.orgId, 'Contact', CONTACTS, 5);
  token = (await connect(fx)).conn.accessToken!;
});
afterEach(async () => {
  await world.control.updateOrg(fx.orgId, { bulkJobOutcome: 'complete', bulkJobFailAfterPolls: 0, bulkProcessingMsPerThousand: 0, bulkJobRetentionDays: 36_500 });
  await world.control.setClock(0);
});
afterAll(async () => {
  await world.emulator.close();
});

async function createJob(query = 'SELECT Id FROM Contact'): Promise<string> {
  const job = await api(fx, token, '/jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query }) });
  expect(job.status).toBe(200);
  return job.body.id as string;
}

const poll = async (id: string) => api(fx, token, `/jobs/query/${id}`);

describe('Bulk API 2.0 query jobs that do not complete', () => {
  it('bulkJobOutcome failed: InProgress for bulkJobFailAfterPolls polls, then Failed with an errorMessage; no results; deletable', async () => {
    await world.control.updateOrg(fx.orgId, { bulkJobOutcome: 'failed', bulkJobFailAfterPolls: 2 });
    const id = await createJob();
    expect((await poll(id)).body.state).toBe('InProgress');
    expect((await poll(id)).body.state).toBe('InProgress');
    const failed = await poll(id);
    expect(failed.body).toMatchObject({ state: 'Failed', errorMessage: expect.stringMatching(/\S/) });
    expect((await poll(id)).body.state).toBe('Failed');
    const results = await api(fx, token, `/jobs/query/${id}/results`);
    expect(results.status).toBe(400);
    expect(results.body[0].errorCode).toBe('INVALIDJOB');
    expect((await api(fx, token, `/jobs/query/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await poll(id)).status).toBe(404);
  });

  it('bulkJobOutcome aborted: the first poll already says Aborted (bulkJobFailAfterPolls defaults to 0)', async () => {
    await world.control.updateOrg(fx.orgId, { bulkJobOutcome: 'aborted' });
    const id = await createJob();
    expect((await poll(id)).body.state).toBe('Aborted');
  });

  it('the outcome is fixed when a job is created: switching back to complete does not rescue a failing job', async () => {
    await world.control.updateOrg(fx.orgId, { bulkJobOutcome: 'failed', bulkJobFailAfterPolls: 1 });
    const failing = await createJob();
    await world.control.updateOrg(fx.orgId, { bulkJobOutcome: 'complete' });
    const healthy = await createJob();
    expect((await poll(failing)).body.state).toBe('InProgress');
    expect((await poll(failing)).body.state).toBe('Failed');
    expect((await poll(healthy)).body.state).toBe('JobComplete');
  });

  it('the control API refuses an unknown outcome, naming the field', async () => {
    const res = await fetch(`${world.emulator.productionUrl}/__emulator/orgs/${fx.orgId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bulkJobOutcome: 'exploded' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('bulkJobOutcome');
  });
});

describe('Bulk API 2.0 processing time and retention (org clock)', () => {
  it('a job takes bulkProcessingMsPerThousand per 1,000 records of org time: a 3-minute job completes once the clock has moved 3 minutes', async () => {
    // 2,000 records × 90 s per 1,000 = 3 minutes.
    await world.control.updateOrg(fx.orgId, { bulkProcessingMsPerThousand: 90_000 });
    const id = await createJob();
    // While it processes: no figures (Salesforce documents them as the job's records and processing time).
    expect((await poll(id)).body).toMatchObject({ state: 'InProgress', numberRecordsProcessed: 0, totalProcessingTime: 0 });
    await world.control.setClock(179_000);
    expect((await poll(id)).body.state).toBe('InProgress');
    expect((await api(fx, token, `/jobs/query/${id}/results`)).status).toBe(400);
    await world.control.setClock(181_000);
    const done = await poll(id);
    // Done: its records, and the processing time it was made to take.
    expect(done.body).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: CONTACTS, totalProcessingTime: 180_000 });
    const results = await api(fx, token, `/jobs/query/${id}/results`);
    expect(results.text.trim().split('\n')).toHaveLength(CONTACTS + 1);
  });

  it('a job that takes processing time writes its results file meanwhile: an Account renamed afterwards keeps its old name in them, as in Salesforce', async () => {
    const account = await api(fx, token, '/sobjects/Account', { method: 'POST', body: JSON.stringify({ Name: 'Globex' }) });
    const contact = await api(fx, token, '/sobjects/Contact', { method: 'POST', body: JSON.stringify({ LastName: 'Lee', AccountId: account.body.id }) });
    await world.control.updateOrg(fx.orgId, { bulkProcessingMsPerThousand: 90_000 });
    const id = await createJob('SELECT Id, Account.Name FROM Contact');
    await new Promise((resolve) => setTimeout(resolve, 100)); // a few turns: the file is written while the job processes
    expect((await api(fx, token, `/sobjects/Account/${account.body.id}`, { method: 'PATCH', body: JSON.stringify({ Name: 'Globex Renamed' }) })).status).toBe(204);
    await world.control.setClock(181_000);
    expect((await poll(id)).body.state).toBe('JobComplete');
    const results = (await api(fx, token, `/jobs/query/${id}/results`)).text;
    expect(results).toContain(`"${contact.body.id}","Globex"`);
    expect(results).not.toContain('Globex Renamed');
    // A job with no processing time (the emulator's fast default) writes its file on download: the name as it is now.
    await world.control.updateOrg(fx.orgId, { bulkProcessingMsPerThousand: 0 });
    const later = await createJob('SELECT Id, Account.Name FROM Contact');
    await poll(later);
    expect((await api(fx, token, `/jobs/query/${later}/results`)).text).toContain(`"${contact.body.id}","Globex Renamed"`);
  });

  it('results are deleted bulkJobRetentionDays after the job was created: the job answers 404 NOT_FOUND', async () => {
    await world.control.updateOrg(fx.orgId, { bulkJobRetentionDays: 7 });
    const id = await createJob();
    expect((await poll(id)).body.state).toBe('JobComplete');
    const first = await api(fx, token, `/jobs/query/${id}/results?maxRecords=500`);
    expect(first.status).toBe(200);
    await world.control.setClock(6 * DAY_MS);
    expect((await poll(id)).status).toBe(200);
    await world.control.setClock(7 * DAY_MS + 1_000);
    const gone = await api(fx, token, `/jobs/query/${id}/results?maxRecords=500&locator=${first.headers.get('sforce-locator')}`);
    expect(gone.status).toBe(404);
    expect(gone.body[0].errorCode).toBe('NOT_FOUND');
    expect((await poll(id)).status).toBe(404);
  });
});

/** The response's header names exactly as they came over the socket. */
function rawHeaderNames(url: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.rawHeaders.filter((_, i) => i % 2 === 0)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('response header names on the wire', () => {
  it('are cased as Salesforce sends them: Content-Type, Sforce-Locator, Sforce-Limit-Info, Sforce-NumberOfRecords', async () => {
    const id = await createJob();
    await poll(id);
    const names = await rawHeaderNames(`${fx.instanceUrl}/services/data/v62.0/jobs/query/${id}/results?maxRecords=100`);
    expect(names).toEqual(expect.arrayContaining(['Content-Type', 'Sforce-Locator', 'Sforce-Limit-Info', 'Sforce-NumberOfRecords']));
    expect(names.filter((name) => name.startsWith('sforce') || name === 'content-type')).toEqual([]);
    const query = await rawHeaderNames(`${fx.instanceUrl}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Contact LIMIT 1')}`);
    expect(query).toEqual(expect.arrayContaining(['Content-Type', 'Sforce-Limit-Info']));
  });
});
