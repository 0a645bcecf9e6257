// The worker bundles this file: export every workflow, and import only deterministic code.
export { diagnosticsWorkflow } from './diagnostics.js';
export { connectionWorkflow } from './connection.js';
export { revokeGrantWorkflow } from './revocation.js';
