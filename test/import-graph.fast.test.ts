/**
 * The import graph of src/ follows the pipeline of src/stages.json: no file imports a stage to
 * its right. The same table drives eslint.config.js; this test keeps the rule in `npm test`, and
 * catches what the lint rule does not see (`import('...')` types, a folder missing from the table).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Stages {
  pipeline: string[][];
  siblings: Record<string, string[]>;
  shared: string[];
  root: string;
}

const STAGES = JSON.parse(readFileSync(join(ROOT, 'src/stages.json'), 'utf8')) as Stages;

/** Per stage, the stages it may import: itself, every stage of an earlier group, its siblings. */
const ALLOWED = new Map<string, string[]>(
  STAGES.pipeline.flatMap((group, i) =>
    group.map((stage): [string, string[]] => [
      stage,
      [...STAGES.pipeline.slice(0, i).flat(), stage, ...(STAGES.siblings[stage] ?? [])],
    ]),
  ),
);

/** What a path below src/ belongs to: a stage (its folder), a shared file, the root, or nothing known. */
function unitOf(srcPath: string): string {
  const [first, ...rest] = srcPath.split('/');
  return rest.length ? first! : first!.replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts');
}

interface ImportSite {
  specifier: string;
  line: number;
}

/** Every module a file names: import, import type, export from, import(), `import('x').T` types. */
function importsOf(file: string, text: string): ImportSite[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node | undefined) => {
    if (!node || !ts.isStringLiteralLike(node)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    sites.push({ specifier: node.text, line });
  };
  const visit = (node: ts.Node) => {
    add(specifierOf(node));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** The module a node names, if it is an import, an export from, an import() call or an import() type. */
function specifierOf(node: ts.Node): ts.Node | undefined {
  if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return node.moduleSpecifier;
  if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
    return node.moduleReference.expression;
  }
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) return node.arguments[0];
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) return node.argument.literal;
  return undefined;
}

/** Why `from` may not import `to` (units of unitOf), or null when it may. */
function refusal(from: string, to: string): string | null {
  const known = (u: string) => ALLOWED.has(u) || STAGES.shared.includes(u) || u === STAGES.root;
  if (!known(from)) return `${from} is not a stage of src/stages.json`;
  if (!known(to)) return `${to} is not a stage of src/stages.json`;
  if (to === STAGES.root) return `nothing imports ${STAGES.root} (it imports every stage)`;
  if (STAGES.shared.includes(to) || from === STAGES.root) return null;
  if (STAGES.shared.includes(from)) return `${from} is shared by every stage and imports none`;
  const allowed = ALLOWED.get(from)!;
  if (allowed.includes(to)) return null;
  const others = allowed.filter((s) => s !== from);
  const may = [...others, ...STAGES.shared].join(', ');
  const group = (stage: string) => STAGES.pipeline.findIndex((g) => g.includes(stage));
  const where = group(to) === group(from) ? 'is beside' : 'comes after';
  return `${to} ${where} ${from} in the pipeline; ${from} may import ${may}`;
}

/** `file:line: from imports to ('specifier'): why`, for every import against the pipeline. */
function backwardImports(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    const from = unitOf(posix.relative('src', file));
    for (const { specifier, line } of importsOf(file, text)) {
      if (!specifier.startsWith('.')) continue;
      const target = posix.relative('src', posix.join(posix.dirname(file), specifier));
      if (target.startsWith('..')) continue;
      const to = unitOf(target);
      const why = refusal(from, to);
      if (why !== null) out.push(`${file}:${line}: ${from} imports ${to} ('${specifier}'): ${why}`);
    }
  }
  return out;
}

function sourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const names = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' });
  for (const name of names.filter((n) => /\.c?ts$/.test(n)).sort()) {
    const file = posix.join('src', name.split('\\').join('/'));
    files.set(file, readFileSync(join(ROOT, file), 'utf8'));
  }
  return files;
}

describe('import graph', () => {
  test('no file of src/ imports against the pipeline', () => {
    expect(backwardImports(sourceFiles())).toEqual([]);
  });

  test('every folder and top-level file of src/ has its place in src/stages.json', () => {
    const entries = readdirSync(join(ROOT, 'src'), { withFileTypes: true });
    const places = entries
      .filter((e) => e.isDirectory() || /\.c?ts$/.test(e.name))
      .map((e) => e.name)
      .filter((name) => !ALLOWED.has(name) && !STAGES.shared.includes(name) && name !== STAGES.root);
    expect(places).toEqual([]);
  });

  test('a backward import is named with its file, line and stages, in every form', () => {
    const compare = [
      "import { a } from './compare.js';",
      "import { UsageError } from '../errors.js';",
      "import { Layouter } from '../layout/layout.js';",
      "import '../report/check.js';",
      "import type { Cli } from '../cli/main.js';",
      "export * from '../index.js';",
      "const thunk = await import('../thunk/convert.js');",
      "type G = import('../codegen/c.js').GeneratedC;",
    ].join('\n');
    const errors = "import { Abi } from './abi/types.js';\n";
    const kernel = "import { ERRNO } from '../thunk/errors.js';\nimport { formatCheck } from '../report/check.js';\n";
    const codegen = "import { installLoop } from '../kernel/loop.js';\n";
    const files = new Map([
      ['src/compat/compare.ts', compare],
      ['src/errors.ts', errors],
      ['src/kernel/kernel.ts', kernel],
      ['src/codegen/c.ts', codegen],
      ['src/gui/serve.ts', "import { ABIS } from '../abi/table.js';\n"],
    ]);
    const mayCompat =
      'compat in the pipeline; compat may import abi, cfront, layout, ioctl, scan, errors.ts, cache-root.cts';
    expect(backwardImports(files)).toEqual([
      `src/compat/compare.ts:4: compat imports report ('../report/check.js'): report comes after ${mayCompat}`,
      `src/compat/compare.ts:5: compat imports cli ('../cli/main.js'): cli comes after ${mayCompat}`,
      "src/compat/compare.ts:6: compat imports index.ts ('../index.js'): " +
        'nothing imports index.ts (it imports every stage)',
      `src/compat/compare.ts:7: compat imports thunk ('../thunk/convert.js'): thunk comes after ${mayCompat}`,
      `src/compat/compare.ts:8: compat imports codegen ('../codegen/c.js'): codegen comes after ${mayCompat}`,
      "src/errors.ts:1: errors.ts imports abi ('./abi/types.js'): errors.ts is shared by every stage and imports none",
      "src/kernel/kernel.ts:2: kernel imports report ('../report/check.js'): report is beside kernel in the " +
        'pipeline; kernel may import abi, cfront, layout, ioctl, scan, compat, thunk, errors.ts, cache-root.cts',
      "src/codegen/c.ts:1: codegen imports kernel ('../kernel/loop.js'): kernel is beside codegen in the " +
        'pipeline; codegen may import abi, cfront, layout, ioctl, scan, compat, errors.ts, cache-root.cts',
      "src/gui/serve.ts:1: gui imports abi ('../abi/table.js'): gui is not a stage of src/stages.json",
    ]);
  });
});
