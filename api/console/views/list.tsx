import { SYNC_PHASES } from '../../../domain/connection-status.js';
import { Layout } from './layout.js';

export interface ListRow {
  accountId: string;
  environment: string;
  orgId: string;
  phase: string;
  lastSyncAt: string | null;
  apiUse: string;
  error: string | null;
}

export interface ListModel {
  rows: ListRow[];
  search: string;
  phase: string;
  page: number;
  more: boolean;
  /** The phase filter matched more running workflows than it reads. */
  phaseCapped: boolean;
  csrfToken: string;
}

function pageLink(model: ListModel, page: number): string {
  const params = new URLSearchParams();
  if (model.search) params.set('q', model.search);
  if (model.phase) params.set('phase', model.phase);
  params.set('page', String(page));
  return `/support/connections?${params.toString()}`;
}

function Filters({ model }: { model: ListModel }) {
  return (
    <form method="get" action="/support/connections">
      <label>
        Account <input type="search" name="q" id="q" value={model.search} placeholder="part of an account id" />
      </label>{' '}
      <label>
        Phase{' '}
        <select name="phase" id="phase">
          <option value="">any</option>
          {SYNC_PHASES.map((phase) => (
            <option value={phase} selected={phase === model.phase}>
              {phase}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit">Filter</button>
    </form>
  );
}

function Row({ row }: { row: ListRow }) {
  const href = `/support/connections/${encodeURIComponent(row.accountId)}/${row.environment}`;
  return (
    <tr data-account={row.accountId} data-environment={row.environment}>
      <td>
        <a href={href}>{row.accountId}</a>
      </td>
      <td>{row.environment}</td>
      <td>{row.orgId}</td>
      <td>
        <span class="phase" data-testid="phase">
          {row.phase}
        </span>
      </td>
      <td>{row.lastSyncAt ?? '—'}</td>
      <td>{row.apiUse}</td>
      <td>{row.error ?? ''}</td>
    </tr>
  );
}

export function ListPage({ model }: { model: ListModel }) {
  return (
    <Layout title="Connections" csrfToken={model.csrfToken}>
      <h1>Connections</h1>
      <Filters model={model} />
      {model.phaseCapped && <p class="problem">Only the first matches of this phase are listed; narrow the search by account.</p>}
      <table data-testid="connections">
        <thead>
          <tr>
            <th>Account</th>
            <th>Environment</th>
            <th>Org</th>
            <th>Phase</th>
            <th>Last sync</th>
            <th>API calls (24 h)</th>
            <th>Current error</th>
          </tr>
        </thead>
        <tbody>
          {model.rows.map((row) => (
            <Row row={row} />
          ))}
        </tbody>
      </table>
      {model.rows.length === 0 && <p data-testid="empty">No connection matches.</p>}
      <p>
        {model.page > 1 && <a href={pageLink(model, model.page - 1)}>← Previous</a>} Page {model.page}{' '}
        {model.more && (
          <a href={pageLink(model, model.page + 1)} rel="next">
            Next →
          </a>
        )}
      </p>
    </Layout>
  );
}
