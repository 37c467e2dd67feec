/**
 * The ABI table is data typed in by hand: every size, alignment, signedness and predefined
 * macro in it is checked here against the ABI's reference compiler.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ABIS, compatPairs, compatPtr, getAbi } from '../src/abi/index.js';
import type { ScalarKey } from '../src/abi/types.js';
import { compileObject, referenceCompiler } from './harness/compile.js';
import { u32Array } from './harness/elf.js';
import { linuxSourceFiles, linuxSourceTarball } from './harness/linux-source.js';

const run = promisify(execFile);

/**
 * Compiler macros the headers test that ioctl32 leaves undefined, each because no layout or number
 * depends on it: clang's identity (ioctl32 presents GCC 12, as Debian builds with), inline and
 * floating-point evaluation semantics, a limit's value, position-independent code, and the guard of
 * <stdc-predef.h>, which the compiler includes before every unit and ioctl32 does not.
 */
const UNCONSULTED = new Set([
  '__clang__',
  '__clang_major__',
  '__clang_minor__',
  '__GNUC_STDC_INLINE__',
  '__GCC_IEC_559',
  '__GCC_IEC_559_COMPLEX',
  '__FLT_EVAL_METHOD__',
  '__FP_FAST_FMA',
  '__FP_FAST_FMAF',
  '__WCHAR_MIN__',
  '__PIC__',
  '_STDC_PREDEF_H',
]);

const testedCache = new Map<string, Set<string>>();

/** The identifiers of every #if/#ifdef/#ifndef/#elif line of the headers under `dir` (string literals left out). */
function testedNames(dir: string): Set<string> {
  let names = testedCache.get(dir);
  if (names) return names;
  names = new Set();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.h')) {
        for (const line of readFileSync(p, 'latin1').split('\n')) {
          if (!/^\s*#\s*(if|ifdef|ifndef|elif)\b/.test(line)) continue;
          for (const m of line.replace(/"[^"]*"/g, '').matchAll(/\b[A-Za-z_]\w*\b/g)) names.add(m[0]);
        }
      }
    }
  };
  walk(dir);
  testedCache.set(dir, names);
  return names;
}

const C_TYPES: Record<ScalarKey, string> = {
  bool: '_Bool',
  char: 'char',
  short: 'short',
  int: 'int',
  long: 'long',
  longLong: 'long long',
  int128: '__int128',
  pointer: 'void *',
  float: 'float',
  double: 'double',
  longDouble: 'long double',
};

/**
 * gcc and clang spell the same things differently: `short int` / `short`, `0x7f` / `127`,
 * `long unsigned int` / `unsigned long`. Compare meanings, not spellings.
 */
function sameMacroValue(compiler: string | undefined, ours: string): boolean {
  if (compiler === undefined) return false;
  const number = (v: string) => (/^(0x[0-9a-f]+|[0-9]+)[ul]*$/i.test(v) ? BigInt(v.replace(/[ul]+$/i, '')) : undefined);
  const nc = number(compiler);
  if (nc !== undefined) return nc === number(ours) && suffix(compiler) === suffix(ours);
  return typeWords(compiler) === typeWords(ours);
}
const suffix = (v: string) => /[ul]*$/i.exec(v)![0].toLowerCase().replace('ll', 'L').split('').sort().join('');
const typeWords = (v: string) => {
  const words = v.split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words.filter((w) => w !== 'int') : words).sort().join(' ');
};

