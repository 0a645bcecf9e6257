import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { findImports, packageName } from '../../scripts/check-layers.js';

// The production image (Dockerfile) must carry everything its commands load: the worker and the API,
// and the operations the README runs inside it (`npm run migrate`, `npm run tokens:reencrypt`). This
// walks the imports from each entry point and checks every file is copied into the image (and not
// dropped by .dockerignore), and every package is a runtime dependency (the image runs `npm ci --omit=dev`).

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
const manifest = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };

/** The npm scripts the image runs, and the file each starts. */
const IMAGE_COMMANDS: Record<string, string> = {
  worker: 'worker/main.ts',
  api: 'api/main.ts',
  migrate: 'scripts/migrate.ts',
  'tokens:reencrypt': 'scripts/reencrypt-tokens.ts',
};
/** Loaded by path rather than imported: the worker bundles the workflows from this file (worker/create-worker.ts). */
const LOADED_BY_PATH = ['workflows/index.ts'];

/** Sources of the Dockerfile's `COPY` lines (build-context paths; `--from` stages excluded). */
function copiedPaths(dockerfile: string): string[] {
  const sources: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0]?.toUpperCase() !== 'COPY' || words.some((word) => word.startsWith('--from'))) continue;
    const args = words.slice(1).filter((word) => !word.startsWith('--'));
    sources.push(...args.slice(0, -1).map((source) => source.replace(/^\.\//, '').replace(/\/$/, '')));
  }
  return sources;
}

/** .dockerignore's verdict for a context path (plain paths and `!` exceptions; the last match wins). */
function ignoredByDockerignore(file: string, rules: string[]): boolean {
  let ignored = false;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = (negated ? rule.slice(1) : rule).replace(/^\/|\/$/g, '');
    if (file === pattern || file.startsWith(`${pattern}/`)) ignored = !negated;
  }
  return ignored;
}

function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const target = path.posix.join(path.posix.dirname(fromFile), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), target, `${target}.ts`, `${target}/index.ts`];
  return candidates.find((candidate) => existsSync(path.join(repoRoot, candidate)));
}

/** Every file of ours and every package reachable from the entry points. */
function reachable(entries: string[]): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>(); // package → first importer
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    for (const site of findImports(source)) {
      if (site.specifier.startsWith('.')) {
        const target = resolveRelative(file, site.specifier);
        if (target === undefined) throw new Error(`${file}:${site.line} imports ${site.specifier}, which does not exist`);
        queue.push(target);
      } else if (!site.typeOnly && !site.specifier.startsWith('node:') && !builtinModules.includes(site.specifier)) {
        const name = packageName(site.specifier);
        if (!packages.has(name)) packages.set(name, `${file}:${site.line}`);
      }
    }
  }
  return { files, packages };
}

describe('the production image', () => {
  const copied = copiedPaths(read('Dockerfile'));
  const ignoreRules = read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const isInImage = (file: string) =>
    copied.some((source) => file === source || file.startsWith(`${source}/`)) && !ignoredByDockerignore(file, ignoreRules);

  it('runs the README operations through the same npm scripts as everywhere else', () => {
    for (const [script, file] of Object.entries(IMAGE_COMMANDS)) expect(manifest.scripts[script]).toBe(`tsx ${file}`);
  });

  it('carries every file the worker, the API, migrate and tokens:reencrypt load', () => {
    const { files } = reachable([...Object.values(IMAGE_COMMANDS), ...LOADED_BY_PATH]);
    expect(files.size).toBeGreaterThan(20); // the walk really followed the imports
    const missing = [...files].filter((file) => !isInImage(file)).sort();
    expect(missing, 'files the image would lack (add a COPY to the Dockerfile, or keep the import out)').toEqual([]);
    for (const config of ['package.json', 'package-lock.json', 'tsconfig.json']) expect(isInImage(config), config).toBe(true);
  });

  it('needs no package that `npm ci --omit=dev` leaves out', () => {
    const { packages } = reachable([...Object.values(IMAGE_COMMANDS), ...LOADED_BY_PATH]);
    const devOnly = [...packages].filter(([name]) => !(name in manifest.dependencies)).map(([name, where]) => `${name} (${where})`);
    expect(devOnly).toEqual([]);
  });

  it('leaves dev-only code out: the checks above would pass vacuously if everything were copied', () => {
    for (const file of ['dev/local-system.ts', 'emulator/index.ts', 'scripts/start.ts', 'scripts/check-layers.ts', 'test/global-setup.ts']) {
      expect(isInImage(file), file).toBe(false);
    }
  });
});
