// Response header names on the wire as Salesforce sends them (`Content-Type`, `Sforce-Locator`,
// `Sforce-Limit-Info`). Hono builds responses with web Headers, which lower-case every name, and
// @hono/node-server writes those names as they are; some Salesforce clients look headers up
// case-sensitively and break on `sforce-locator`. The server's responses re-case them here.
import { ServerResponse, type IncomingMessage } from 'node:http';

/** Names whose casing is not plain Title-Case per dash-separated word. */
const SPECIAL: Readonly<Record<string, string>> = {
  'sforce-numberofrecords': 'Sforce-NumberOfRecords',
  'www-authenticate': 'WWW-Authenticate',
  etag: 'ETag',
};

/** `sforce-limit-info` → `Sforce-Limit-Info`. */
export function wireHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return SPECIAL[lower] ?? lower.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

function recased(headers: unknown): unknown {
  if (Array.isArray(headers)) return headers.map((item, i) => (i % 2 === 0 && typeof item === 'string' ? wireHeaderName(item) : item));
  if (headers === null || typeof headers !== 'object') return headers;
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [wireHeaderName(name), value]));
}

/** Pass as `ServerResponse` in the http server options: writeHead's header names go out Salesforce-cased. */
export class SalesforceCasedResponse extends ServerResponse {
  constructor(req: IncomingMessage) {
    super(req);
    type WriteHead = (...args: unknown[]) => ServerResponse;
    const writeHead = this.writeHead.bind(this) as WriteHead;
    (this as unknown as { writeHead: WriteHead }).writeHead = (...args) => writeHead(...args.map(recased));
  }
}
