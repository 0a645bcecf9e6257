/**
 * Architecture checks over the repository's TypeScript, run by `npm test` (test/unit/architecture.test.ts)
 * and by `npm run check:layers`:
 *
 * - import direction: each top-level folder may import only the folders below it (LAYER_RULES), production
 *   code never imports dev-only folders, Temporal stays in the folders that own it, workflows import only
 *   the deterministic Temporal packages, and production code imports only runtime dependencies;
 * - size: application files over MAX_FILE_LINES lines and functions over MAX_FUNCTION_LINES lines.
 *
 * Exceptions are written beside the code, with a reason, so they stay visible in review:
 * - `// layers-allow: <reason>` on the import's first line or in the comment lines just above it;
 * - `// size: <reason>` in the comment lines just above a long function (or on its first line), or in the
 *   file's header comment (before its first statement) for a long file.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Production folders, bottom to top, and what each may import besides itself. */
export const LAYER_RULES: Readonly<Record<string, readonly string[]>> = {
  domain: [],
  platform: ['domain'],
  db: ['domain', 'platform'],
  salesforce: ['domain', 'platform', 'db'],
  activities: ['domain', 'platform', 'db', 'salesforce'],
  // workflows may also `import type` from activities (the activity signatures); see checkImport.
  workflows: ['domain'],
  api: ['domain', 'platform', 'db', 'salesforce', 'workflows'],
  worker: ['domain', 'platform', 'db', 'salesforce', 'activities', 'workflows'],
};
export const APPLICATION_FOLDERS = Object.keys(LAYER_RULES);
/** Folders that may import anything of ours; production code must never import them (nor emulator/). */
const DEV_FOLDERS = ['dev', 'scripts', 'bench', 'test'];
const TEMPORAL_FOLDERS = ['workflows', 'activities', 'worker', ...DEV_FOLDERS];
/** The one API module that talks to Temporal. */
const TEMPORAL_FILES = ['api/temporal.ts', 'api/temporal-support.ts'];
/** The workflow sandbox is deterministic: only these packages may be imported there. */
const WORKFLOW_PACKAGES = ['@temporalio/workflow', '@temporalio/common'];

export const MAX_FILE_LINES = 250;
export const MAX_FUNCTION_LINES = 60;

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.data', 'coverage', 'dist']);
const ALLOW_IMPORT = /\blayers-allow:\s*\S/;
const ALLOW_SIZE = /\bsize:\s*\S/;

