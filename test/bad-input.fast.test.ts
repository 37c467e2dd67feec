/** Invalid type graphs raise a LayoutError that names the member; nothing else escapes. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ABIS, getAbi } from '../src/abi/index.js';
import type { CType, RecordDecl } from '../src/cfront/types.js';
import { Layouter, layoutRecord } from '../src/layout/layout.js';
import { LayoutError } from '../src/layout/types.js';
import { arr, m, ptr, rec, struct, t, td, union } from './harness/dsl.js';
import { programArbitrary } from './harness/gen.js';

const x86 = getAbi('x86_64');
const i386 = getAbi('i386');

function layoutError(decl: RecordDecl, abi = x86): LayoutError {
  try {
    new Layouter(abi).layout(decl);
  } catch (e) {
    if (e instanceof LayoutError) return e;
    throw e;
  }
  throw new Error('expected a LayoutError');
}

describe('invalid type graphs', () => {
  test('negative and non-integer array sizes', () => {
    expect(layoutError(struct('s', [m('a', arr(t('int'), -1))])).path).toBe('struct s.a');
    expect(layoutError(struct('s', [m('a', arr(t('int'), 1.5))])).message).toMatch(/array size 1.5/);
  });
  test('array sizes that overflow the ABI', () => {
    const big = struct('s', [m('a', arr(t('int'), 2 ** 30))]);
    expect(layoutError(big, i386).message).toMatch(/too large for i386/);
    expect(layoutRecord(big, x86).size).toBe(2 ** 32);
    expect(layoutError(struct('s', [m('a', arr(arr(t('long'), 2 ** 40), 2 ** 40))])).path).toBe('struct s.a');
    expect(layoutError(struct('s', [m('a', arr(t('int'), 2 ** 28)), m('b', arr(t('int'), 2 ** 28))]), i386).path).toBe(
      'struct s.b',
    );
  });
  test('bitfields wider than their type, negative, zero-width named, or not integers', () => {
    expect(layoutError(struct('s', [m('b', t('char'), { bitWidth: 9 })])).message).toMatch(
      /exceeds its type \(8 bits\)/,
    );
    expect(layoutError(struct('s', [m('b', t('_Bool'), { bitWidth: 2 })])).path).toBe('struct s.b');
    expect(layoutError(struct('s', [m('b', t('int'), { bitWidth: -1 })])).message).toMatch(/negative/);
    expect(layoutError(struct('s', [m('b', t('int'), { bitWidth: 0 })])).message).toMatch(/zero width/);
    expect(layoutError(struct('s', [m('b', ptr(), { bitWidth: 3 })])).message).toMatch(/not an integer/);
    // aligned(N) on a bit-field is taken (layout-regressions.test.ts); not on a :0, and not under #pragma pack,
    // where gcc and clang part (struct { char a; short b:5 __attribute__((aligned(8))); char c; }: c at 3 and at 2)
    expect(layoutError(struct('s', [m(undefined, t('int'), { bitWidth: 0, align: 4 })])).message).toMatch(
      /alignment may not be specified for a zero-width bit-field/,
    );
    const packed = struct('s', [m('a', t('char')), m('b', t('short'), { bitWidth: 5, align: 8 })], {
      maxFieldAlign: 2,
    });
    expect(layoutError(packed).message).toBe(
      'aligned(8) on a bit-field under #pragma pack(2): gcc aligns it to the smaller of the two, clang not at all',
    );
  });
  test('alignments that are not powers of two', () => {
    expect(layoutError(struct('s', [m('a', t('int'), { align: 3 })])).path).toBe('struct s.a');
    expect(layoutError(struct('s', [m('a', t('int'))], { align: 6 })).message).toMatch(/alignment 6/);
    expect(layoutError(struct('s', [m('a', td('odd', t('int'), 12))])).message).toMatch(/typedef 'odd'/);
    expect(layoutError(struct('s', [m('a', t('int'))], { maxFieldAlign: 3 })).message).toMatch(/pragma pack\(3\)/);
  });
  test('recursion through a non-pointer member; through a pointer it is fine', () => {
    const self: RecordDecl = struct('node', []);
    self.members!.push(m('next', rec(self)));
    expect(layoutError(self).message).toMatch(/contains itself/);
    const inner: RecordDecl = struct('b', []);
    const outer = struct('a', [m('x', rec(inner))]);
    inner.members!.push(m('y', arr(rec(outer), 2)));
    expect(layoutError(outer).path).toBe('struct a.x.y');
    const list: RecordDecl = struct('list', [m('v', t('int'))]);
    list.members!.push(m('next', ptr(rec(list))));
    expect(layoutRecord(list, x86).size).toBe(16);
  });
  test('incomplete and impossible member types', () => {
    expect(layoutError(struct('s', [m('a', rec({ tag: 'fwd', union: false, members: null }))])).message).toMatch(
      /incomplete type 'struct fwd'/,
    );
    expect(layoutError(struct('s', [m('a', { kind: 'void' })])).message).toMatch(/void/);
    expect(layoutError(struct('s', [m('a', { kind: 'enum', decl: { tag: 'e', values: null } })])).message).toMatch(
      /enum e/,
    );
    expect(
      layoutError(struct('s', [m('a', { kind: 'function', result: t('int'), params: [], variadic: false })])).message,
    ).toMatch(/function/);
    expect(layoutError(struct('s', [m('a', t('__int128'))]), i386).message).toMatch(/does not exist on i386/);
    expect(layoutError(struct('s', [m('a', arr(t('int'), null)), m('b', t('int'))])).message).toMatch(/not at end/);
    expect(layoutError(union('u', [m('a', arr(t('int'), null))])).message).toMatch(/in union/);
    expect(layoutError(struct('s', [m('a', arr(td('c4', t('char'), 4), 2))])).message).toMatch(
      /greater than element size/,
    );
  });
  test('locations from the front end are part of the message', () => {
    const e = layoutError(struct('s', [m('b', t('char'), { bitWidth: 9, loc: { file: 'x.h', line: 3, column: 7 } })]));
    expect(e.message).toMatch(/^x\.h:3:7: /);
    expect(e.loc).toEqual({ file: 'x.h', line: 3, column: 7 });
  });
});

describe('mutated graphs end in a layout or a LayoutError', () => {
  const numbers = [-1, 0, 1, 3, 7, 1.5, 2 ** 31, 2 ** 53, Number.NaN];
  function mutate(t: CType, r: () => number, seen = new Set<RecordDecl>()): void {
    if (t.kind === 'array' && r() < 0.2) t.length = numbers[Math.floor(r() * numbers.length)]!;
    if (t.kind === 'array') mutate(t.of, r, seen);
    if (t.kind === 'record' && t.decl.members && !seen.has(t.decl)) {
      seen.add(t.decl);
      for (const mem of t.decl.members) {
        if (r() < 0.05) mem.bitWidth = numbers[Math.floor(r() * numbers.length)]!;
        if (r() < 0.05) mem.align = numbers[Math.floor(r() * numbers.length)]!;
        if (r() < 0.02)
          mem.type = t; // a record containing itself
        else mutate(mem.type, r, seen);
      }
      if (r() < 0.05) t.decl.align = numbers[Math.floor(r() * numbers.length)]!;
    }
  }
  test('for every ABI', () => {
    fc.assert(
      fc.property(programArbitrary({ int128: true, records: 20 }), fc.integer(), ({ records }, seed) => {
        let s = seed >>> 0;
        const r = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
        for (const decl of records) mutate({ kind: 'record', decl }, r);
        for (const abi of ABIS) {
          const l = new Layouter(abi);
          for (const decl of records) {
            try {
              const out = l.layout(decl);
              if (!(Number.isSafeInteger(out.size) && out.size >= 0))
                throw new Error(`size ${out.size} of ${decl.tag} on ${abi.name}`);
            } catch (e) {
              if (!(e instanceof LayoutError)) throw e;
              expect((e as LayoutError).path).toMatch(/^struct|^union/);
            }
          }
        }
      }),
      { numRuns: 200, endOnFailure: true },
    );
  });
});

describe('holes and tail padding account for every bit', () => {
  test('on random records, for every ABI', () => {
    fc.assert(
      fc.property(programArbitrary({ int128: false, records: 30 }), ({ records }) => {
        for (const abi of ABIS) {
          const l = new Layouter(abi);
          for (const decl of records) {
            const out = l.layout(decl);
            if (decl.union) {
              expect(out.tailPaddingBits).toBe(out.size * 8 - Math.max(0, ...out.members.map((p) => p.bits)));
              continue;
            }
            const used = out.members.reduce((n, p) => n + p.bits, 0);
            const holes = out.holes.reduce((n, h) => n + h.bits, 0);
            expect(used + holes + out.tailPaddingBits).toBe(out.size * 8);
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('missing headers name what to install', () => {
  test('an ABI whose cross headers are absent: the Debian package or the option to pass', async () => {
    const { includeDirsFor } = await import('../src/cfront/index.js');
    const { UsageError } = await import('../src/errors.js');
    const absent = { ...getAbi('alpha'), headerTriple: 'alpha-nowhere-linux-gnu' };
    expect(() => includeDirsFor(absent)).toThrow(UsageError);
    expect(() => includeDirsFor(absent)).toThrow(
      /install Debian's linux-libc-dev-alpha-cross .* or pass --sysroot DIR or -I DIR/,
    );
    expect(() => includeDirsFor(getAbi('alpha'), { sysroot: '/nonexistent' })).toThrow(
      /--sysroot \/nonexistent has neither include\/ nor usr\/include\//,
    );
  });
});
