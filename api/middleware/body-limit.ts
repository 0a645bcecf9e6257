import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError, errorResponse } from '../errors.js';

/** The API's bodies are small JSON objects; anything near this size is a mistake or an attack. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses request bodies over `maxBytes` with 413 in the API's error shape, before anything reads them:
 * by Content-Length when it is sent, else while streaming (chunked bodies stop at the limit).
 */
export function limitBodySize(maxBytes: number = DEFAULT_MAX_BODY_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      errorResponse(
        c,
        new ApiError(413, 'PAYLOAD_TOO_LARGE', `Request body is over the limit of ${maxBytes} bytes.`, 'Send a smaller body; the API only takes small JSON objects.'),
      ),
  });
}
