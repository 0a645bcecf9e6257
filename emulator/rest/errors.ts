// REST API errors in Salesforce's shape: a JSON array of {message, errorCode, fields?}.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class SfError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }

  body(): { message: string; errorCode: string; fields?: string[] }[] {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) }];
  }
}

export const notFound = () => new SfError(404, 'NOT_FOUND', 'The requested resource does not exist');

export function sendSfError(c: Context, e: SfError) {
  return c.json(e.body(), e.status);
}

/** Parses a JSON request body, answering JSON_PARSER_ERROR like Salesforce for bad input. */
export async function jsonBody<T = unknown>(c: Context): Promise<T> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new SfError(400, 'JSON_PARSER_ERROR', `Unexpected character in request body: ${(e as Error).message}`);
  }
}