export interface Violation {
  /** Path relative to the checked root, with forward slashes. */
  file: string;
  line: number;
  rule: string;
  message: string;
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line} ${v.message} (${v.rule})`;
}

/** Every TypeScript source file under root (relative paths, sorted), skipping node_modules and friends. */
export function listSourceFiles(root: string, folders?: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.')) walk(child);
      } else if (SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts')) {
        found.push(child);
      }
    }
  };
  for (const folder of folders ?? ['']) {
    if (existsSync(path.join(root, folder))) walk(folder);
  }
  return found.sort();
}

function parse(root: string, file: string): ts.SourceFile {
  const text = readFileSync(path.join(root, file), 'utf8');
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
}

// ---------------------------------------------------------------------------------------------------------
// Imports

export interface ImportSite {
  specifier: string;
  line: number;
  /** Erased at compile time: `import type`, `export type`, or `typeof import('…')` in a type. */
  typeOnly: boolean;
  /** The node whose leading comments may carry an exception. */
  node: ts.Node;
}

/** Static imports, re-exports, dynamic `import()`, `require()`, `import x = require()` and type-position `import('…')`. */
export function findImports(source: ts.SourceFile): ImportSite[] {
  const sites: ImportSite[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean, node: ts.Node): void => {
    if (specifier === undefined || !ts.isStringLiteralLike(specifier)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    sites.push({ specifier: specifier.text, line, typeOnly, node });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      // `import { type A } from 'x'` is kept as `import {} from 'x'` under verbatimModuleSyntax: not type-only.
      add(node.moduleSpecifier, node.importClause?.isTypeOnly === true, node);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly, node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly, node);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || isRequire(node.expression))) {
      add(node.arguments[0], false, enclosingStatement(node));
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true, enclosingStatement(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** `require(…)` and `require.resolve(…)` (through createRequire): they load packages at run time too. */
function isRequire(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && callee.name.text === 'resolve';
}

function enclosingStatement(node: ts.Node): ts.Node {
  let current = node;
  while (current.parent !== undefined && !ts.isSourceFile(current.parent) && !ts.isBlock(current.parent)) {
    current = current.parent;
  }
  return current;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; `node:fs` → `node:fs`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));
}

/** The top-level folder a repo-relative path lives in ('' for a file at the root). */
function folderOf(relativePath: string): string {
  const slash = relativePath.indexOf('/');
  return slash === -1 ? '' : relativePath.slice(0, slash);
}

interface PackageManifest {
  dependencies: Set<string>;
  devDependencies: Set<string>;
}

function readManifest(root: string): PackageManifest | undefined {
  const file = path.join(root, 'package.json');
  if (!existsSync(file)) return undefined;
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  return {
    dependencies: new Set(Object.keys(json.dependencies ?? {})),
    devDependencies: new Set(Object.keys(json.devDependencies ?? {})),
  };
}

/** The rules one import breaks (usually none). */
function checkImport(file: string, site: ImportSite, manifest: PackageManifest | undefined): Array<[string, string]> {
  const from = folderOf(file);
  const broken: Array<[string, string]> = [];
  const isProduction = from in LAYER_RULES;

  if (site.specifier.startsWith('.') || site.specifier.startsWith('/')) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), site.specifier));
    if (target.startsWith('../') || target === '..') {
      if (isProduction || from === 'emulator') broken.push(['outside-repo', 'imports from outside the repository']);
      return broken;
    }
    const to = folderOf(target);
    if (to === from) return broken;
    if (from === 'emulator') {
      broken.push(['emulator-isolated', 'emulator/ imports nothing outside emulator/']);
    } else if (isProduction) {
      if (!(to in LAYER_RULES)) {
        broken.push(['production-imports-dev', `${from}/ is production code; ${to || 'the repository root'} is not`]);
      } else if (from === 'workflows' && to === 'activities') {
        if (!site.typeOnly) broken.push(['workflows-type-only', 'workflows/ may only `import type` from activities/']);
      } else if (!(LAYER_RULES[from] ?? []).includes(to)) {
        const allowed = LAYER_RULES[from]?.join(', ') || 'nothing of ours';
        broken.push(['layer', `${from}/ may import ${allowed}`]);
      }
    }
    return broken;
  }

  const pkg = packageName(site.specifier);
  if (pkg.startsWith('@temporalio/') && from !== '' && !TEMPORAL_FOLDERS.includes(from) && !TEMPORAL_FILES.includes(file)) {
    broken.push(['temporal-boundary', `Temporal belongs in ${TEMPORAL_FOLDERS.slice(0, 3).join('/, ')}/ and ${TEMPORAL_FILES.join(', ')}`]);
  }
  if (from === 'workflows' && !WORKFLOW_PACKAGES.includes(pkg)) {
    broken.push(['workflow-sandbox', `workflows/ may import only ${WORKFLOW_PACKAGES.join(', ')}`]);
  }
  // Type-only imports are erased, so they need nothing installed at run time.
  if (isProduction && !site.typeOnly && !isBuiltin(site.specifier) && manifest !== undefined && !manifest.dependencies.has(pkg)) {
    const where = manifest.devDependencies.has(pkg) ? 'only in devDependencies' : 'not in package.json dependencies';
    broken.push(['runtime-dependency', `${pkg} is ${where}; the production image installs dependencies only`]);
  }
  return broken;
}

/** Checks the import direction of every source file under root. */
export function checkLayers(root: string): Violation[] {
  const manifest = readManifest(root);
  const violations: Violation[] = [];
  for (const file of listSourceFiles(root)) {
    const source = parse(root, file);
    for (const site of findImports(source)) {
      const broken = checkImport(file, site, manifest);
      if (broken.length === 0 || hasException(source, site.node, ALLOW_IMPORT)) continue;
      for (const [rule, why] of broken) {
        violations.push({ file, line: site.line, rule, message: `imports ${site.specifier}: ${why}` });
      }
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------------------
// Sizes

/** The node a function's explanatory comment sits above: its declaration statement, property or itself. */
function commentAnchor(fn: ts.Node): ts.Node {
  let anchor: ts.Node = fn;
  while (
    anchor.parent !== undefined &&
    (ts.isVariableDeclaration(anchor.parent) ||
      ts.isVariableDeclarationList(anchor.parent) ||
      ts.isVariableStatement(anchor.parent) ||
      ts.isPropertyAssignment(anchor.parent) ||
      ts.isPropertyDeclaration(anchor.parent) ||
      ts.isExportAssignment(anchor.parent) ||
      ts.isParenthesizedExpression(anchor.parent) ||
      ts.isAsExpression(anchor.parent) ||
      ts.isSatisfiesExpression(anchor.parent) ||
      ts.isCallExpression(anchor.parent))
  ) {
    anchor = anchor.parent;
  }
  return anchor;
}

/** A matching comment on the node's first line, or in the comments directly above it. */
function hasException(source: ts.SourceFile, node: ts.Node, pattern: RegExp): boolean {
  const text = source.getFullText();
  const leading = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  if (leading.some((range) => pattern.test(text.slice(range.pos, range.end)))) return true;
  const start = node.getStart(source);
  const lineEnd = text.indexOf('\n', start);
  return pattern.test(commentsIn(text.slice(start, lineEnd === -1 ? text.length : lineEnd)));
}

/** The `//` comment at the end of one line of code, if any (rough, but enough for a first line). */
function commentsIn(line: string): string {
  const at = line.indexOf('//');
  return at === -1 ? '' : line.slice(at);
}

