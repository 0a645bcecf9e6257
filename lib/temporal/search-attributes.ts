import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// DESIGN §3.4 ⚑: how engineers find a connection in the Temporal UI. Workflow-safe module.
export const FastFollowAccountId = defineSearchAttributeKey('FastFollowAccountId', SearchAttributeType.KEYWORD);
export const SalesforceEnvironment = defineSearchAttributeKey('SalesforceEnvironment', SearchAttributeType.KEYWORD);
export const SalesforceOrgId = defineSearchAttributeKey('SalesforceOrgId', SearchAttributeType.KEYWORD);
export const SyncPhase = defineSearchAttributeKey('SyncPhase', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [FastFollowAccountId, SalesforceEnvironment, SalesforceOrgId, SyncPhase];
