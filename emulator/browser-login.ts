// Walks the emulator's OAuth pages the way a browser does (real HTTP, real HTML forms): the login
// form, then the consent form, and returns the redirect's query (code and state, or error).
// One implementation for tests, the benchmark and hand-run scripts.

export interface Form {
  action: string;
  fields: Record<string, string>;
  buttons: { name: string; value: string }[];
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1];
const unescapeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** Reads the first <form> of a page: its action, input values and submit buttons. */
export function parseForm(html: string): Form {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`No form in page: ${html.slice(0, 500)}`);
  const open = /<form\b[^>]*>/i.exec(form[0])![0];
  const fields: Record<string, string> = {};
  for (const m of form[1]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(m[0], 'name');
    if (name) fields[name] = unescapeHtml(attr(m[0], 'value') ?? '');
  }
  const buttons = [...form[1]!.matchAll(/<button\b[^>]*>/gi)].map((m) => ({ name: attr(m[0], 'name') ?? '', value: attr(m[0], 'value') ?? '' }));
  return { action: unescapeHtml(attr(open, 'action') ?? ''), fields, buttons };
}

export async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

/** Walks authorize → login form → consent → redirect and returns the redirect's query. */
export async function browserAuthorize(authorizeUrl: string, username: string, password: string, decision: 'allow' | 'deny' = 'allow'): Promise<URLSearchParams> {
  const loginPage = await fetch(authorizeUrl, { redirect: 'manual' });
  if (loginPage.status !== 200) throw new Error(`authorize answered ${loginPage.status}: ${await loginPage.text()}`);
  const login = parseForm(await loginPage.text());
  const afterLogin = await postForm(new URL(login.action, authorizeUrl).toString(), { ...login.fields, username, password });
  if (afterLogin.status !== 302) throw new Error(`login answered ${afterLogin.status}: ${(await afterLogin.text()).slice(0, 300)}`);
  const consentUrl = new URL(afterLogin.headers.get('location')!, authorizeUrl).toString();
  const consentPage = await fetch(consentUrl, { redirect: 'manual' });
  const consent = parseForm(await consentPage.text());
  const button = consent.buttons.find((b) => b.value === decision)!;
  const afterConsent = await postForm(new URL(consent.action, consentUrl).toString(), { ...consent.fields, [button.name]: button.value });
  if (afterConsent.status !== 302) throw new Error(`consent answered ${afterConsent.status}`);
  return new URL(afterConsent.headers.get('location')!).searchParams;
}

/** The authorization code of an allowed login. */
export async function authorizationCode(authorizeUrl: string, username: string, password: string): Promise<string> {
  const code = (await browserAuthorize(authorizeUrl, username, password)).get('code');
  if (!code) throw new Error('authorization did not return a code');
  return code;
}
