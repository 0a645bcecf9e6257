import type { SyncHealth } from '../../connections/health.js';
import type { ConnectionStatus } from '../../../domain/connection-status.js';
import { CurrentError, Deletes, ObjectProgress, RecordErrors, WriteBack } from './health.js';
import { Quota } from './quota.js';
import { CsrfField, Layout } from './layout.js';
import { actionPath } from './paths.js';

export interface PageMessage {
  kind: 'notice' | 'problem';
  text: string;
}

export interface ConnectionModel {
  status: ConnectionStatus;
  username: string | null;
  health: SyncHealth | null;
  /** What the last action did, or why it was refused (shown once after it). */
  message?: PageMessage;
  workflowUrl?: string;
  csrfToken: string;
}

const COMMANDS = [
  { command: 'pause', label: 'Pause', help: 'stops Salesforce calls after the current page' },
  { command: 'resume', label: 'Resume', help: 'continues a paused sync; re-checks one in the error phase now' },
  { command: 'resync', label: 'Resync', help: 're-reads everything from Salesforce; FastFollow data is kept' },
] as const;

function Actions({ model }: { model: ConnectionModel }) {
  return (
    <section>
      <h2>Actions</h2>
      {COMMANDS.map(({ command, label, help }) => (
        <form class="inline" method="post" action={actionPath(model.status, command)} title={help}>
          <CsrfField token={model.csrfToken} />
          <button type="submit" name="command" value={command}>
            {label}
          </button>{' '}
        </form>
      ))}
    </section>
  );
}

function apiUse(status: ConnectionStatus): string {
  const org = status.apiUsage ? `${status.apiUsage.used.toLocaleString('en-US')} of ${status.apiUsage.max.toLocaleString('en-US')} org calls (checked ${status.apiUsage.checkedAt})` : 'org use not known yet';
  return `${org}; this sync made ${(status.syncApiCalls ?? 0).toLocaleString('en-US')} calls since connecting`;
}

function Summary({ model }: { model: ConnectionModel }) {
  const { status } = model;
  return (
    <dl data-testid="summary">
      <dt>Phase</dt>
      <dd>
        <span class="phase" data-testid="phase">
          {status.phase}
        </span>
        {status.endedReason ? ` (${status.endedReason})` : ''}
      </dd>
      <dt>Org</dt>
      <dd>
        {status.orgId}
        {model.username ? ` as ${model.username}` : ''}
      </dd>
      <dt>Connected</dt>
      <dd>{status.connectedAt}</dd>
      <dt>Last sync</dt>
      <dd data-testid="last-sync">{status.lastSyncAt ?? '—'}</dd>
      <dt>Last check</dt>
      <dd>{status.lastCheckedAt ?? '—'}</dd>
      <dt>API use</dt>
      <dd data-testid="api-use">{apiUse(status)}</dd>
      {status.initialSync && (
        <>
          <dt>Initial read</dt>
          <dd>
            started {status.initialSync.startedAt}, {status.initialSync.completedAt ? `finished ${status.initialSync.completedAt}` : 'running'}; {status.initialSync.records} records,{' '}
            {status.initialSync.apiCalls} calls
          </dd>
        </>
      )}
      {status.revocation && (
        <>
          <dt>Grant revocation</dt>
          <dd>
            {status.revocation.state} after {status.revocation.attempts} attempt(s){status.revocation.lastError ? `; last error ${status.revocation.lastError}` : ''}
          </dd>
        </>
      )}
      {model.workflowUrl && (
        <>
          <dt>Workflow</dt>
          <dd>
            <a href={model.workflowUrl} data-testid="workflow-link" rel="noopener noreferrer" target="_blank">
              Open in the Temporal UI
            </a>
          </dd>
        </>
      )}
    </dl>
  );
}

export function ConnectionPage({ model }: { model: ConnectionModel }) {
  const { status, health } = model;
  return (
    <Layout title={`${status.accountId} (${status.environment})`} csrfToken={model.csrfToken}>
      <h1>
        {status.accountId} <small>{status.environment}</small>
      </h1>
      {model.message && (
        <p class={model.message.kind} role={model.message.kind === 'problem' ? 'alert' : 'status'} data-testid={model.message.kind}>
          {model.message.text}
        </p>
      )}
      <Summary model={model} />
      <Actions model={model} />
      <Quota status={status} csrfToken={model.csrfToken} />
      <section>
        <h2>Current error</h2>
        <CurrentError error={status.error} />
      </section>
      <section>
        <h2>Per-object progress</h2>
        <ObjectProgress status={status} />
      </section>
      {health && (
        <>
          <section>
            <h2>Record errors by code</h2>
            <RecordErrors groups={health.recordErrors} />
          </section>
          <section>
            <h2>Write-back and conflicts</h2>
            <WriteBack writeBack={health.writeBack} />
          </section>
          <section>
            <h2>Deletes</h2>
            <Deletes health={health} />
          </section>
        </>
      )}
    </Layout>
  );
}
