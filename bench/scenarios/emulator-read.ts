import { initialQuery } from '../../domain/sync/soql.js';
import { jsforceConnection } from '../oauth.js';
import type { ScenarioResult } from '../report.js';
import type { BenchOrg, BenchSystem } from '../system.js';
import { usageDelta } from '../usage.js';

type Page = { records: unknown[]; done: boolean; nextRecordsUrl?: string };

/** Pages through every contact with jsforce query + queryMore, the sync's own SOQL, to show the emulator's ceiling. */
export async function emulatorReadScenario(system: BenchSystem, org: BenchOrg): Promise<ScenarioResult> {
  const conn = await jsforceConnection(system, org);
  const usageBefore = await system.control.usage(org.orgId);
  const started = performance.now();
  let page = (await conn.query(initialQuery('Contact'), { autoFetch: false })) as unknown as Page;
  let rows = page.records.length;
  let pages = 1;
  while (!page.done && page.nextRecordsUrl) {
    page = (await conn.queryMore(page.nextRecordsUrl)) as unknown as Page;
    rows += page.records.length;
    pages++;
  }
  const seconds = (performance.now() - started) / 1000;
  const delta = usageDelta(usageBefore, await system.control.usage(org.orgId));
  return {
    scenario: 'emulator-read',
    metrics: [
      { metric: 'contacts read (jsforce query + queryMore)', value: rows, unit: 'rows' },
      { metric: 'pages', value: pages, unit: 'pages' },
      { metric: 'time', value: seconds, unit: 's' },
      { metric: 'read speed', value: rows / seconds, unit: 'rows/s' },
    ],
    details: { soql: initialQuery('Contact'), emulatorUsageDelta: delta },
  };
}
