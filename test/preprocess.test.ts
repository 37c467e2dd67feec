/**
 * The preprocessor against the compiler's: each fixture is run through `cc -E -P` and through
 * ioctl32; the token sequences must be equal (whitespace does not count). Fixtures: the C11
 * standard's macro examples, GNU extensions the kernel headers use, #if arithmetic, includes.
 * Its located errors, which need Node only, are in preprocess.fast.test.ts.
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
import { referenceCompiler } from './harness/compile.js';

const run = promisify(execFile);
const FIXTURES = resolve('test/fixtures/pp');

async function compilerTokens(abiName: string, file: string, includeDirs: string[] = []): Promise<string[]> {
  const cc = referenceCompiler(getAbi(abiName));
  const { stdout } = await run(cc.command, [
    ...cc.args,
    '-E',
    '-P',
    '-w',
    '-undef',
    ...predefineArgs(abiName),
    '-nostdinc',
    ...includeDirs.flatMap((d) => ['-I', d]),
    file,
  ]);
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
        '#include <sub/guarded.h>',
        '#include <sub/guarded.h>',
        '#include "a/once.h"',
        '#include <once.h>',
        '#include <next.h>',
        '#include <sub/local.h>',
        '#define HDR <sub/guarded.h>',
        '#include HDR',
        '#if __has_include(<next.h>) && !__has_include(<missing.h>)',
        'has_include_works',
        '#endif',
      ].join('\n'),
    );
    for (const abi of ['x86_64', 'm68k']) {
      expect(ourTokens(abi, main, [a, b]).join(' ')).toBe((await compilerTokens(abi, main, [a, b])).join(' '));
    }
  });
});

test('fixtures exist', () => {
  expect(readdirSync(FIXTURES).length).toBeGreaterThanOrEqual(5);
  expect(readFileSync(join(FIXTURES, 'gnu.c'), 'utf8')).toMatch(/DRM_IOR/);
});
