/**
 * The seed's troubleshooting table: every Salesforce failure we explain to users,
 * with the fix text the app and support show verbatim. Pure data, safe to import from workflows.
 */
export interface ErrorExplanation {
  code: string;
  message: string;
  fix: string;
  /** Retrying the same call cannot help; the user (or an admin) must act first. */
  permanent: boolean;
}

const explanations = {
  INVALID_LOGIN: {
    message: 'Salesforce refused the login.',
    fix: 'Check the username and password. The callback URL configured in the Salesforce Connected App must match exactly (https://app.fastfollow.ai/api/integrations/salesforce/callback), and sandbox users must connect with the sandbox option (they log in via test.salesforce.com).',
    permanent: true,
  },
  ACCESS_DENIED: {
    message: 'The Salesforce user declined to allow FastFollow access.',
    fix: 'Connect again and choose Allow on the Salesforce consent page.',
    permanent: true,
  },
  INVALID_CLIENT: {
    message: 'Salesforce does not recognise FastFollow’s Connected App credentials.',
    fix: 'Contact FastFollow support: the Connected App consumer key or secret is misconfigured. Syncing resumes by itself once it is fixed.',
    permanent: true,
  },
  INVALID_STATE: {
    message: 'The Salesforce connection attempt expired or was already used.',
    fix: 'Start the connection again from FastFollow; complete the Salesforce login within 10 minutes.',
    permanent: true,
  },
  TEMPORARILY_UNAVAILABLE: {
    message: 'FastFollow could not finish connecting Salesforce.',
    fix: 'Please try connecting again in a few minutes; contact FastFollow support if it keeps failing.',
    permanent: false,
  },
  // The OAuth callback's own refusals (the browser lands on the app page with these).
  BROWSER_MISMATCH: {
    message: 'This Salesforce login was started from another browser, so FastFollow did not connect it.',
    fix: 'Open the Connect link in the same browser where you clicked Connect in FastFollow, and finish the Salesforce login there within 10 minutes. If someone sent you a Salesforce login link, do not use it: connect from your own FastFollow account.',
    permanent: true,
  },
  RATE_LIMITED: {
    message: 'Too many Salesforce connection attempts from your network in a short time.',
    fix: 'Wait a minute, then click Connect in FastFollow again.',
    permanent: false,
  },
  SALESFORCE_AUTHORIZATION_FAILED: {
    message: 'Salesforce did not authorize FastFollow.',
    fix: 'Click Connect in FastFollow again. If it keeps failing, ask your Salesforce admin whether the FastFollow app is allowed for your user, or contact FastFollow support.',
    permanent: true,
  },
  INSUFFICIENT_ACCESS: {
    message: 'The connected Salesforce user lacks permission on the objects FastFollow syncs.',
    fix: 'In Salesforce Setup, give the connected user’s profile or a permission set Read and Edit access on Contact, Account and Opportunity (and Create on Task), then press Resume.',
    permanent: true,
  },
  API_DISABLED_FOR_ORG: {
    message: 'API access is not enabled for this Salesforce org.',
    fix: 'FastFollow needs the Salesforce API, included in Enterprise, Unlimited, Performance and Developer editions (Professional Edition needs the API add-on). Upgrade the edition or enable the API, then reconnect.',
    permanent: true,
  },
  INVALID_FIELD_FOR_INSERT_UPDATE: {
    message: 'Salesforce refused to write a field on this record.',
    fix: 'The field is read-only or hidden by field-level security for the connected user. Make the field editable for that user in Salesforce Setup, or remove it from the FastFollow field mapping.',
    permanent: true,
  },
  REQUEST_LIMIT_EXCEEDED: {
    message: 'The Salesforce org has used up its daily API request limit.',
    fix: 'Sync resumes automatically as the 24-hour API allocation frees up. To avoid it, lower other integrations’ usage, raise the org’s limit, or ask support to move heavy syncs to off-hours.',
    permanent: false,
  },
  // REQUEST_LIMIT_EXCEEDED with "ConcurrentPerOrgLongTxn Limit exceeded." (activities/failures.ts): not the daily quota.
  CONCURRENT_REQUEST_LIMIT: {
    message: 'Salesforce is running too many long requests for this org at the same time and turned one of FastFollow’s away.',
    fix: 'Nothing to do: FastFollow tries again in a few seconds. If it keeps happening, other integrations or reports in the org are running many long requests at once.',
    permanent: false,
  },
  INVALID_SESSION_ID: {
    message: 'The Salesforce session expired.',
    fix: 'Nothing to do: FastFollow refreshes the session automatically.',
    permanent: false,
  },
  INVALID_GRANT: {
    message: 'Salesforce revoked FastFollow’s access to this org.',
    fix: 'Access was revoked in Salesforce (Setup → Connected Apps OAuth Usage) or the user was deactivated. Reconnect Salesforce from FastFollow.',
    permanent: true,
  },
  // Token refresh outcomes other than an admin revocation (salesforce/token-manager.ts).
  REFRESH_TOKEN_LOST: {
    message: 'FastFollow lost its Salesforce session: a token refresh was interrupted on FastFollow’s side, and Salesforce then refused the previous token.',
    fix: 'Nothing was revoked by your Salesforce admin and no setting needs changing. Reconnect Salesforce from FastFollow to continue syncing; the data already synced is kept.',
    permanent: true,
  },
  UNAUTHORIZED_CLIENT: {
    message: 'Salesforce no longer lets the connected user use FastFollow’s Connected App.',
    fix: 'In Salesforce Setup → Connected Apps → Manage, check that the FastFollow app is installed and that the connected user’s profile or permission set is allowed to use it (Admin approved users are pre-authorized), then press Resume.',
    permanent: true,
  },
  INACTIVE_USER: {
    message: 'The connected Salesforce user is inactive or frozen.',
    fix: 'Reactivate (or unfreeze) the user in Salesforce Setup → Users and press Resume, or reconnect FastFollow as another active user.',
    permanent: true,
  },
  INACTIVE_ORG: {
    message: 'The Salesforce org is locked, closed or suspended.',
    fix: 'Ask your Salesforce administrator or account executive to restore the org, then press Resume.',
    permanent: true,
  },
  LOGIN_HOST_UNAVAILABLE: {
    message: 'Salesforce’s login service did not answer in time.',
    fix: 'Nothing to do: FastFollow retries automatically.',
    permanent: false,
  },
  // Record-level data problems found while syncing (domain/sync/issues.ts): the record is kept.
  DUPLICATE_EMAIL: {
    message: 'Several Salesforce contacts share this email; FastFollow keeps one contact per email.',
    fix: 'The contact created first in Salesforce keeps the email; the others are synced without one. Merge the duplicate contacts in Salesforce (or give them distinct emails) and they sync fully on their next edit.',
    permanent: true,
  },
  MISSING_EMAIL: {
    message: 'This Salesforce contact has no email.',
    fix: 'The contact is synced without an email, so FastFollow cannot send it follow-ups. Add an email in Salesforce if it should receive them.',
    permanent: true,
  },
  INVALID_EMAIL: {
    message: 'This Salesforce contact’s email is not a valid address.',
    fix: 'Correct the email in Salesforce; the contact is synced with it as typed until then.',
    permanent: true,
  },
  VALUE_TRUNCATED: {
    message: 'A value was longer than FastFollow stores and was shortened.',
    fix: 'Shorten the value in Salesforce if the full text matters in FastFollow.',
    permanent: true,
  },
  UNPARSEABLE_VALUE: {
    message: 'A value could not be read (not a number or date) and was left empty.',
    fix: 'Correct the value in Salesforce; the rest of the record is synced.',
    permanent: true,
  },
  SERVER_UNAVAILABLE: {
    message: 'Salesforce is temporarily unavailable.',
    fix: 'Nothing to do: FastFollow retries automatically.',
    permanent: false,
  },
  // A follow-up that could not be logged as a Salesforce Task (GET /api/followups/:id; the other follow-ups are logged).
  CONTACT_NOT_IN_SALESFORCE: {
    message: 'No Salesforce contact of this connection has the follow-up’s contact email, so its Task could not be logged.',
    fix: 'Create the contact in Salesforce with this email (or correct the email in FastFollow), wait for the next sync, then post the follow-up again under a new followupId.',
    permanent: true,
  },
  ENTITY_IS_DELETED: {
    message: 'The Salesforce contact or opportunity of this follow-up has been deleted, so its Task could not be logged.',
    fix: 'Restore the record from the Salesforce recycle bin (or link the follow-up to an existing contact), then post the follow-up again under a new followupId.',
    permanent: true,
  },
  INVALID_CROSS_REFERENCE_KEY: {
    message: 'Salesforce no longer has the contact, opportunity or user this follow-up’s Task points to (deleted, merged or moved).',
    fix: 'Check that the contact and opportunity still exist in Salesforce; after the next sync, post the follow-up again under a new followupId.',
    permanent: true,
  },
  FIELD_CUSTOM_VALIDATION_EXCEPTION: {
    message: 'A validation rule in Salesforce refused this follow-up’s Task.',
    fix: 'Ask your Salesforce admin to let completed email Tasks created by the FastFollow user pass the validation rule named in the message, then post the follow-up again under a new followupId.',
    permanent: true,
  },
  REQUIRED_FIELD_MISSING: {
    message: 'Salesforce requires a field on Tasks that FastFollow does not fill.',
    fix: 'Ask your Salesforce admin to make the field optional (or give it a default value) for Tasks, then post the follow-up again under a new followupId.',
    permanent: true,
  },
} satisfies Record<string, Omit<ErrorExplanation, 'code'>>;

