import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLayers, checkSizes, formatViolation, MAX_FUNCTION_LINES } from '../../scripts/check-layers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtureRoot = fileURLToPath(new URL('./fixtures/layers', import.meta.url));

/** Prints each finding as `file:line imports X: why (rule)` so a failure names what to fix. */
function report(findings: ReturnType<typeof checkLayers>): string[] {
  const lines = findings.map(formatViolation);
  for (const line of lines) console.log(line);
  return lines;
}

describe('the repository', () => {
  it('imports only downward: domain ← platform ← db ← salesforce ← activities/workflows ← api/worker', () => {
    expect(report(checkLayers(repoRoot))).toEqual([]);
  });

  it(`has no application file over 250 lines and no function over ${MAX_FUNCTION_LINES} lines without a "// size:" reason`, () => {
    expect(report(checkSizes(repoRoot))).toEqual([]);
  });
});

describe('the layer check', () => {
  it('reports an upward import in the fixture tree, and nothing else', () => {
    expect(report(checkLayers(fixtureRoot))).toEqual([
      'domain/a.ts:2 imports ../db/b.js: domain/ may import nothing of ours (layer)',
    ]);
  });

  let scratch: string | undefined;
  afterEach(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  /** A throwaway tree: { 'api/x.ts': 'source', ... } plus a package.json. */
  function tree(files: Record<string, string>): string {
    scratch = mkdtempSync(path.join(tmpdir(), 'layers-'));
    const manifest = { dependencies: { hono: '1', '@temporalio/client': '1', '@temporalio/workflow': '1' }, devDependencies: { 'pino-pretty': '1' } };
    writeFileSync(path.join(scratch, 'package.json'), JSON.stringify(manifest));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      writeFileSync(path.join(scratch, file), text);
    }
    return scratch;
  }
  const rulesOf = (root: string): string[] => checkLayers(root).map((v) => `${v.file}:${v.line} ${v.rule}`);

  it('lets workflows use activity types only through `import type`', () => {
    const root = tree({
      'workflows/ok.ts': "import type { Activities } from '../activities/index.js';\nexport type { Activities } from '../activities/index.js';\n",
      // Kept as `import {} from` under verbatimModuleSyntax, so the activity module would enter the bundle.
      'workflows/inline.ts': "import { type Activities } from '../activities/index.js';\n",
      'workflows/value.ts': "import { createActivities } from '../activities/index.js';\n",
      'activities/index.ts': 'export const createActivities = 1;\nexport type Activities = number;\n',
    });
    expect(rulesOf(root)).toEqual(['workflows/inline.ts:1 workflows-type-only', 'workflows/value.ts:1 workflows-type-only']);
  });

  it('keeps Temporal in its folders and the one API module', () => {
    const root = tree({
      'api/temporal.ts': "import { Client } from '@temporalio/client';\n",
      'api/routes.ts': "import type { Client } from '@temporalio/client';\n",
      'db/repo.ts': "import { Client } from '@temporalio/client';\n",
      'worker/main.ts': "import { Client } from '@temporalio/client';\n",
      'dev/system.ts': "import { Client } from '@temporalio/client';\n",
    });
    expect(rulesOf(root)).toEqual(['api/routes.ts:1 temporal-boundary', 'db/repo.ts:1 temporal-boundary']);
  });

  it('keeps the workflow sandbox to the deterministic Temporal packages', () => {
    const root = tree({
      'workflows/a.ts': "import { proxyActivities } from '@temporalio/workflow';\nimport { Hono } from 'hono';\nimport { randomUUID } from 'node:crypto';\n",
    });
    expect(rulesOf(root)).toEqual(['workflows/a.ts:2 workflow-sandbox', 'workflows/a.ts:3 workflow-sandbox']);
  });

  it('keeps dev-only folders and devDependencies out of production, and the emulator to itself', () => {
    const root = tree({
      'api/app.ts': "import { demo } from '../dev/demo.js';\nconst later = () => import('../emulator/index.js');\n",
      'platform/logger.ts': "import pretty from 'pino-pretty';\nimport type { Options } from 'pino-pretty';\nimport { readFileSync } from 'node:fs';\nconst dir = require.resolve('pino-pretty/package.json');\n",
      'emulator/index.ts': "import { Hono } from 'hono';\nimport { loadConfig } from '../platform/config.js';\n",
      'dev/demo.ts': "import { app } from '../api/app.js';\nimport { org } from '../emulator/index.js';\n",
      'scripts/start.ts': "import pretty from 'pino-pretty';\nimport { demo } from '../dev/demo.js';\n",
    });
    expect(rulesOf(root)).toEqual([
      'api/app.ts:1 production-imports-dev',
      'api/app.ts:2 production-imports-dev',
      'emulator/index.ts:2 emulator-isolated',
      'platform/logger.ts:1 runtime-dependency',
      'platform/logger.ts:4 runtime-dependency',
    ]);
  });

  it('reads re-exports and names the allowed layers in the message', () => {
    const root = tree({ 'salesforce/x.ts': "export { handler } from '../api/handler.js';\n" });
    expect(report(checkLayers(root))).toEqual([
      'salesforce/x.ts:1 imports ../api/handler.js: salesforce/ may import domain, platform, db (layer)',
    ]);
  });

  it('accepts an exception written beside the import with a reason, and only with one', () => {
    const root = tree({
      'db/a.ts': "// layers-allow: the migration needs the API's schema once\nimport { s } from '../api/schema.js';\n",
      'db/b.ts': "import { s } from '../api/schema.js'; // layers-allow: same reason, trailing\n",
      'db/c.ts': "// layers-allow:\nimport { s } from '../api/schema.js';\n",
    });
    expect(rulesOf(root)).toEqual(['db/c.ts:2 layer']);
  });
});

