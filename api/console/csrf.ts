import type { Context } from 'hono';
import { csrf } from 'hono/csrf';
import { sameSecret, type ConsoleSession } from './session.js';

// Two checks on every console form post: the browser says the form came from this origin (Hono's csrf
// middleware: Sec-Fetch-Site or Origin), and the form carries the session's CSRF token.

export const CSRF_FIELD = '_csrf';
const sameOrigin = csrf();

async function fromThisOrigin(c: Context): Promise<boolean> {
  let passed = false;
  try {
    await sameOrigin(c, async () => {
      passed = true;
    });
  } catch {
    return false;
  }
  return passed;
}

/** Why a form post is refused, or null when it may proceed. */
export async function csrfProblem(c: Context, session: ConsoleSession | null): Promise<string | null> {
  if (!(await fromThisOrigin(c))) return 'The form was not sent from this site (its Origin does not match).';
  if (!session) return null;
  const body = await c.req.parseBody();
  const token = body[CSRF_FIELD];
  if (typeof token !== 'string' || !sameSecret(token, session.csrfToken)) return 'The form lacks this session’s security token; reload the page and try again.';
  return null;
}
