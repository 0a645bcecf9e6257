import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from '../csrf.js';

// Server-rendered pages: hono/jsx escapes every interpolated value.

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;background:#1b2a41;color:#fff}
header a{color:#fff} header form{margin-left:auto}
main{padding:1rem 1.2rem;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e3e6ea;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f4}
.phase{font-family:monospace;padding:.1rem .35rem;border-radius:3px;background:#e8eef7}
.notice{padding:.5rem .8rem;border-radius:4px;margin:.6rem 0;background:#e7f5ea}
.problem{padding:.5rem .8rem;border-radius:4px;margin:.6rem 0;background:#fdecea}
section{background:#fff;padding:.6rem 1rem;margin:.8rem 0;border:1px solid #e3e6ea;border-radius:4px}
form.inline{display:inline} button{cursor:pointer}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem} dt{font-weight:600}
`;

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

export function Layout({ title, csrfToken, children }: { title: string; csrfToken?: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · FastFollow support`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header>
          <strong>FastFollow ⇄ Salesforce support</strong>
          {csrfToken && <a href="/support/connections">Connections</a>}
          {csrfToken && (
            <form method="post" action="/support/logout">
              <CsrfField token={csrfToken} />
              <button type="submit">Sign out</button>
            </form>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

export function LoginPage({ problem }: { problem?: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      {problem && (
        <p class="problem" role="alert" data-testid="problem">
          {problem}
        </p>
      )}
      <form method="post" action="/support/login">
        <label>
          Support token <input type="password" name="token" id="token" autocomplete="current-password" required />
        </label>{' '}
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

export function ProblemPage({ title, problem, csrfToken }: { title: string; problem: string; csrfToken?: string }) {
  return (
    <Layout title={title} {...(csrfToken ? { csrfToken } : {})}>
      <h1>{title}</h1>
      <p class="problem" role="alert" data-testid="problem">
        {problem}
      </p>
      <p>
        <a href="/support/connections">Back to the connections</a>
      </p>
    </Layout>
  );
}
