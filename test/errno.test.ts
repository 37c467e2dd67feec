/**
 * errno per ABI: src/abi/errno.ts is typed in by hand from arch/<arch>/include/uapi/asm/errno.h.
 * Every number is checked here against each ABI's own <asm/errno.h> through its reference
 * compiler, every name the header defines must be in the table, and the thunk and the kernel
 * model must hand a task the numbers of its architecture.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ABIS, errnoOf, errnos, getAbi, KERNEL_ERRNO } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { Kernel, installLoop, installRandom, macroNumbers, type RegularFileState } from '../src/kernel/index.js';
import { compileConverter } from '../src/thunk/compile.js';
import { ERRNO, ErrnoError } from '../src/thunk/errors.js';
import { compileObject, referenceCompiler } from './harness/compile.js';
import { u32Array } from './harness/elf.js';
import { compilerIncludeArgs } from './harness/uapi.js';
import { m, rec, struct, t } from './harness/dsl.js';

const run = promisify(execFile);
/** A name the header leaves undefined reads back as this. */
const UNDEFINED = 0xffffffff;

/** The table's UAPI names for an ABI: everything but the kernel-internal ones. */
function uapiTable(abi: Abi): Record<string, number> {
  return Object.fromEntries(Object.entries(errnos(abi)).filter(([name]) => !(name in KERNEL_ERRNO)));
}

