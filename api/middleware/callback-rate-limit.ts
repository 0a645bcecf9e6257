import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { countCallbackHit } from '../../db/callback-rate-limits.js';
import type { Db } from '../../db/connect.js';
import type { Config } from '../../platform/config.js';
import type { Logger } from '../../platform/logger.js';
import { trustedClientAddress } from '../client-address.js';
import { failure, landingUrl } from '../connections/oauth-flow.js';

export const CALLBACK_LIMIT = { hits: 30, windowSeconds: 60 };

function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // not served by @hono/node-server (in-process requests)
  }
}

/**
 * The public callback does token exchanges: at most CALLBACK_LIMIT per trusted client address
 * (TRUST_PROXY), counted in Postgres so every API replica shares the count. A limited browser
 * still lands on APP_URL, with RATE_LIMITED, rather than on a bare JSON 429.
 */
export function callbackRateLimit(deps: { db: Db; config: Config; logger: Logger }): MiddlewareHandler {
  return async (c, next) => {
    const client = trustedClientAddress(socketAddress(c), c.req.header('x-forwarded-for'), deps.config.TRUST_PROXY);
    let hits: number;
    try {
      hits = await countCallbackHit(deps.db, client, CALLBACK_LIMIT.windowSeconds);
    } catch (error) {
      // Without the database the callback cannot complete anyway; let it land with its own answer.
      deps.logger.warn({ err: { message: (error as Error).message } }, 'callback rate limit unavailable');
      return next();
    }
    if (hits > CALLBACK_LIMIT.hits) {
      if (hits === CALLBACK_LIMIT.hits + 1) deps.logger.warn({ client }, 'OAuth callback rate limit reached for a client address');
      return c.redirect(landingUrl(deps.config.APP_URL, failure('RATE_LIMITED')), 302);
    }
    await next();
  };
}
