/**
 * Bad input: real UAPI headers mutated by fast-check (lines and tokens deleted, duplicated,
 * swapped; stray characters inserted). Every case must end in a result or a located error
 * (file:line:col) within a time bound — never a crash, hang or unlocated exception. The cases
 * share include and chunk memos (replayed into mutated includers), and every tenth must end
 * exactly as it does without them.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { BUILTIN_INCLUDE_DIR } from '../src/cfront/index.js';
import { Parser } from '../src/cfront/parser.js';
import type { IncludeMemos } from '../src/cfront/memo.js';
import { FileCache, Preprocessor } from '../src/cfront/preprocess.js';
import { CFrontError } from '../src/cfront/token.js';
import { catalogueIoctls } from '../src/ioctl/catalogue.js';
import { Layouter } from '../src/layout/layout.js';
import { LayoutError } from '../src/layout/types.js';

const CASES = Number(process.env.IOCTL32_FUZZ_CASES ?? 10_000);
const SEED = Number(process.env.IOCTL32_SEED ?? Date.now() % 2 ** 31);
const abi = getAbi('x86_64');
const INCLUDE = `/usr/${abi.headerTriple}/include`;
const HEADERS = [
  'linux/kvm.h',
  'linux/videodev2.h',
  'sound/asound.h',
  'drm/drm.h',
  'linux/input.h',
  'linux/fs.h',
  'linux/if.h',
  'linux/loop.h',
];
const sources = HEADERS.map((h) => ({ path: `${INCLUDE}/${h}`, text: readFileSync(`${INCLUDE}/${h}`, 'latin1') }));
const files = new FileCache();
const memos: IncludeMemos = new Map();
const layouter = new Layouter(abi);

/** A case's outcome: its error, or its records' sizes and its ioctls' numbers. */
function outcome(text: string, path: string, memo: boolean): string {
  try {
    const pp = new Preprocessor({
      abi,
      includeDirs: [BUILTIN_INCLUDE_DIR, INCLUDE],
      files,
      ...(memo ? { memos, shareChunks: true } : {}),
    });
    const sizes = memo ? layouter : new Layouter(abi);
    const parser = new Parser(abi, sizes);
    const unit = parser.parse(pp.preprocessSource(text, path), pp.segments);
    const cat = catalogueIoctls(abi, pp, parser);
    const records = [...unit.records].map(([name, decl]) => `${name}:${sizes.layout(decl).size}`);
    return JSON.stringify({
      records,
      ioctls: cat.ioctls.map((e) => `${e.name}=${e.cmd}`),
      unresolved: cat.unresolved.map((u) => u.message),
    });
  } catch (e) {
    if (!(e instanceof CFrontError) && !(e instanceof LayoutError)) throw e;
    return `error: ${e.message}`;
  }
}
const STRAY = [
  '(',
  ')',
  '{',
  '}',
  '#',
  '"',
  "'",
  '/*',
  '*/',
  '\\',
  '##',
  '#if 1',
  '#endif',
  '#define',
  ',',
  ';',
  '[',
  ']',
  '__attribute__((',
  'struct',
  '0x',
  ':',
  '<',
  '...',
];

type Mutation =
  | { op: 'deleteLine' | 'duplicateLine'; at: number }
  | { op: 'swapLines'; at: number; with: number }
  | { op: 'deleteChars' | 'duplicateChars'; at: number; length: number }
  | { op: 'insert'; at: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('deleteLine' as const, 'duplicateLine' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swapLines' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({
    op: fc.constantFrom('deleteChars' as const, 'duplicateChars' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...STRAY) }),
);

function apply(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const line = m.at % lines.length;
  const i = m.at % (text.length + 1);
  switch (m.op) {
    case 'deleteLine':
      lines.splice(line, 1);
      return lines.join('\n');
    case 'duplicateLine':
      lines.splice(line, 0, lines[line]!);
      return lines.join('\n');
    case 'swapLines': {
      const j = m.with % lines.length;
      [lines[line], lines[j]] = [lines[j]!, lines[line]!];
      return lines.join('\n');
    }
    case 'deleteChars':
      return text.slice(0, i) + text.slice(i + m.length);
    case 'duplicateChars':
      return text.slice(0, i + m.length) + text.slice(i, i + m.length) + text.slice(i + m.length);
    case 'insert':
      return `${text.slice(0, i)} ${m.text} ${text.slice(i)}`;
  }
}

test(`${CASES} mutated headers end in a result or a located error (seed ${SEED})`, () => {
  let ok = 0;
  let errors = 0;
  let slowest = 0;
  let runs = 0;
  let compared = 0;
  fc.assert(
    fc.property(
      fc.nat({ max: sources.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      (which, mutations) => {
        const src = sources[which]!;
        const text = mutations.reduce(apply, src.text);
        const t0 = performance.now();
        const result = outcome(text, src.path, true);
        if (result.startsWith('error: ')) {
          expect(result).toMatch(/^error: [^\s:]+:\d+:\d+: /);
          errors++;
        } else ok++;
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        expect(ms).toBeLessThan(10_000);
        if (++runs % 10 === 0) {
          expect(result).toBe(outcome(text, src.path, false));
          compared++;
        }
      },
    ),
    { numRuns: CASES, seed: SEED },
  );
  console.log(
    `${CASES} cases: ${ok} parsed, ${errors} located errors, slowest ${slowest.toFixed(0)} ms; ` +
      `${compared} equal without the include memo`,
  );
  expect(ok + errors).toBe(CASES);
  expect(compared).toBe(Math.floor(CASES / 10));
});