function functionName(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name !== undefined) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isCallExpression(node.parent)) return `(callback of ${node.parent.expression.getText(source).slice(0, 40)})`;
  if (ts.isPropertyAssignment(node.parent) || ts.isPropertyDeclaration(node.parent)) return node.parent.name.getText(source);
  const anchor = commentAnchor(node);
  if (ts.isVariableStatement(anchor)) return anchor.declarationList.declarations[0]?.name.getText(source) ?? '(anonymous)';
  return '(anonymous)';
}

const lineOf = (source: ts.SourceFile, position: number): number => source.getLineAndCharacterOfPosition(position).line + 1;

/** Files over MAX_FILE_LINES and functions over MAX_FUNCTION_LINES in the application folders. */
export function checkSizes(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const file of listSourceFiles(root, APPLICATION_FOLDERS)) {
    const source = parse(root, file);
    const lines = source.getLineStarts().length - (source.text.endsWith('\n') ? 1 : 0);
    const first = source.statements[0];
    if (lines > MAX_FILE_LINES && !(first !== undefined && hasException(source, first, ALLOW_SIZE))) {
      violations.push({ file, line: 1, rule: 'file-size', message: `has ${lines} lines (max ${MAX_FILE_LINES})` });
    }
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
        const fn = node as ts.FunctionLikeDeclaration;
        const start = lineOf(source, fn.getStart(source));
        const length = lineOf(source, fn.getEnd()) - start + 1;
        if (length > MAX_FUNCTION_LINES && !hasException(source, commentAnchor(fn), ALLOW_SIZE) && !hasException(source, fn, ALLOW_SIZE)) {
          const name = functionName(fn, source);
          violations.push({ file, line: start, rule: 'function-size', message: `${name} has ${length} lines (max ${MAX_FUNCTION_LINES})` });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------------------
// CLI: `npm run check:layers` (add `--sizes` for the size report too)

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const layers = checkLayers(root);
  const sizes = process.argv.includes('--sizes') ? checkSizes(root) : [];
  for (const v of [...layers, ...sizes]) console.log(formatViolation(v));
  const total = layers.length + sizes.length;
  console.log(total === 0 ? 'architecture checks: no violations' : `architecture checks: ${total} violation(s)`);
  process.exitCode = total === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