describe.concurrent('ABI facts equal the compiler', () => {
  for (const abi of ABIS) {
    test(`${abi.name}: sizes, alignments, char signedness`, async () => {
      const keys = (Object.keys(C_TYPES) as ScalarKey[]).filter(
        (k) => k !== 'int128' || abi.sizes.int128 !== undefined,
      );
      const src = [
        ...keys.map((k) => `struct in_${k} { char c; ${C_TYPES[k]} x; };`),
        `const unsigned int facts[] = { ${keys
          .map(
            (k) =>
              `sizeof(${C_TYPES[k]}), __builtin_offsetof(struct in_${k}, x), ` +
              `_Alignof(${C_TYPES[k]}), __alignof__(${C_TYPES[k]})`,
          )
          .join(', ')}, (char)-1 < 0,
#ifdef __SIZEOF_INT128__
          1
#else
          0
#endif
        };`,
      ].join('\n');
      const w = u32Array(await compileObject(abi, src), 'facts');
      const got: Record<string, unknown> = {};
      const want: Record<string, unknown> = {};
      keys.forEach((k, i) => {
        got[k] = { size: w[4 * i], inRecord: w[4 * i + 1], alignof: w[4 * i + 2], preferred: w[4 * i + 3] };
        want[k] = { size: abi.sizes[k], inRecord: abi.aligns[k], alignof: abi.aligns[k], preferred: abi.typeAligns[k] };
      });
      got.charSigned = w[4 * keys.length] === 1;
      want.charSigned = abi.charSigned;
      got.int128 = w[4 * keys.length + 1] === 1;
      want.int128 = abi.sizes.int128 !== undefined;
      expect(got).toEqual(want);
    });

    test(`${abi.name}: _Atomic of records of 1 to 16 bytes (atomicPromote, biggestAlignment)`, async () => {
      // records of chars: alignment 1, so what the compiler gives is its atomic rule alone
      const sizes = Array.from({ length: 16 }, (_, i) => i + 1);
      const src = [
        ...sizes.map((n) => `struct c${n} { char c[${n}]; };`),
        `const unsigned int facts[] = { ${sizes
          .map((n) => `sizeof(_Atomic struct c${n}), _Alignof(_Atomic struct c${n})`)
          .join(', ')} };`,
      ].join('\n');
      const w = u32Array(await compileObject(abi, src), 'facts');
      const got = sizes.map((n, i) => `${n}: ${w[2 * i]}/${w[2 * i + 1]}`);
      const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(n));
      const want = sizes.map((n) => {
        if (abi.atomicPromote !== null) return n <= abi.atomicPromote ? `${n}: ${pow2(n)}/${pow2(n)}` : `${n}: ${n}/1`;
        return `${n}: ${n}/${pow2(n) === n ? Math.min(n, abi.biggestAlignment) : 1}`;
      });
      expect(got).toEqual(want);
    });

    test(`${abi.name}: a bare aligned (biggestAlignment, clangBareAligned)`, async () => {
      const src =
        'struct s { char c; int x __attribute__((aligned)); };\nconst unsigned int facts[] = { _Alignof(struct s) };';
      const [got] = u32Array(await compileObject(abi, src), 'facts');
      expect(got).toBe(
        abi.clangTarget !== null ? (abi.clangBareAligned ?? abi.biggestAlignment) : abi.biggestAlignment,
      );
    });

    test(`${abi.name}: predefined macros`, async () => {
      const cc = referenceCompiler(abi);
      const { stdout } = await run(cc.command, [...cc.args, '-dM', '-E', '-x', 'c', '/dev/null']);
      const defined = new Map<string, string>();
      for (const line of stdout.split('\n')) {
        const m = /^#define (\w+) ?(.*)$/.exec(line);
        if (m) defined.set(m[1]!, m[2]!);
      }
      // clang announces GCC 4.2 compatibility; ioctl32 presents the GCC 12 Debian builds with.
      const versionMacros = cc.command.startsWith('clang') ? ['__GNUC__', '__GNUC_MINOR__'] : [];
      const mismatches = Object.entries(abi.predefined)
        .filter(([name]) => !versionMacros.includes(name))
        .filter(([name, value]) => !sameMacroValue(defined.get(name), value))
        .map(([name, value]) => `${name}: ours ${value}, compiler ${defined.get(name) ?? '(undefined)'}`);
      expect(mismatches).toEqual([]);
      // the other direction: every compiler macro that names an ABI fact is in the table
      const facts = [...defined.keys()].filter((n) =>
        /^__SIZEOF_(INT128|LONG|POINTER|LONG_DOUBLE)__$|^__CHAR_UNSIGNED__$|^_LP64$|^__ILP32__$/.test(n),
      );
      expect(facts.filter((n) => !(n in abi.predefined))).toEqual([]);
      // and every compiler macro a header of the ABI's tree tests (#if, #ifdef ...) is in the table, but those
      // that change no layout or number (UNCONSULTED): m68k's __HAVE_68881__ sizes glibc's jmp_buf
      const tested = testedNames(`/usr/${abi.headerTriple}/include`);
      const missing = [...defined.keys()].filter((n) => tested.has(n) && !(n in abi.predefined) && !UNCONSULTED.has(n));
      expect(missing).toEqual([]);
    });
  }
});

