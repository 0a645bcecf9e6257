import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { ApiError } from '../errors.js';

/**
 * Bearer-token guard for one audience (the app, or support staff). Hono's bearerAuth compares
 * hashes in constant time; we only shape its refusals into the API's error body.
 */
export function requireBearer(token: string, audience: 'service' | 'support'): MiddlewareHandler {
  const envName = audience === 'service' ? 'API_TOKEN' : 'SUPPORT_TOKEN';
  const missing = new ApiError(401, 'UNAUTHORIZED', `Missing bearer token: send "Authorization: Bearer <${envName}>".`).toBody();
  const invalid = new ApiError(401, 'UNAUTHORIZED', `Invalid bearer token for ${audience} routes.`).toBody();
  return bearerAuth({
    token,
    noAuthenticationHeader: { message: missing },
    invalidAuthenticationHeader: { message: invalid },
    invalidToken: { message: invalid },
  });
}
