// /limits and /limits/recordCount.
import { Hono } from 'hono';
import type { EmulatorState, UserAccount } from '../store.js';
import { visibleObject, visibleObjects } from '../view.js';
import type { ApiEnv } from './context.js';
import { SfError } from './errors.js';

const quota = (max: number, used = 0) => ({ Max: max, Remaining: Math.max(0, max - used) });

/**
 * Both resources are for users with "View Setup and Configuration"; a least-privilege integration user
 * without it is refused (403), whatever its object permissions. The refusal is still an API call.
 */
function requireViewSetup(user: UserAccount): void {
  if (user.permissions.system?.viewSetup === false) {
    throw new SfError(403, 'INSUFFICIENT_ACCESS', 'Insufficient privileges: this resource requires the View Setup and Configuration permission.');
  }
}

export function limitRoutes(_state: EmulatorState): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/limits', (c) => {
    const { org, user } = c.get('caller');
    requireViewSetup(user);
    const used = org.usage.used(org.now());
    return c.json({
      ActiveScratchOrgs: quota(3),
      ConcurrentAsyncGetReportInstances: quota(200),
      DailyApiRequests: quota(org.settings.dailyApiLimit, used),
      DailyAsyncApexExecutions: quota(250000),
      DailyBulkApiBatches: quota(15000),
      DailyBulkV2QueryFileStorageMB: quota(976562),
      DailyBulkV2QueryJobs: quota(10000),
      DailyStreamingApiEvents: quota(10000),
      DataStorageMB: quota(5),
      FileStorageMB: quota(20),
      HourlyODataCallout: quota(10000),
      SingleEmail: quota(15),
    });
  });

  app.get('/limits/recordCount', (c) => {
    const { org, user } = c.get('caller');
    requireViewSetup(user);
    const names = c.req.query('sObjects')?.split(',').map((s) => s.trim()).filter(Boolean);
    const objects = names ? names.map((n) => visibleObject(org, user, n)).filter((o) => !!o) : visibleObjects(org, user);
    const sObjects = objects.map((o) => {
      let count = 0;
      for (const row of org.table(o.name).rows.values()) if (row.IsDeleted !== true) count++;
      return { count, name: o.name };
    });
    return c.json({ sObjects });
  });

  return app;
}