describe('compat pairs and compat_ptr', () => {
  // ABI-NOTES.md lists ppc64le <- ppc; but a little-endian kernel runs its 32-bit tasks little-endian
  // (arch/powerpc/include/asm/reg.h: MSR_USER32 holds MSR_LE), which no ABI here is: none is modelled
  test('pairs are the ones the kernel builds (ABI-NOTES.md, but ppc64le), each with its Kconfig option', () => {
    const pairs = compatPairs().map(
      (p) => `${p.native.name}:${p.compat.name}:${p.native.compatKconfig[p.compat.name]}`,
    );
    expect(pairs).toEqual([
      'x86_64:i386:IA32_EMULATION',
      'x86_64:i386+t64:IA32_EMULATION',
      'x86_64:x32:X86_X32_ABI',
      'arm64:arm:COMPAT',
      'arm64:arm+t64:COMPAT',
      'ppc64:ppc:COMPAT',
      'ppc64:ppc+t64:COMPAT',
      's390x:s390:COMPAT',
      's390x:s390+t64:COMPAT',
      'mips64:mips:MIPS32_O32',
      'mips64:mips+t64:MIPS32_O32',
      'mips64:mipsn32:MIPS32_N32',
      'mips64:mipsn32+t64:MIPS32_N32',
      'sparc64:sparc:COMPAT',
      'sparc64:sparc+t64:COMPAT',
      'riscv64:riscv32:COMPAT',
      'parisc64:parisc:COMPAT',
      'parisc64:parisc+t64:COMPAT',
    ]);
    for (const p of compatPairs()) {
      expect(p.native.bits).toBe(64);
      expect(p.compat.bits).toBe(32);
      // arm64 serves arm tasks, whose headers are arch/arm's; every other pair shares an arch
      if (p.native.name !== 'arm64') expect(p.native.kernelArch).toBe(p.compat.kernelArch);
    }
    expect(getAbi('m68k').compat).toEqual([]);
    expect(compatPairs().some((p) => p.compat.name === 'm68k' || p.compat.name === 'alpha')).toBe(false);
  });

  test('compat_ptr clears bit 31 on s390 only', () => {
    // s390+t64 is an s390 task
    for (const abi of ABIS) {
      expect(compatPtr(abi, 0xfedcba98)).toBe((abi.flavourOf ?? abi.name) === 's390' ? 0x7edcba98 : 0xfedcba98);
    }
  });

  test('getAbi rejects unknown names with the list of known ones', () => {
    expect(() => getAbi('vax')).toThrow(/unknown ABI 'vax'.*x86_64 i386/);
  });
});

describe("ppc64le's 32-bit tasks are little-endian: no ABI here is theirs (Linux 6.1's own source)", () => {
  test('MSR_USER32 holds MSR_LE unless __BIG_ENDIAN__; COMPAT_UTS_MACHINE "ppcle"; ppc is ppc64\'s only', () => {
    const tarball = linuxSourceTarball();
    if (tarball === null) throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1');
    const reg = 'arch/powerpc/include/asm/reg.h';
    const compatH = 'arch/powerpc/include/asm/compat.h';
    const { files } = linuxSourceFiles(tarball, [reg, compatH]);
    const text = files.get(reg)!;
    // #ifdef __BIG_ENDIAN__ ... #else ... MSR_ with MSR_LE ... #endif, then MSR_USER32 made of MSR_
    const le = /#ifdef __BIG_ENDIAN__\n([^]*?)#else\n([^]*?)#endif/.exec(text)!;
    expect(le[1]).toMatch(/#define MSR_\s+__MSR\n/);
    expect(le[2]).toMatch(/#define MSR_\s+\(__MSR \| MSR_LE\)/);
    expect(text).toMatch(/#define MSR_USER32\s+\(MSR_ \| MSR_PR \| MSR_EE\)/);
    expect(files.get(compatH)).toMatch(/#define COMPAT_UTS_MACHINE\s+"ppcle/);
    const ppc64le = getAbi('ppc64le');
    expect(ppc64le.compat).toEqual([]);
    expect(ppc64le.compatUnmodelled).toMatch(/MSR_LE.*ppcle/);
    expect(
      compatPairs()
        .filter((p) => p.compat.name === 'ppc')
        .map((p) => p.native.name),
    ).toEqual(['ppc64']);
  });
});
