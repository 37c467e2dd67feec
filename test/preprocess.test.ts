/**
 * The preprocessor against the compiler's: each fixture is run through `cc -E -P` and through
 * ioctl32; the token sequences must be equal (whitespace does not count). Fixtures: the C11
 * standard's macro examples, GNU extensions the kernel headers use, #if arithmetic, includes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { tokenize } from '../src/cfront/lexer.js';
import { FileCache, Preprocessor } from '../src/cfront/preprocess.js';
import { CFrontError } from '../src/cfront/token.js';
import { referenceCompiler } from './harness/compile.js';

const run = promisify(execFile);
const FIXTURES = resolve('test/fixtures/pp');

async function compilerTokens(abiName: string, file: string, includeDirs: string[] = []): Promise<string[]> {
  const cc = referenceCompiler(getAbi(abiName));
  const { stdout } = await run(cc.command, [...cc.args, '-E', '-P', '-w', '-undef', ...predefineArgs(abiName), '-nostdinc', ...includeDirs.flatMap((d) => ['-I', d]), file]);
  return tokenize(stdout, 'out').map((t) => t.text);
}

/** -undef drops the compiler's own macros; give it ioctl32's so both sides start equal. */
function predefineArgs(abiName: string): string[] {
  return Object.entries(getAbi(abiName).predefined).map(([k, v]) => `-D${k}=${v}`);
}

function ourTokens(abiName: string, file: string, includeDirs: string[] = []): string[] {
  const pp = new Preprocessor({ abi: getAbi(abiName), includeDirs, files: new FileCache() });
  return pp.preprocessFile(file).map((t) => t.text);
}

describe.concurrent('preprocessor output equals the compiler', () => {
  for (const fixture of readdirSync(FIXTURES).filter((f) => f.endsWith('.c'))) {
    for (const abi of ['x86_64', 'arm64', 'm68k']) {
      test(`${fixture} (${abi})`, async () => {
        const file = join(FIXTURES, fixture);
        expect(ourTokens(abi, file).join(' ')).toBe((await compilerTokens(abi, file)).join(' '));
      });
    }
  }

  test('includes: quoted, angled, include_next, guards, #pragma once, __has_include, computed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-pp-'));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(join(a, 'sub'), { recursive: true });
    mkdirSync(b);
    writeFileSync(join(a, 'sub', 'guarded.h'), '#ifndef GUARDED_H\n#define GUARDED_H\nguarded_body\n#endif\n');
    writeFileSync(join(a, 'once.h'), '#pragma once\nonce_body\n');
    writeFileSync(join(a, 'next.h'), 'next_a\n#include_next <next.h>\n');
    writeFileSync(join(b, 'next.h'), 'next_b\n');
    writeFileSync(join(a, 'sub', 'local.h'), '#include "sibling.h"\n');
    writeFileSync(join(a, 'sub', 'sibling.h'), 'sibling_body\n');
    const main = join(dir, 'main.c');
    writeFileSync(
      main,
      [
        '#include <sub/guarded.h>', '#include <sub/guarded.h>', '#include "a/once.h"', '#include <once.h>',
        '#include <next.h>', '#include <sub/local.h>', '#define HDR <sub/guarded.h>', '#include HDR',
        '#if __has_include(<next.h>) && !__has_include(<missing.h>)', 'has_include_works', '#endif',
      ].join('\n'),
    );
    for (const abi of ['x86_64', 'm68k']) {
      expect(ourTokens(abi, main, [a, b]).join(' ')).toBe((await compilerTokens(abi, main, [a, b])).join(' '));
    }
  });
});

describe('preprocessor errors are located', () => {
  const pp = () => new Preprocessor({ abi: getAbi('x86_64'), includeDirs: [], files: new FileCache() });
  const error = (src: string): CFrontError => {
    try {
      pp().preprocessSource(src, 'x.h');
    } catch (e) {
      if (e instanceof CFrontError) return e;
      throw e;
    }
    throw new Error('expected an error');
  };
  test.each([
    ['#if 1\nfoo\n', /^x\.h:1:1: error: unterminated conditional directive/],
    ['#endif\n', /^x\.h:1:2: error: #endif without #if/],
    ['#else\n', /#else without #if/],
    ['#if 1\n#else\n#else\n#endif\n', /^x\.h:3:2: error: #else after #else/],
    ['#include <nope.h>\n', /^x\.h:1:10: error: 'nope.h' file not found/],
    ['#error stop here\n', /^x\.h:1:2: error: #error stop here/],
    ['#define f(a) a\nf(1\n', /^x\.h:2:1: error: unterminated argument list invoking macro 'f'/],
    ['#define f(a, b) a\nf(1)\n', /macro 'f' requires 2 arguments, but only 1 given/],
    ['#define f(a) a\nf(1, 2)\n', /macro 'f' passed 2 arguments, but takes just 1/],
    ['#if 1 / 0\n#endif\n', /^x\.h:1:7: error: division by zero/],
    ['#if 1 +\n#endif\n', /expected value in expression/],
    ['#foo\n', /invalid preprocessing directive #foo/],
    ['/* never closed\n', /^x\.h:1:1: error: unterminated \/\* comment/],
    ['x = "abc\n', /^x\.h:1:5: error: missing terminating " character/],
    ['#define a(x) #y\n', /'#' is not followed by a macro parameter/],
    ['#define a ## b\n', /'##' cannot appear at either end/],
    ['#define cat(a, b) a ## b\ncat(+, /)\n', /pasting "\+" and "\/" does not give a valid preprocessing token/],
  ])('%j', (src, message) => {
    expect(error(src).message).toMatch(message);
  });

  test('recursive and exponential macros end in bounded time', () => {
    expect(pp().preprocessSource('#define a a b\na\n', 'x.h').map((t) => t.text)).toEqual(['a', 'b']);
    const exp = ['#define m0 x', ...Array.from({ length: 40 }, (_, i) => `#define m${i + 1} m${i} m${i}`), 'm40'].join('\n');
    const t0 = Date.now();
    expect(() => pp().preprocessSource(exp, 'x.h')).toThrow(/macro expansion exceeds/);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  test('an include cycle without guards stops with a located error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-cycle-'));
    writeFileSync(join(dir, 'loop.h'), '#include "loop.h"\n');
    const p = new Preprocessor({ abi: getAbi('x86_64'), includeDirs: [dir], files: new FileCache() });
    expect(() => p.preprocessFile(join(dir, 'loop.h'))).toThrow(/loop\.h:1:10: error: #include nested too deeply/);
  });
});

test('fixtures exist', () => {
  expect(readdirSync(FIXTURES).length).toBeGreaterThanOrEqual(5);
  expect(readFileSync(join(FIXTURES, 'gnu.c'), 'utf8')).toMatch(/DRM_IOR/);
});
