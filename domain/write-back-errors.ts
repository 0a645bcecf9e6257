import { explainError, type ErrorExplanation } from './error-explanations.js';

// What a per-record failure of a write-back (a FastFollow edit written to a Salesforce Contact or
// Opportunity) means, and what fixes it. Codes not listed here fall back to the general table.

const writeBack = {
  REQUIRED_FIELD_MISSING: {
    message: 'Salesforce requires a field that this FastFollow edit left empty.',
    fix: 'Give the field a value in FastFollow (or in Salesforce), or ask your Salesforce admin to make it optional. The edit is not retried by itself; edit the record again once fixed.',
    permanent: true,
  },
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: {
    message: 'The org’s picklist does not have the value FastFollow wrote (e.g. a deal stage Salesforce does not know).',
    fix: 'Use one of the picklist values defined in Salesforce (Setup → Object Manager → the field → Values), or ask your admin to add the value; then edit the record again.',
    permanent: true,
  },
  FIELD_CUSTOM_VALIDATION_EXCEPTION: {
    message: 'A validation rule in Salesforce refused this FastFollow edit.',
    fix: 'The message names the rule’s error text. Change the value in FastFollow so it passes the rule, or ask your Salesforce admin to adjust the rule for the FastFollow user.',
    permanent: true,
  },
  DUPLICATE_VALUE: {
    message: 'Another Salesforce record already has this value in a field that must be unique.',
    fix: 'Use a value no other record has (the message names the record holding it), or merge the duplicate records in Salesforce; then edit the record again.',
    permanent: true,
  },
  INVALID_FIELD_FOR_INSERT_UPDATE: {
    message: 'Salesforce refused to write a field of this record: the connected user cannot edit it.',
    fix: 'Make the field editable for the connected Salesforce user (field-level security in its profile or a permission set); then edit the record again.',
    permanent: true,
  },
  ENTITY_IS_DELETED: {
    message: 'The Salesforce record was deleted, so the FastFollow edit could not be written.',
    fix: 'Restore the record from the Salesforce recycle bin and edit it again, or let the next sync remove it from FastFollow.',
    permanent: true,
  },
  NOT_FOUND: {
    message: 'Salesforce no longer has this record (deleted or merged), so the FastFollow edit could not be written.',
    fix: 'The next sync removes the record from FastFollow; if it was merged, edit the surviving record.',
    permanent: true,
  },
  STRING_TOO_LONG: {
    message: 'The value is longer than the Salesforce field allows.',
    fix: 'Shorten the value in FastFollow (the message gives the field’s maximum length); then it is written on the next edit.',
    permanent: true,
  },
  INVALID_EMAIL_ADDRESS: {
    message: 'Salesforce does not accept this email address.',
    fix: 'Correct the email address in FastFollow.',
    permanent: true,
  },
  UNABLE_TO_LOCK_ROW: {
    message: 'Salesforce had the record locked by another update.',
    fix: 'Nothing to do: FastFollow retries with backoff.',
    permanent: false,
  },
} satisfies Record<string, Omit<ErrorExplanation, 'code'>>;

/** The explanation of a write-back's per-record error code. */
export function explainWriteBackError(code: string, detail?: string): ErrorExplanation {
  const known = (writeBack as Record<string, Omit<ErrorExplanation, 'code'>>)[code];
  return known ? { code, ...known } : explainError(code, detail);
}
