import type { SyncHealth } from '../../connections/health.js';
import type { ConnectionStatus } from '../../../domain/connection-status.js';

// The health details of one connection, as api/connections/health.ts reports them.

export function CurrentError({ error }: { error: ConnectionStatus['error'] }) {
  if (!error) return <p data-testid="current-error">No current error.</p>;
  return (
    <div class="problem" data-testid="current-error">
      <strong>{error.code}</strong>: {error.message}
      <br />
      <em>Fix:</em> {error.fix} <small>({error.at})</small>
    </div>
  );
}

export function ObjectProgress({ status }: { status: ConnectionStatus }) {
  const objects = Object.entries(status.objects);
  if (objects.length === 0) return <p>Nothing synced yet.</p>;
  return (
    <table data-testid="objects">
      <thead>
        <tr>
          <th>Object</th>
          <th>Records</th>
          <th>Last sync</th>
        </tr>
      </thead>
      <tbody>
        {objects.map(([name, progress]) => (
          <tr>
            <td>{name}</td>
            <td>{progress.records.toLocaleString('en-US')}</td>
            <td>{progress.lastSyncAt ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RecordErrors({ groups }: { groups: SyncHealth['recordErrors'] }) {
  if (groups.length === 0) return <p data-testid="record-errors">No record-level errors.</p>;
  return (
    <table data-testid="record-errors">
      <thead>
        <tr>
          <th>Code</th>
          <th>Records</th>
          <th>Objects</th>
          <th>What it means and the fix</th>
          <th>Example records</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((group) => (
          <tr>
            <td>{group.code}</td>
            <td>{group.records}</td>
            <td>{group.objects.join(', ')}</td>
            <td>
              {group.message}
              <br />
              <em>Fix:</em> {group.fix}
            </td>
            <td>{group.sampleRecordIds.slice(0, 5).join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Conflicts({ conflicts }: { conflicts: SyncHealth['writeBack']['recentConflicts'] }) {
  if (conflicts.length === 0) return <></>;
  return (
    <table>
          <thead>
            <tr>
              <th>Record</th>
              <th>Field</th>
              <th>FastFollow</th>
              <th>Salesforce</th>
              <th>Kept</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {conflicts.map((conflict) => (
              <tr>
                <td>
                  {conflict.object} {conflict.salesforceId}
                </td>
                <td>{conflict.field}</td>
                <td>{conflict.fastfollowValue ?? '—'}</td>
                <td>{conflict.salesforceValue ?? '—'}</td>
                <td>{conflict.winner}</td>
                <td>{conflict.detectedAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
  );
}

export function WriteBack({ writeBack }: { writeBack: SyncHealth['writeBack'] }) {
  return (
    <div data-testid="write-back">
      <p>
        {writeBack.pending} edit(s) waiting to be written to Salesforce; {writeBack.conflicts} conflict(s) resolved.
      </p>
      {writeBack.failed.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Refused with</th>
              <th>Records</th>
              <th>What it means and the fix</th>
              <th>Example records</th>
            </tr>
          </thead>
          <tbody>
            {writeBack.failed.map((failure) => (
              <tr>
                <td>{failure.code}</td>
                <td>{failure.records}</td>
                <td>
                  {failure.message}
                  <br />
                  <em>Fix:</em> {failure.fix}
                </td>
                <td>{failure.sampleRecordIds.slice(0, 5).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Conflicts conflicts={writeBack.recentConflicts} />
    </div>
  );
}

export function Deletes({ health }: { health: SyncHealth }) {
  const { reconciliation, bulkJobsLost } = health;
  return (
    <dl data-testid="deletes">
      <dt>Deletes last checked</dt>
      <dd>{reconciliation.lastCheckedAt ?? '—'}</dd>
      <dt>Last Id reconciliation</dt>
      <dd>
        {reconciliation.lastRunAt ?? 'never'}
        {reconciliation.reason ? ` (${reconciliation.reason})` : ''}
        {reconciliation.inProgress.length > 0 ? `; running for ${reconciliation.inProgress.join(', ')}` : ''}
      </dd>
      <dt>Bulk jobs lost</dt>
      <dd>{bulkJobsLost.length === 0 ? 'none' : bulkJobsLost.map((job) => `${job.object}: ${job.lost} (${job.reason ?? 'no reason given'})`).join('; ')}</dd>
    </dl>
  );
}
