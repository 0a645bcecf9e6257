import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** What the workflow bundle is built from: the workflow code, what it imports, and the SDK's version. */
const SOURCES = ['workflows', 'domain', 'activities'];

/**
 * The workflow code bundled once per version of it, in a child process, into a cache file the worker
 * loads (`workflowBundle`). Bundling inside the worker (`workflowsPath`) costs ~3 s of CPU at every
 * start and leaves webpack's ~110 MiB in the worker's heap for its whole life (measured: idle RSS
 * 355 → 250 MiB). `WORKFLOW_BUNDLE_DIR` names the cache folder (default: the system's temp folder).
 */
export async function prebuiltWorkflowBundle(cacheDir = process.env.WORKFLOW_BUNDLE_DIR || path.join(os.tmpdir(), 'fastfollow-sync-workflow-bundles')): Promise<{ codePath: string }> {
  const codePath = path.join(cacheDir, `workflows-${sourceHash()}.js`);
  if (existsSync(codePath)) return { codePath };
  mkdirSync(cacheDir, { recursive: true });
  // Written beside and renamed: a worker starting meanwhile never reads half a file.
  const partial = `${codePath}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  await runBundler(partial);
  renameSync(partial, codePath);
  return { codePath };
}

function sourceHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(path.join(root, 'package-lock.json')));
  for (const folder of SOURCES) {
    const files = readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).sort();
    for (const file of files) hash.update(`${folder}/${file}\0`).update(readFileSync(path.join(root, folder, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

function runBundler(out: string): Promise<void> {
  const script = fileURLToPath(new URL('./bundle-workflows.ts', import.meta.url));
  // tsx reads the TypeScript sources (as in `npm run worker`), resolved from the project folder: this
  // process may itself run under another loader (vitest) whose flags a plain child could not use.
  const child = spawn(process.execPath, ['--import', 'tsx', script, out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2_000)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bundling the workflow code failed (exit ${code}): ${stderr.trim()}`))));
  });
}
