// A `down` that would drop customer data (contacts, deals, follow-ups, or which connection a row came
// from) runs only when the operator says so explicitly. Rolling back a release must not empty a live
// database by accident.

export const DESTRUCTIVE_DOWN_FLAG = 'FASTFOLLOW_ALLOW_DESTRUCTIVE_DOWN';

export function requireDestructiveDownAllowed(migration: string, loses: string): void {
  if (process.env[DESTRUCTIVE_DOWN_FLAG] === '1') return;
  throw new Error(
    `Refusing to migrate ${migration} down: it would ${loses}. Set ${DESTRUCTIVE_DOWN_FLAG}=1 to do it anyway (take a backup first).`,
  );
}