/** Salesforce reports several INSUFFICIENT_ACCESS* variants (and INVALID_TYPE for hidden objects): one explanation. */
export function normaliseErrorCode(code: string): string {
  if (code.startsWith('INSUFFICIENT_ACCESS') || code === 'INVALID_TYPE') return 'INSUFFICIENT_ACCESS';
  if (code === 'invalid_grant') return 'INVALID_GRANT';
  if (code === 'invalid_client' || code === 'invalid_client_id' || code === 'INVALID_CLIENT_ID') return 'INVALID_CLIENT';
  if (code === 'access_denied') return 'ACCESS_DENIED';
  return code;
}

/** True when `code` (after normalising) has its own explanation, i.e. it is one of our known codes. */
export function isExplainedCode(code: string): boolean {
  return Object.hasOwn(explanations, normaliseErrorCode(code));
}

export function explainError(code: string, detail?: string): ErrorExplanation {
  const normalised = normaliseErrorCode(code);
  const known = (explanations as Record<string, Omit<ErrorExplanation, 'code'>>)[normalised];
  if (known) return { code: normalised, ...known };
  return {
    code: normalised,
    message: detail ? `Salesforce error: ${detail}` : 'Unexpected Salesforce error.',
    fix: 'If this persists, contact FastFollow support with the error code.',
    permanent: false,
  };
}
