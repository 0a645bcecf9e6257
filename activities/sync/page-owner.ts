import { connectionScope, recordMirroredOrg } from '../../db/connections.js';
import type { Db } from '../../db/connect.js';
import { removeMirrorOfConnection } from '../../db/mirror.js';

/**
 * Whose rows the connection's pages write. They must be its current org's: after a reconnect to another
 * org, the previous org's rows are removed before anything of the new org is applied (its initial read
 * starts next).
 */
export async function ownerOfPage(db: Db, connectionId: string) {
  const scope = await connectionScope(db, connectionId);
  if (scope.mirroredOrgId !== scope.orgId) {
    await removeMirrorOfConnection(db, connectionId);
    await recordMirroredOrg(db, connectionId, scope.orgId);
  }
  return { accountId: scope.accountId, environment: scope.environment };
}