describe('the size check', () => {
  let scratch: string | undefined;
  afterEach(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });
  const body = (lines: number): string => Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const fn = (head: string, lines: number, tail = '}'): string => `${head}\n${body(lines)}\n${tail}\n`;

  it('reports long functions of every shape unless a "// size:" reason stands above them', () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'sizes-'));
    mkdirSync(path.join(scratch, 'db'));
    mkdirSync(path.join(scratch, 'test'));
    const source = [
      fn('export function fits() {', MAX_FUNCTION_LINES),
      fn('export function tooLong() {', MAX_FUNCTION_LINES + 1),
      fn('export const arrow = () => {', MAX_FUNCTION_LINES + 1),
      fn('export const passed = [1].map(function () {', MAX_FUNCTION_LINES + 1, '});'),
      fn('export class Repo {\n  method() {', MAX_FUNCTION_LINES + 1, '}\n}'),
      '// size: one SQL statement per object, kept together so the order is visible',
      fn('export function explained() {', MAX_FUNCTION_LINES + 1),
    ].join('\n');
    writeFileSync(path.join(scratch, 'db', 'repo.ts'), source);
    // Only application folders are measured.
    writeFileSync(path.join(scratch, 'test', 'long.ts'), fn('export function testHelper() {', 200));
    // A long file may say why in its header comment.
    const lines = Array.from({ length: 300 }, (_, i) => `export const c${i} = ${i};`).join('\n');
    writeFileSync(path.join(scratch, 'db', 'table.ts'), `// size: generated lookup table, one line per code\n${lines}\n`);
    const found = checkSizes(scratch).map((v) => `${v.rule} ${v.message}`);
    expect(found).toEqual([
      'file-size has 373 lines (max 250)',
      'function-size tooLong has 61 lines (max 60)',
      'function-size arrow has 61 lines (max 60)',
      'function-size (callback of [1].map) has 61 lines (max 60)',
      'function-size method has 61 lines (max 60)',
    ]);
  });
});
