import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// A contract (docs/contracts.md#temporal): how engineers find a connection in the Temporal UI. Workflow-safe module.
export const FastFollowAccountIdKey = defineSearchAttributeKey('FastFollowAccountId', SearchAttributeType.KEYWORD);
export const SalesforceEnvironmentKey = defineSearchAttributeKey('SalesforceEnvironment', SearchAttributeType.KEYWORD);
export const SalesforceOrgIdKey = defineSearchAttributeKey('SalesforceOrgId', SearchAttributeType.KEYWORD);
export const SyncPhaseKey = defineSearchAttributeKey('SyncPhase', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [FastFollowAccountIdKey, SalesforceEnvironmentKey, SalesforceOrgIdKey, SyncPhaseKey];
