import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { ApiError, errorResponse, type FieldError } from './errors.js';

/** Turns a zod failure into field-level messages: `accountId: Required`, `window.start: must be HH:MM`. */
export function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join('.') : '(root)',
    message: issue.message,
  }));
}

/** The OpenAPIHono defaultHook: invalid input answers 400 with every field that is wrong. */
export function validationHook(
  result: { success: true } | { success: false; error: ZodError; target: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const fields = fieldErrors(result.error);
  const where = result.target === 'json' ? 'body' : result.target;
  const summary = fields.map((field) => `${field.path}: ${field.message}`).join('; ');
  return errorResponse(c, new ApiError(400, 'VALIDATION_FAILED', `Invalid request ${where}: ${summary}`, undefined, fields));
}
