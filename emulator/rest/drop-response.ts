// The dropResponseAfterCommit fault: a write that has been saved loses its answer, as when a
// connection breaks (or the client times out) after Salesforce committed.
import type { IncomingMessage } from 'node:http';
import type { ApiContext } from './context.js';

/** Call after the save committed: destroys the client's connection when the org's fault says so. */
export function dropResponseIfFaulted(c: ApiContext): void {
  // Only a request that came over the network has a connection to break (not a composite subrequest).
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return;
  const apiPath = c.req.path.replace(/^\/services\/data\/v\d+\.\d+/, '');
  if (c.get('caller').org.faults.takeDroppedResponse(c.req.method, apiPath)) incoming.socket.destroy();
}
