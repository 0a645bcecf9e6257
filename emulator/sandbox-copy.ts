// Sandboxes copied from a production org, as Salesforce makes them: a new org (its own Organization
// Id, on the sandbox login host) whose records keep production's record Ids and system fields. A full
// copy takes every record; a partial copy a sample of each object (Salesforce's template limit is
// 10,000 records per object). The recycle bin is not copied. Users come along with the sandbox name
// appended to their usernames (`jane@acme.com.uat`), the same passwords and Ids, and `.invalid`
// appended to their emails so a sandbox never mails real people.
import type { EmulatorState, Org, UserAccount } from './store.js';

export interface SandboxCopyOptions {
  kind: 'full' | 'partial';
  /** The sandbox name: letters and digits, starting with a letter, at most 10 characters. */
  name: string;
  /** Partial copies only: records copied per object. */
  recordsPerObject: number;
}

export class SandboxCopyError extends Error {}

function copyUsers(state: EmulatorState, source: Org, sandbox: Org, name: string, adminId: string | undefined): UserAccount[] {
  const copied: UserAccount[] = [];
  for (const user of source.users.values()) {
    const username = `${user.username}.${name}`;
    if (user.id !== adminId && state.usersByUsername.has(username.toLowerCase())) {
      throw new SandboxCopyError(`Username ${username} is already taken: org ${source.id} already has a sandbox named ${name}`);
    }
    copied.push({ ...user, orgId: sandbox.id, username, email: `${user.email}.invalid` });
  }
  for (const user of copied) {
    sandbox.users.set(user.id, user);
    if (user.id !== adminId) state.usersByUsername.set(user.username.toLowerCase(), user);
  }
  return copied;
}

/** Copies `source` into a new sandbox org; returns it with the users who can log in to it (the administrator excluded). */
export function copyOrgAsSandbox(state: EmulatorState, source: Org, options: SandboxCopyOptions, adminId: string | undefined): { org: Org; users: UserAccount[] } {
  if (source.settings.environment !== 'production') throw new SandboxCopyError(`Org ${source.id} is a sandbox; sandboxes are copied from production orgs`);
  const sandbox = state.createOrg({ ...source.settings, environment: 'sandbox', name: `${source.settings.name} (${options.name})` });
  const users = copyUsers(state, source, sandbox, options.name, adminId);
  for (const [objectName, fields] of source.customFields) sandbox.addCustomFields(objectName, fields);
  for (const [objectName, table] of source.tables) {
    const target = sandbox.table(objectName);
    let copied = 0;
    for (const [id, row] of table.rows) {
      if (row.IsDeleted === true) continue;
      if (objectName !== 'User' && options.kind === 'partial' && copied >= options.recordsPerObject) break;
      // Rows are immutable (an edit replaces the row), so both orgs can hold the same object.
      const user = objectName === 'User' ? users.find((candidate) => candidate.id === id) ?? sandbox.users.get(id) : undefined;
      target.rows.set(id, user ? { ...row, Username: user.username, Email: user.email } : row);
      copied++;
    }
  }
  sandbox.lastStampMs = source.lastStampMs;
  return { org: sandbox, users: users.filter((user) => user.id !== adminId) };
}
