// Drives the emulator's login and consent forms from a script (like a browser would) and returns
// the authorization code. For scripts and hand-run checks; tests have their own helper.
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1] ?? '';

function form(html: string): { action: string; fields: Record<string, string> } {
  const open = /<form\b[^>]*>/i.exec(html)?.[0] ?? '';
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) if (attr(m[0], 'name')) fields[attr(m[0], 'name')] = attr(m[0], 'value');
  return { action: attr(open, 'action'), fields };
}

export async function browserAuthorizeForScripts(authorizeUrl: string, username: string, password: string): Promise<string> {
  const login = form(await (await fetch(authorizeUrl)).text());
  const afterLogin = await fetch(new URL(login.action, authorizeUrl), {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ ...login.fields, username, password }),
  });
  const consentUrl = new URL(afterLogin.headers.get('location') ?? '', authorizeUrl);
  const consent = form(await (await fetch(consentUrl)).text());
  const afterConsent = await fetch(new URL(consent.action, consentUrl), {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ ...consent.fields, decision: 'allow' }),
  });
  const code = new URL(afterConsent.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error('authorization did not return a code');
  return code;
}
