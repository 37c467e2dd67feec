/** _IOC encode/decode: the ABI-NOTES.md vectors and properties over every ABI. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ABIS, getAbi } from '../src/abi/index.js';
import { decodeIoc, encodeIoc, IocError, maxIocSize, parseCmd, type IocDir } from '../src/ioctl/ioc.js';
import { sizeOf } from '../src/layout/layout.js';
import { m, ptr, rec, struct, t } from './harness/dsl.js';

describe('ABI-NOTES.md vectors', () => {
  const arg = rec(struct(undefined, [m('c', t('char')), m('x', t('long long'))]));
  const iowr = (abi: string) =>
    encodeIoc(getAbi(abi), { dir: 'rw', type: 'T'.charCodeAt(0), nr: 4, size: sizeOf(arg, getAbi(abi)) });
  test("_IOWR('T',4,struct{char c; long long x;})", () => {
    expect(iowr('i386')).toBe(0xc00c5404);
    expect(iowr('x86_64')).toBe(0xc0105404);
    expect(iowr('m68k')).toBe(0xc00a5404);
  });
  test("_IOR('T',5,void*)", () => {
    const ior = (abi: string) =>
      encodeIoc(getAbi(abi), { dir: 'r', type: 0x54, nr: 5, size: sizeOf(ptr(), getAbi(abi)) });
    expect(ior('x86_64')).toBe(0x80085405);
    expect(ior('ppc')).toBe(0x40045405);
  });
});

describe('properties', () => {
  const dirs = fc.constantFrom<IocDir>('none', 'r', 'w', 'rw');
  test('decode(encode(x)) = x for every field value the ABI can encode', () => {
    for (const abi of ABIS) {
      fc.assert(
        fc.property(
          dirs,
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: 255 }),
          fc.nat(),
          (dir, type, nr, s) => {
            const size = s % (maxIocSize(abi, dir) + 1);
            const cmd = encodeIoc(abi, { dir, type, nr, size });
            expect(cmd).toBeGreaterThanOrEqual(0);
            expect(cmd).toBeLessThanOrEqual(0xffffffff);
            const d = decodeIoc(abi, cmd);
            expect({ dir: d.dir, type: d.type, nr: d.nr, size: d.size }).toEqual({ dir, type, nr, size });
          },
        ),
        { numRuns: 300 },
      );
    }
  });

  test('every unsigned 32-bit number decodes on every ABI; anything else is an IocError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        for (const abi of ABIS) decodeIoc(abi, n);
      }),
    );
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) expect(() => decodeIoc(getAbi('x86_64'), bad)).toThrow(IocError);
  });

  test('fields that do not fit are IocErrors, never a truncated number', () => {
    const x86 = getAbi('x86_64');
    expect(() => encodeIoc(x86, { dir: 'r', type: 256, nr: 0, size: 0 })).toThrow(IocError);
    expect(() => encodeIoc(x86, { dir: 'r', type: 0, nr: 0, size: 1 << 14 })).toThrow(/size/);
    expect(() => encodeIoc(getAbi('ppc'), { dir: 'r', type: 0, nr: 0, size: 1 << 13 })).toThrow(/size/);
    expect(encodeIoc(getAbi('sparc'), { dir: 'r', type: 0, nr: 0, size: (1 << 14) - 1 })).toBe(0x7fff0000);
  });

  test('parseCmd takes decimal and 0x-hex unsigned 32-bit numbers only', () => {
    expect(parseCmd('0xc00c5404')).toBe(0xc00c5404);
    expect(parseCmd('3222033412')).toBe(0xc00c5404);
    for (const bad of ['', '-1', '0x', '0x100000000', '4294967296', '12abc', '1e3', ' 0x1 2'])
      expect(() => parseCmd(bad)).toThrow(IocError);
  });
});
