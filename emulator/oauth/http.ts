import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';

/** An OAuth error answer: `{"error", "error_description"}`. */
export const oauthError = (c: Context, error: string, description: string, status: 400 | 401 = 400) =>
  c.json({ error, error_description: description }, status);

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
