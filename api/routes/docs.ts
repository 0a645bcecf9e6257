import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';

const require = createRequire(import.meta.url);
const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
// Served from the npm package, not a CDN: the reference must render on an offline machine.
const assets: Record<string, { file: string; type: string }> = {
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
};

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>FastFollow Salesforce sync — API reference</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css" />
</head>
<body>
  <div id="reference"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script>window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#reference' });</script>
</body>
</html>`;

export function registerDocsRoutes(app: OpenAPIHono): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'serviceToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The FastFollow app: API_TOKEN',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'supportToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'Support staff: SUPPORT_TOKEN',
  });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'FastFollow Salesforce sync API',
      version: '1.0.0',
      description: 'Connect Salesforce orgs, follow their sync, and log follow-ups as Salesforce Tasks.',
    },
  });
  app.get('/api/docs', (c) => c.html(page));
  app.get('/api/docs/assets/:name', (c) => {
    // Own keys only: `valueOf`, `constructor` and the like are not assets (they were a 500).
    const name = c.req.param('name');
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!asset) return c.notFound();
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(readFileSync(path.join(swaggerDir, asset.file)));
  });
}
