import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A contract (docs/contracts.md#errors): every error is `{ error: { code, message, fix? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; fix?: string; fields?: FieldError[] };
}
export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fix?: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fix ? { fix: this.fix } : {}),
        ...(this.fields ? { fields: this.fields } : {}),
      },
    };
  }
}

export function errorResponse(c: Context, error: ApiError): Response {
  return c.json(error.toBody(), error.status);
}
