import type { ConnectionStatus } from '../../../domain/connection-status.js';
import { WEEKDAYS } from '../../../domain/offhours.js';
import { actionPath } from './paths.js';
import { CsrfField } from './layout.js';

// The off-hours window and the API allocation of one connection, with the forms that set them.

let zones: string[] | undefined;
/** Every IANA time zone this runtime knows (the picker's options). */
function timeZones(): string[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
  return zones;
}

function WindowForm({ status, csrfToken }: { status: ConnectionStatus; csrfToken: string }) {
  const current = status.schedule?.window;
  const zone = current?.timezone ?? 'UTC';
  return (
    <form method="post" action={actionPath(status, 'schedule')} data-testid="window-form">
      <CsrfField token={csrfToken} />
      <label>
        From <input type="time" name="start" id="window-start" value={current?.start ?? '01:00'} step="1" required />
      </label>{' '}
      <label>
        to <input type="time" name="end" id="window-end" value={current?.end ?? '05:00'} step="1" required />
      </label>{' '}
      <label>
        time zone{' '}
        <select name="timezone" id="window-timezone">
          {timeZones().map((name) => (
            <option value={name} selected={name === zone}>
              {name}
            </option>
          ))}
        </select>
      </label>{' '}
      <span>
        on{' '}
        {WEEKDAYS.map((day) => (
          <label>
            <input type="checkbox" name="days" value={day} checked={current?.days?.includes(day) ?? false} /> {day}{' '}
          </label>
        ))}
        <small>(none ticked = every day)</small>
      </span>{' '}
      <button type="submit">Set window</button>
    </form>
  );
}

function Schedule({ status, csrfToken }: { status: ConnectionStatus; csrfToken: string }) {
  const schedule = status.schedule;
  const window = schedule?.window;
  return (
    <section data-testid="schedule">
      <h2>Off-hours window</h2>
      <dl>
        <dt>Window</dt>
        <dd data-testid="window">
          {window ? `${window.start}–${window.end} ${window.timezone}${window.days ? ` on ${window.days.join(', ')}` : ', every day'}` : 'none: heavy work runs at any time'}
        </dd>
        <dt>Heavy work now</dt>
        <dd>{schedule ? (schedule.open ? 'allowed' : 'waits for the window') : 'not reported by this worker'}</dd>
        <dt>Next start</dt>
        <dd data-testid="next-start">{schedule?.nextStart ? `${schedule.nextStart.utc} (local ${schedule.nextStart.local})` : '—'}</dd>
        <dt>Waiting for</dt>
        <dd data-testid="waiting">{status.waiting ? `${status.waiting.reason} (until ${status.waiting.until})` : 'nothing'}</dd>
        {status.plan && (
          <>
            <dt>Spread initial sync</dt>
            <dd>
              {status.plan.reason}; about {status.plan.estimatedCalls.toLocaleString('en-US')} calls, done about {status.plan.estimatedCompletionAt}
            </dd>
          </>
        )}
      </dl>
      <WindowForm status={status} csrfToken={csrfToken} />
      {window && (
        <form method="post" action={actionPath(status, 'schedule')}>
          <CsrfField token={csrfToken} />
          <input type="hidden" name="clear" value="1" />
          <button type="submit">Clear window</button>
        </form>
      )}
    </section>
  );
}

function Allocation({ status, csrfToken }: { status: ConnectionStatus; csrfToken: string }) {
  const allocation = status.allocation;
  const setTo = allocation?.dailyCalls != null ? `${allocation.dailyCalls.toLocaleString('en-US')} calls a day` : `${Math.round((allocation?.share ?? 0.5) * 100)}% of the org's daily limit${allocation?.share == null ? ' (default)' : ''}`;
  return (
    <section data-testid="allocation">
      <h2>API allocation</h2>
      <p data-testid="allocation-summary">
        {allocation
          ? `${setTo}: ${allocation.allowedCalls === null ? 'allowance known after the first call' : `${allocation.allowedCalls.toLocaleString('en-US')} calls per 24 h`}; used ${allocation.usedCalls24h.toLocaleString('en-US')} in the last 24 h.`
          : 'Not reported by this worker.'}
      </p>
      <form method="post" action={actionPath(status, 'allocation')} data-testid="allocation-form">
        <CsrfField token={csrfToken} />
        <label>
          Share of the org limit (0–1) <input type="number" name="share" id="allocation-share" min="0.01" max="1" step="0.01" />
        </label>{' '}
        <label>
          or calls a day <input type="number" name="dailyCalls" id="allocation-daily" min="1" step="1" />
        </label>{' '}
        <button type="submit">Set allocation</button>
      </form>
    </section>
  );
}

export function Quota({ status, csrfToken }: { status: ConnectionStatus; csrfToken: string }) {
  return (
    <>
      <Schedule status={status} csrfToken={csrfToken} />
      <Allocation status={status} csrfToken={csrfToken} />
    </>
  );
}