/** The E* macros the ABI's <asm/errno.h> defines, from the preprocessor. */
async function headerNames(abi: Abi): Promise<string[]> {
  const cc = referenceCompiler(abi);
  const include = await compilerIncludeArgs(abi);
  const args = [...cc.args, ...include, '-dM', '-E', '-include', 'asm/errno.h', '-x', 'c', '/dev/null'];
  const { stdout } = await run(cc.command, args, { maxBuffer: 16 << 20 });
  return [...stdout.matchAll(/^#define (E[A-Z0-9]+)\s/gm)].map((x) => x[1]!).sort();
}

const compiled = new Map<string, Promise<Record<string, number>>>();

/** Every name of the table as the ABI's <asm/errno.h> numbers it (UNDEFINED where it has no such name). */
function headerNumbers(abi: Abi): Promise<Record<string, number>> {
  let p = compiled.get(abi.name);
  if (!p) {
    const names = Object.keys(uapiTable(abi));
    const src = [
      '#include <asm/errno.h>',
      'const unsigned int errnos[] = {',
      ...names.map((n) => `#ifdef ${n}\n  ${n},\n#else\n  ${UNDEFINED}u,\n#endif`),
      '};',
    ].join('\n');
    p = compilerIncludeArgs(abi)
      .then((inc) => compileObject(abi, src, inc))
      .then((obj) => {
        const got = u32Array(obj, 'errnos');
        return Object.fromEntries(names.map((n, i) => [n, got[i]!]));
      });
    compiled.set(abi.name, p);
  }
  return p;
}

describe.concurrent("each ABI's <asm/errno.h>", () => {
  for (const abi of ABIS) {
    test(`${abi.name} (${abi.errnoFamily}): every number of the table`, async () => {
      expect(await headerNumbers(abi)).toEqual(uapiTable(abi));
    });
    test(`${abi.name}: every name the header defines is in the table`, async () => {
      const table = uapiTable(abi);
      expect((await headerNames(abi)).filter((n) => !(n in table))).toEqual([]);
    });
  }
});

describe('the table', () => {
  test('the numbers the issue names', () => {
    const at = (name: string) => errnoOf(getAbi(name), 'EOVERFLOW');
    expect(['x86_64', 'mips', 'sparc', 'parisc'].map(at)).toEqual([75, 79, 92, 72]);
    for (const abi of ABIS) expect([errnoOf(abi, 'EFAULT'), errnoOf(abi, 'EINVAL')]).toEqual([14, 22]);
  });

  test('a compat ABI numbers errno as its native one: the kernel is the same', () => {
    for (const native of ABIS) for (const c of native.compat) expect(getAbi(c).errnoFamily).toBe(native.errnoFamily);
  });

  test('ERRNO is the generic table, with the kernel-internal ENOIOCTLCMD', () => {
    expect(ERRNO).toEqual(errnos(getAbi('x86_64')));
    expect(ERRNO.ENOIOCTLCMD).toBe(515);
  });

  // Debian's kernel headers package (kbuild) has the kernel's own include/linux/errno.h
  const src = '/usr/src';
  const trees = existsSync(src) ? readdirSync(src).filter((d) => /^linux-headers-.*-common$/.test(d)) : [];
  const kernelErrno = trees.map((d) => join(src, d, 'include/linux/errno.h')).find((f) => existsSync(f));
  test.skipIf(!kernelErrno)('the kernel-internal numbers are include/linux/errno.h', () => {
    const text = readFileSync(kernelErrno!, 'utf8');
    const defines = [...text.matchAll(/^#define\s+(E[A-Z0-9_]+)\s+(\d+)/gm)];
    const defined = Object.fromEntries(defines.map((x) => [x[1]!, Number(x[2])]));
    expect(defined).toEqual({ ...KERNEL_ERRNO });
  });
});

describe('errors carry their name; each ABI gives the number', () => {
  const s = struct('s', [m('l', t('long'))]);
  const pairs = [
    ['x86_64', 'i386'],
    ['mips64', 'mips'],
    ['sparc64', 'sparc'],
    ['parisc64', 'parisc'],
  ] as const;
  for (const [nativeName, compatName] of pairs) {
    test(`a ${nativeName} <- ${compatName} converter's EOVERFLOW`, async () => {
      const native = getAbi(nativeName);
      const compat = getAbi(compatName);
      const conv = compileConverter(rec(s), rec(s), native, compat);
      const big = new Uint8Array(8).fill(0x7f);
      let err: unknown;
      try {
        conv.nativeToCompat(big);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ErrnoError);
      const e = err as ErrnoError;
      const header = await headerNumbers(native);
      expect([e.code, e.abi?.name, e.errno]).toEqual(['EOVERFLOW', nativeName, header.EOVERFLOW]);
      expect(e.errnoFor(getAbi('x86_64'))).toBe(75);
    });
  }

  test('an error that names no ABI has the generic number', () => {
    const e = new ErrnoError('EOVERFLOW', 'x');
    expect([e.errno, e.errnoFor(getAbi('sparc')), e.raisedOn(getAbi('sparc')).errno]).toEqual([75, 92, 92]);
    expect(e.raisedOn(getAbi('sparc')).message).toBe(e.message);
  });
});

describe("the kernel model returns its architecture's numbers", () => {
  // the natives the model boots: on ppc64(le), sparc64 and alpha asm/ioctls.h spells FIOQSIZE with
  // loff_t, which it does not define, so Kernel's common numbers stop there
  const natives = ['x86_64', 'arm64', 's390x', 'mips64', 'riscv64', 'parisc64'].map(getAbi);
  for (const native of natives) {
    test(`${native.name}: ENODATA from /dev/random, EOVERFLOW from a loop device`, async () => {
      const header = await headerNumbers(native);
      const kernel = new Kernel(native);
      installRandom(kernel, { initBits: 0, readyBits: 256 });
      installLoop(kernel);
      const tasks = [kernel.spawn('t64'), ...native.compat.map((c) => kernel.spawn('t32', getAbi(c)))];
      const { RNDRESEEDCRNG } = macroNumbers(native, ['linux/random.h'], ['RNDRESEEDCRNG']);
      const loop = macroNumbers(native, ['linux/loop.h'], ['LOOP_SET_FD', 'LOOP_SET_STATUS64']);
      for (const task of tasks) {
        const side = `${native.name} ${task.abi.name}`;
        const random = kernel.open(task, '/dev/random');
        expect({ side, r: kernel.ioctl(task, random, RNDRESEEDCRNG!, 0) }).toEqual({ side, r: -header.ENODATA! });
      }
      // LOOP_SET_STATUS64 with lo_offset (bytes 24..31 of struct loop_info64) past the largest loff_t
      const task = tasks[0]!;
      const file = { name: 'ext4', kind: 'regular' as const, major: 0, minor: 0, fops: {} };
      const state: RegularFileState = { size: 1n << 20n, pos: 0n, blockSize: 4096, allocated: 0n, flags: 0 };
      const backing = kernel.openDevice(task, file, state);
      const lfd = kernel.open(task, '/dev/loop0');
      expect(kernel.ioctl(task, lfd, loop.LOOP_SET_FD!, backing)).toBe(0);
      const info = new Uint8Array(232);
      info.fill(0xff, 24, 32);
      const arg = task.memory.alloc(info.length, info);
      expect(kernel.ioctl(task, lfd, loop.LOOP_SET_STATUS64!, arg)).toBe(-header.EOVERFLOW!);
    });
  }
});
