import type { Selectable } from 'kysely';
import type { Db } from './connect.js';
import type { SalesforceOauthStatesTable } from './schema.js';
import type { Environment } from '../domain/environment.js';

// The one owner of salesforce_oauth_states: single-use OAuth states with their encrypted PKCE verifier.

export type OAuthStateRow = Selectable<SalesforceOauthStatesTable>;

export interface NewOAuthState {
  stateHash: string;
  accountId: string;
  environment: Environment;
  verifier: { ciphertext: string; keyVersion: number };
  /** sha256 of the browser binding cookie's value: the callback must present the value. */
  bindingHash: string;
  expiresAt: Date;
}

export async function insertOAuthState(db: Db, state: NewOAuthState): Promise<void> {
  await db
    .insertInto('salesforce_oauth_states')
    .values({
      state_hash: state.stateHash,
      account_id: state.accountId,
      environment: state.environment,
      verifier_ciphertext: state.verifier.ciphertext,
      verifier_key_version: state.verifier.keyVersion,
      binding_hash: state.bindingHash,
      expires_at: state.expiresAt.toISOString(),
    })
    .execute();
}

/** Expired rows are useless: cleared as new ones arrive instead of by a janitor. */
export async function deleteOAuthStatesExpiredBefore(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('salesforce_oauth_states').where('expires_at', '<', before).execute();
}

/** Consumes a state atomically: a replayed, expired or concurrent callback gets undefined. */
export async function consumeOAuthState(db: Db, stateHash: string, now: Date): Promise<OAuthStateRow | undefined> {
  return db
    .updateTable('salesforce_oauth_states')
    .set({ used_at: now })
    .where('state_hash', '=', stateHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

export async function listPendingOAuthStates(db: Db): Promise<OAuthStateRow[]> {
  return db.selectFrom('salesforce_oauth_states').selectAll().where('used_at', 'is', null).execute();
}

/** Replaces a state's verifier ciphertext unless someone re-encrypted it meanwhile. */
export async function replaceVerifier(db: Db, state: OAuthStateRow, verifier: { ciphertext: string; keyVersion: number }): Promise<void> {
  await db
    .updateTable('salesforce_oauth_states')
    .set({ verifier_ciphertext: verifier.ciphertext, verifier_key_version: verifier.keyVersion })
    .where('state_hash', '=', state.state_hash)
    .where('verifier_key_version', '=', state.verifier_key_version)
    .execute();
}
