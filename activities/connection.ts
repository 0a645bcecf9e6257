import { withSalesforce } from '../salesforce/client.js';
import { toActivityFailure } from './failures.js';
import type { ActivityDependencies } from './dependencies.js';

export interface ConnectionCheck {
  apiUsage: { used: number; max: number };
}

export function createConnectionActivities({ tokens }: ActivityDependencies) {
  return {
    /** One cheap call (GET /limits) that proves the grant still works and reads the org's API usage. */
    async checkConnection({ connectionId }: { connectionId: string }): Promise<ConnectionCheck> {
      try {
        const limits = await withSalesforce(tokens, connectionId, (conn) => conn.limits());
        const daily = limits.DailyApiRequests;
        if (!daily) throw new Error('Salesforce /limits answered without DailyApiRequests');
        return { apiUsage: { used: daily.Max - daily.Remaining, max: daily.Max } };
      } catch (error) {
        throw toActivityFailure(error);
      }
    },
  };
}
