// ESLint 9 flat config. The pipeline's direction (src/stages.json) as import/no-restricted-paths zones:
// each stage's folder may not import the stages to its right; test/import-graph.test.ts checks the same table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;
const STAGES = JSON.parse(readFileSync(join(ROOT, 'src/stages.json'), 'utf8'));
const ALL = STAGES.pipeline.flat();

/** One zone per stage: the stages it may not import (right of it, not a sibling) and the root. */
function zones() {
  const out = STAGES.pipeline.flatMap((group, i) =>
    group.map((stage) => {
      const allowed = [...STAGES.pipeline.slice(0, i).flat(), stage, ...(STAGES.siblings[stage] ?? [])];
      const may = [...allowed.filter((s) => s !== stage), ...STAGES.shared].join(', ');
      return {
        target: `./src/${stage}`,
        from: [...ALL.filter((s) => !allowed.includes(s)).map((s) => `./src/${s}`), `./src/${STAGES.root}`],
        message: `Against the pipeline (src/stages.json): ${stage} may import ${may}.`,
      };
    }),
  );
  // the shared files sit below every stage
  for (const file of STAGES.shared) {
    out.push({
      target: `./src/${file}`,
      from: [...ALL.map((s) => `./src/${s}`), `./src/${STAGES.root}`],
      message: `${file} is shared by every stage and imports none.`,
    });
  }
  return out;
}

export default [
  { ignores: ['dist/', '.cache/', 'node_modules/', 'include/', 'test/fixtures/'] },
  // typescript-eslint's type-aware recommended rules on the sources
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['src/**/*.ts', 'src/**/*.cts'] })),
  {
    files: ['src/**/*.ts', 'src/**/*.cts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: ROOT } },
    rules: {
      // `_name` marks what a destructuring leaves out on purpose
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
    },
  },
  {
    // the lexer names character codes in a const enum and compares charCodeAt() numbers with them
    files: ['src/cfront/lexer.ts'],
    rules: { '@typescript-eslint/no-unsafe-enum-comparison': 'off' },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.cts'],
    languageOptions: { parser: tseslint.parser },
    // typescript-eslint's plugin is registered (no rule of it on yet) so the sources' disable comments name known rules
    plugins: { import: importPlugin, '@typescript-eslint': tseslint.plugin },
    // `.js` specifiers name `.ts` sources: the TypeScript resolver maps them as tsc does
    settings: { 'import/resolver': { typescript: { project: join(ROOT, 'tsconfig.json') } } },
    rules: { 'import/no-restricted-paths': ['error', { basePath: ROOT, zones: zones() }] },
  },
];
