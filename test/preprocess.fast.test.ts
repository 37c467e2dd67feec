/**
 * The preprocessor's errors are located (file:line:col, as the compiler words them), and
 * recursive, exponential or cyclic input ends in bounded time. Node only: the comparison with
 * `cc -E` is in preprocess.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { FileCache, Preprocessor } from '../src/cfront/preprocess.js';
import { CFrontError } from '../src/cfront/token.js';

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
    expect(
      pp()
        .preprocessSource('#define a a b\na\n', 'x.h')
        .map((t) => t.text),
    ).toEqual(['a', 'b']);
    const exp = ['#define m0 x', ...Array.from({ length: 40 }, (_, i) => `#define m${i + 1} m${i} m${i}`), 'm40'].join(
      '\n',
    );
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
