/** @jsxImportSource hono/jsx */
// The two pages a person sees during the web-server flow (login, then consent) and the error page
// Salesforce shows instead of redirecting when the request itself cannot be trusted.
import type { FC, PropsWithChildren } from 'hono/jsx';

const Layout: FC<PropsWithChildren<{ title: string }>> = ({ title, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <title>{title}</title>
      <style>{`body{font-family:system-ui,sans-serif;background:#f3f3f3;margin:0}
main{max-width:380px;margin:60px auto;background:#fff;padding:24px 28px;border-radius:6px;box-shadow:0 1px 3px #0002}
h1{font-size:20px}label{display:block;margin-top:12px;font-size:13px}input{width:100%;padding:8px;box-sizing:border-box}
button{margin-top:18px;padding:8px 16px}.error{color:#c23934;background:#fdecea;padding:8px;border-radius:4px}
.note{color:#666;font-size:12px}`}</style>
    </head>
    <body>
      <main>{children}</main>
    </body>
  </html>
);

export const LoginPage: FC<{ action: string; requestId: string; hostLabel: string; error?: string; username?: string }> = (p) => (
  <Layout title="Login | Salesforce Emulator">
    <h1>Log in to Salesforce ({p.hostLabel})</h1>
    {p.error ? <p class="error" id="error" data-error-code="INVALID_LOGIN">{p.error}</p> : null}
    <form method="post" action={p.action}>
      <input type="hidden" name="request_id" value={p.requestId} />
      <label for="username">Username</label>
      <input id="username" name="username" type="email" value={p.username ?? ''} autocomplete="username" />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" />
      <button type="submit" id="Login" name="Login" value="Log In">Log In</button>
    </form>
    <p class="note">FastFollow Salesforce emulator — no real org is contacted.</p>
  </Layout>
);

const SCOPE_TEXT: Record<string, string> = {
  api: 'Access and manage your data (api)',
  refresh_token: 'Perform requests on your behalf at any time (refresh_token, offline_access)',
  offline_access: 'Perform requests on your behalf at any time (refresh_token, offline_access)',
  id: 'Access your basic information (id, profile, email, address, phone)',
  profile: 'Access your basic information (id, profile, email, address, phone)',
  email: 'Access your basic information (id, profile, email, address, phone)',
  openid: 'Access unique user identifiers (openid)',
  full: 'Full access (full)',
  web: 'Provide access to your data via the Web (web)',
};

export const ConsentPage: FC<{ action: string; requestId: string; clientId: string; username: string; scopes: string[] }> = (p) => {
  const lines = [...new Set(p.scopes.map((s) => SCOPE_TEXT[s] ?? `${s}`))];
  return (
    <Layout title="Allow Access? | Salesforce Emulator">
      <h1>Allow Access?</h1>
      <p>
        The app <strong id="client-id">{p.clientId}</strong> is requesting access for <strong>{p.username}</strong> to:
      </p>
      <ul id="scopes">
        {p.scopes.map((s) => (
          <li data-scope={s}>{SCOPE_TEXT[s] ?? s}</li>
        ))}
      </ul>
      <p class="note">{lines.length} permission(s) requested.</p>
      <form method="post" action={p.action}>
        <input type="hidden" name="request_id" value={p.requestId} />
        <button type="submit" name="decision" value="deny" id="oaapprove-deny">Deny</button>{' '}
        <button type="submit" name="decision" value="allow" id="oaapprove">Allow</button>
      </form>
    </Layout>
  );
};

export const ErrorPage: FC<{ error: string; description: string }> = (p) => (
  <Layout title="Error | Salesforce Emulator">
    <h1>OAuth Error</h1>
    <p class="error">
      We can't authorize you because of an OAuth error. For more information, contact your Salesforce administrator.
    </p>
    <p>
      error=<code id="error-code">{p.error}</code>
    </p>
    <p>
      error_description=<code id="error-description">{p.description}</code>
    </p>
  </Layout>
);
