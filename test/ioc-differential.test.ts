/**
 * Truth for command numbers: random (direction, type, nr, argument type) evaluated by the
 * compiler through the ABI's own asm/ioctl.h (Debian's cross headers), and random 32-bit
 * numbers taken apart by that header's _IOC_DIR/_IOC_TYPE/_IOC_NR/_IOC_SIZE.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ABIS } from '../src/abi/index.js';
import { withOneFlavour } from './harness/flavours.js';
import { typeName } from '../src/cfront/print.js';
import type { CType, IntName } from '../src/cfront/types.js';
import { decodeIoc, encodeIoc, maxIocSize, type IocDir } from '../src/ioctl/ioc.js';
import { Layouter } from '../src/layout/layout.js';
import { compileObject, crossIncludes } from './harness/compile.js';
import { u32Array } from './harness/elf.js';
import { programArbitrary } from './harness/gen.js';
import { printProgram } from './harness/probe.js';

const CASES = Number(process.env.IOCTL32_IOC_CASES ?? 1000);
const SEED = Number(process.env.IOCTL32_SEED ?? Date.now() % 2 ** 31);
const MACRO: Record<IocDir, string> = { none: '_IO', r: '_IOR', w: '_IOW', rw: '_IOWR' };
const DIR_BITS: Record<IocDir, string> = {
  none: '_IOC_NONE',
  r: '_IOC_READ',
  w: '_IOC_WRITE',
  rw: '_IOC_READ|_IOC_WRITE',
};
const SCALARS: IntName[] = ['char', 'short', 'int', 'long', 'long long', 'unsigned int'];

describe.concurrent('_IOC numbers equal the compiler through asm/ioctl.h', () => {
  withOneFlavour(ABIS).forEach((abi, abiIndex) => {
    test(`${abi.name} (seed ${SEED})`, async () => {
      const { program, records } = fc.sample(
        programArbitrary({ int128: abi.sizes.int128 !== undefined, records: 60 }),
        { numRuns: 1, seed: SEED + abiIndex },
      )[0]!;
      const layouter = new Layouter(abi);
      const argTypes: CType[] = [
        ...records.map((decl) => ({ kind: 'record', decl }) as CType),
        ...SCALARS.map((name) => ({ kind: 'int', name }) as CType),
        { kind: 'pointer', to: { kind: 'void' } },
      ];
      const cases = fc.sample(
        fc.record({
          dir: fc.constantFrom<IocDir>('none', 'r', 'w', 'rw'),
          type: fc.integer({ min: 0, max: 255 }),
          nr: fc.integer({ min: 0, max: 255 }),
          arg: fc.integer({ min: 0, max: argTypes.length - 1 }),
          rawSize: fc.integer({ min: 0, max: 2 ** 14 - 1 }),
          useRaw: fc.boolean(),
        }),
        { numRuns: CASES, seed: SEED + abiIndex },
      );
      const exprs: string[] = [];
      const expected: number[] = [];
      for (const c of cases) {
        if (c.useRaw) {
          const size = c.dir === 'none' && abi.ioc.variant === 'sparc' ? 0 : c.rawSize % (maxIocSize(abi, c.dir) + 1);
          exprs.push(`_IOC(${DIR_BITS[c.dir]}, ${c.type}, ${c.nr}, ${size})`);
          expected.push(encodeIoc(abi, { dir: c.dir, type: c.type, nr: c.nr, size }));
          continue;
        }
        const t = argTypes[c.arg]!;
        const size = c.dir === 'none' ? 0 : layouter.typeLayout(t).size;
        if (size > maxIocSize(abi, c.dir)) continue;
        exprs.push(
          c.dir === 'none' ? `_IO(${c.type}, ${c.nr})` : `${MACRO[c.dir]}(${c.type}, ${c.nr}, ${typeName(t)})`,
        );
        expected.push(encodeIoc(abi, { dir: c.dir, type: c.type, nr: c.nr, size }));
      }
      const numbers = fc.sample(fc.integer({ min: 0, max: 0xffffffff }), { numRuns: CASES, seed: SEED + abiIndex });
      const decodes = numbers
        .map((n) => `0x${n.toString(16)}u`)
        .map((n) => `_IOC_DIR(${n}), _IOC_TYPE(${n}), _IOC_NR(${n}), _IOC_SIZE(${n})`);
      const src =
        `#include <asm/ioctl.h>\n${printProgram(program)}\n` +
        `const unsigned int enc[] = { ${exprs.join(',\n')} };\n` +
        `const unsigned int dec[] = { ${decodes.join(',\n')} };\n`;
      const obj = await compileObject(abi, src, crossIncludes(abi), { cache: false });

      const enc = u32Array(obj, 'enc');
      const encMismatch = enc
        .map((v, i) => ({ expr: exprs[i], compiler: v, ours: expected[i] }))
        .filter((m) => m.compiler !== m.ours);
      expect(encMismatch.slice(0, 5)).toEqual([]);
      expect(enc.length).toBeGreaterThan(CASES * 0.9);

      const dec = u32Array(obj, 'dec');
      const decMismatch = numbers
        .map((n, i) => {
          const d = decodeIoc(abi, n);
          return { n, compiler: dec.slice(4 * i, 4 * i + 4), ours: [d.dirBits, d.type, d.nr, d.size] };
        })
        .filter((m) => JSON.stringify(m.compiler) !== JSON.stringify(m.ours));
      expect(decMismatch.slice(0, 5)).toEqual([]);
      // Encoding what was decoded gives the number back wherever the direction is valid (on
      // sparc, _IOC_SIZE of a NONE number is 0 whatever its size bits hold).
      for (const n of numbers) {
        const { dir, type, nr, size } = decodeIoc(abi, n);
        if (dir === null || (abi.ioc.variant === 'sparc' && dir === 'none')) continue;
        expect(encodeIoc(abi, { dir, type, nr, size })).toBe(n);
      }
    });
  });
});
