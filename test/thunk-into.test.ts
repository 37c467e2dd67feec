/**
 * `compatToNativeInto` / `nativeToCompatInto`: on random records of every compat pair (and a few cross-endian
 * pairs `convert` accepts), converting into a dirty, reused buffer gives the bytes the allocating path gives, and
 * both give the bytes of the reference converter (BigInt for every value, bytes copied one by one, a fresh zeroed
 * output), or the same error. Bytes of the buffer past the output are not touched.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compatPairs, getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { stripTypedefs as strip, type CType, type RecordDecl } from '../src/cfront/types.js';
import { parseAnnotations } from '../src/compat/annotations.js';
import {
  compileConverter,
  compileReferenceConverter,
  type CompileOptions,
  type Converter,
} from '../src/thunk/compile.js';
import { ErrnoError } from '../src/thunk/errors.js';
import { arr, m, ptr, rec, struct, t, union } from './harness/dsl.js';
import { programArbitrary } from './harness/gen.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Member names of every union in a type: choosing them all picks each union's first named member. */
function unionMembers(type: CType, out = new Set<string>(), seen = new Set<RecordDecl>()): string[] {
  const x = strip(type);
  if (x.kind === 'array') unionMembers(x.of, out, seen);
  if (x.kind === 'record' && !seen.has(x.decl)) {
    seen.add(x.decl);
    for (const mm of x.decl.members ?? []) {
      if (x.decl.union && mm.name !== undefined) out.add(mm.name);
      unionMembers(mm.type, out, seen);
    }
  }
  return [...out];
}

/** The outcome of a conversion: its bytes, or the error's code and member. */
function outcome(f: () => Uint8Array): string {
  try {
    return hex(f());
  } catch (e) {
    if (!(e instanceof ErrnoError)) throw e;
    return `${e.code} ${e.path ?? ''} ${e.errno}`;
  }
}

/**
 * One shared arena for all calls, as an emulator reuses its buffers: the input at an odd offset, the output at
 * another, the rest of the arena dirty; every other call both on 4-byte boundaries (the word views' code). Returns
 * the outcome of the into path; checks the bytes around the output.
 */
class Arena {
  readonly buf = new Uint8Array(1 << 16);
  readonly view = new DataView(this.buf.buffer);
  private seed = 1;
  /** Calls with both buffers on 4-byte boundaries. */
  aligned = 0;
  rnd(): number {
    return (this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0) >>> 24;
  }
  run(
    conv: Converter,
    toNative: boolean,
    input: Uint8Array,
    asDataView: boolean,
  ): { out: string; untouchedAfter: boolean; untouchedBefore: boolean; aligned: boolean } {
    const outSize = Math.max(toNative ? conv.nativeSize : conv.compatSize, 64);
    const aligned = (this.rnd() & 1) === 1;
    const s = aligned ? 4 + 4 * (this.rnd() & 1) : 1 + (this.rnd() & 7);
    const gap = aligned ? 4 * (this.rnd() & 3) + ((4 - ((s + input.length) & 3)) & 3) : this.rnd() & 15;
    const d = s + input.length + gap;
    if (aligned) this.aligned++;
    const room = outSize + 256;
    for (let i = 0; i < d + room + 8; i++) this.buf[i] = this.rnd();
    this.buf.set(input, s);
    const before = this.buf.slice(0, d + room + 8);
    // a view per record, or the arena's one view at offsets (as an emulator gives its memory)
    const src = asDataView ? this.buf.subarray(s, s + input.length) : this.buf.subarray(0, s + input.length);
    const dst = asDataView ? new DataView(this.buf.buffer, d, room) : this.view;
    const [so, dO] = asDataView ? [0, 0] : [s, d];
    let written = 0;
    const out = outcome(() => {
      written = toNative ? conv.compatToNativeInto(src, dst, so, dO) : conv.nativeToCompatInto(src, dst, so, dO);
      return this.buf.slice(d, d + written);
    });
    const after = this.buf.slice(0, d + room + 8);
    return {
      out,
      aligned,
      // nothing outside the output moves (the input included); on an error the output itself is unspecified
      untouchedBefore: hex(after.subarray(0, d)) === hex(before.subarray(0, d)),
      untouchedAfter: hex(after.subarray(d + written)) === hex(before.subarray(d + written)),
    };
  }
}

function checkRecords(native: Abi, compat: Abi, runs: number): { converted: number; inputs: number; words: number } {
  let converted = 0;
  let inputs = 0;
  /** Calls that ran the word views' code (aligned buffers, a converter that has it). */
  let words = 0;
  const arena = new Arena();
  fc.assert(
    fc.property(programArbitrary({ int128: false, records: 12 }), fc.integer(), ({ records }, seed) => {
      let s = seed >>> 0;
      const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
      for (const decl of records) {
        const type: CType = { kind: 'record', decl };
        let pair: [Converter, Converter] | undefined;
        for (const opts of [{}, { choose: unionMembers(type) }] as CompileOptions[]) {
          try {
            pair = [
              compileConverter(type, type, native, compat, opts),
              compileReferenceConverter(type, type, native, compat, opts),
            ];
            break;
          } catch (e) {
            expect(e).toBeInstanceOf(ErrnoError);
          }
        }
        if (!pair) continue;
        const [conv, ref] = pair;
        converted++;
        for (const toNative of [true, false]) {
          const size = toNative ? conv.compatSize : conv.nativeSize;
          const random = new Uint8Array(size).map(() => rnd());
          // native inputs that fit the compat side: a converted compat record
          let fits: Uint8Array = random;
          try {
            if (!toNative) fits = ref.compatToNative(new Uint8Array(conv.compatSize).map(() => rnd()));
          } catch {
            // a compat value the native type cannot hold (another char signedness): the random bytes serve
          }
          for (const input of [random, fits]) {
            inputs++;
            const expected = outcome(() => (toNative ? ref.compatToNative(input) : ref.nativeToCompat(input)));
            const allocated = outcome(() => (toNative ? conv.compatToNative(input) : conv.nativeToCompat(input)));
            expect(allocated, conv.source[toNative ? 'compatToNative' : 'nativeToCompat']).toBe(expected);
            for (const asDataView of [false, true]) {
              const r = arena.run(conv, toNative, input, asDataView);
              const into = toNative ? conv.compatToNativeInto : conv.nativeToCompatInto;
              if (r.aligned && into.toString().includes('d32[')) words++;
              expect(r.out, conv.source[toNative ? 'compatToNative' : 'nativeToCompat']).toBe(expected);
              expect(r.untouchedBefore).toBe(true);
              if (!r.out.startsWith('E')) expect(r.untouchedAfter).toBe(true);
            }
          }
        }
      }
    }),
    { numRuns: runs },
  );
  return { converted, inputs, words };
}

describe('into a dirty buffer = the allocating path = the reference, on random records', () => {
  for (const { native, compat } of compatPairs()) {
    test(`${native.name} <- ${compat.name}`, () => {
      const { converted, inputs, words } = checkRecords(native, compat, 100);
      expect(converted).toBeGreaterThan(1000);
      expect(inputs).toBe(converted * 4);
      // the aligned code ran on a good share of the calls (each pair has records of 32-bit values)
      expect(words).toBeGreaterThan(inputs / 4);
    });
  }
  // pairs `convert` accepts beyond the compat ones: other byte orders, 64-bit pointers both sides, s390's mask
  const extra: Array<[string, string]> = [
    ['x86_64', 'ppc64'],
    ['i386', 'ppc'],
    ['i386', 's390'],
    ['s390x', 'x86_64'],
  ];
  for (const [n, c] of extra) {
    test(`${n} <- ${c}`, () => {
      expect(checkRecords(getAbi(n), getAbi(c), 40).converted).toBeGreaterThan(300);
    });
  }
});

describe('into: the fixed cases', () => {
  const x86 = getAbi('x86_64');
  const i386 = getAbi('i386');
  test('a flexible array and a union selector in a reused buffer', () => {
    const elem = struct('elem', [m('v', t('long'))]);
    const req = struct('req', [
      m('n', t('unsigned int')),
      m('sel', t('int')),
      m('u', rec(union(undefined, [m('a', t('short')), m('b', ptr())]))),
      m('items', arr(rec(elem), null)),
    ]);
    const annotations = parseAnnotations(
      JSON.stringify({
        records: {
          'struct req': {
            items: { kind: 'flex-array', count: 'n' },
            u: { kind: 'union', selector: 'sel', cases: { '1': 'a', '2': 'b', '-1': 'a', '4294967298': 'b' } },
          },
        },
      }),
      'a.json',
    );
    const conv = compileConverter(rec(req), rec(req), x86, i386, { annotations });
    const ref = compileReferenceConverter(rec(req), rec(req), x86, i386, { annotations });
    const dst = new Uint8Array(256);
    for (const [n, sel] of [
      [3, 2],
      [0, 1],
      [2, 1],
      [1, 2],
      [0, -1],
      [0, 7],
      [5, 2],
    ] as const) {
      const b = new Uint8Array(12 + 4 * Math.min(n, 3));
      const v = new DataView(b.buffer);
      v.setUint32(0, n, true);
      v.setInt32(4, sel, true);
      v.setUint32(8, 0xdeadbeef, true);
      for (let i = 0; i < Math.min(n, 3); i++) v.setInt32(12 + 4 * i, -i - 1, true);
      dst.fill(0xa5);
      const into = outcome(() => dst.slice(0, conv.compatToNativeInto(b, dst)));
      expect(into).toBe(outcome(() => ref.compatToNative(b)));
      expect(into).toBe(outcome(() => conv.compatToNative(b)));
    }
  });
  test('a resizable buffer that grows or shrinks between calls: the bytes of the reference, or EFAULT', () => {
    // longs and ints on 4-byte boundaries: the word views' code
    const s = struct('s', [m('a', t('int')), m('l', t('long')), m('b', t('int'))]);
    const conv = compileConverter(rec(s), rec(s), x86, i386);
    const ref = compileReferenceConverter(rec(s), rec(s), x86, i386);
    const resizable = (n: number) =>
      new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(n, {
        maxByteLength: 4096,
      }) as ArrayBuffer & { resize(n: number): void };
    const [sb, db] = [resizable(16), resizable(32)];
    const input = new Uint8Array([1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 3, 0, 0, 0]);
    new Uint8Array(sb).set(input);
    const expected = hex(ref.compatToNative(input));
    const out = new Uint8Array(db);
    expect(hex(out.slice(0, conv.compatToNativeInto(new Uint8Array(sb), out)))).toBe(expected);
    // grown: a new view over the same buffer, the record past the old end
    sb.resize(1024);
    db.resize(1024);
    new Uint8Array(sb).set(input, 512);
    const grown = new Uint8Array(db);
    expect(hex(grown.slice(512, 512 + conv.compatToNativeInto(new Uint8Array(sb), grown, 512, 512)))).toBe(expected);
    // shrunk under the same view: no byte is dropped in silence
    db.resize(16);
    expect(() => conv.compatToNativeInto(new Uint8Array(sb), grown, 0, 4)).toThrow(/EFAULT/);
  });
  test('a buffer too short for the output is EFAULT naming both sizes', () => {
    const s = struct('s', [m('l', t('long'))]);
    const conv = compileConverter(rec(s), rec(s), x86, i386);
    expect(() => conv.compatToNativeInto(new Uint8Array(4), new Uint8Array(7))).toThrow(
      /EFAULT: the output is 8 bytes on x86_64; the buffer has 7/,
    );
  });
  test('an offset between bytes or a buffer that is no view is EINVAL, on the fast and the slow path', () => {
    const s = struct('s', [m('l', t('long'))]);
    const conv = compileConverter(rec(s), rec(s), x86, i386);
    const src = new Uint8Array([1, 2, 3, 4, 5]);
    const dst = new Uint8Array(16).fill(0xaa);
    // the same views first: the generated fast path is the one that answers the next calls
    expect(conv.compatToNativeInto(src, dst, 0, 0)).toBe(8);
    for (const [i, o] of [
      [0, 1.5],
      [0.5, 0],
      [0, 0.25],
    ] as const) {
      dst.fill(0xaa);
      expect(() => conv.compatToNativeInto(src, dst, i, o), `${i} ${o}`).toThrow(/EINVAL: offsets are whole bytes/);
      expect(() => conv.nativeToCompatInto(dst, src, i, o), `${i} ${o}`).toThrow(/EINVAL: offsets are whole bytes/);
      expect([...dst].every((x) => x === 0xaa)).toBe(true);
    }
    for (const bad of [null, 5, new ArrayBuffer(8), 'abcd']) {
      expect(() => conv.compatToNative(bad as unknown as Uint8Array)).toThrow(/EINVAL: a buffer is a Uint8Array/);
      expect(() => conv.compatToNativeInto(src, bad as unknown as Uint8Array)).toThrow(ErrnoError);
    }
  });
  test('s390: compat_ptr() clears bit 31 on the way in; the way out keeps the value', () => {
    const s = struct('s', [m('p', ptr())]);
    const conv = compileConverter(rec(s), rec(s), getAbi('s390x'), getAbi('s390'));
    const out = new Uint8Array(8).fill(0xff);
    conv.compatToNativeInto(new Uint8Array([0xff, 0xff, 0xff, 0xfe]), out);
    expect(hex(out)).toBe('000000007ffffffe');
    const back = new Uint8Array(4);
    conv.nativeToCompatInto(new Uint8Array([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe]), back);
    expect(hex(back)).toBe('fffffffe');
    expect(() => conv.nativeToCompatInto(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0]), back)).toThrow(/EOVERFLOW/);
  });
  test('with options (a Memory that translates, deep copies) into writes what the allocating path returns', () => {
    const s = struct('s', [m('slot', t('unsigned int')), m('p', ptr(t('int'))), m('l', t('long'))]);
    const conv = compileConverter(rec(s), rec(s), x86, i386);
    // guest memory: addresses translated to the host's by a mark in bit 40, read and written at host addresses
    const MARK = 1n << 40n;
    let cells = new Map<bigint, Uint8Array>();
    let next = 0n;
    /** The memory as it was before any conversion: a deep copy's address is the same for every call. */
    const fresh = () => {
      cells = new Map([[0x40n | MARK, new Uint8Array([7, 0, 0, 0])]]);
      next = 0x1000n | MARK;
    };
    const memory = {
      read: (a: bigint, n: number) => cells.get(a)?.subarray(0, n) ?? new Uint8Array(0),
      write: (a: bigint, b: Uint8Array) => void cells.set(a, b.slice()),
      alloc: () => (next += 0x100n),
      translate: (a: bigint) => a | MARK,
      untranslate: (a: bigint) => a & ~MARK,
    };
    const input = new Uint8Array([3, 0, 0, 0, 0x40, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]);
    for (const o of [{ memory }, { memory, deep: true }, {}]) {
      fresh();
      const expected = hex(conv.compatToNative(input, o));
      const out = new Uint8Array(conv.nativeSize).fill(0xee);
      // the same views twice: the second call is the one a generated into may answer itself
      for (let i = 0; i < 2; i++) {
        fresh();
        expect(conv.compatToNativeInto(input, out, 0, 0, o)).toBe(conv.nativeSize);
        expect(hex(out)).toBe(expected);
      }
      const back = new Uint8Array(conv.compatSize);
      conv.nativeToCompatInto(out, back, 0, 0, { memory });
      expect(hex(back)).toBe(hex(conv.nativeToCompat(out, { memory })));
    }
    // the translation shows: the pointer carries bit 40, the deep copy's the new address
    expect(hex(conv.compatToNative(input, { memory })).slice(16, 32)).toBe('4000000000010000');
    fresh();
    expect(hex(conv.compatToNative(input, { memory, deep: true })).slice(16, 32)).toBe('0011000000010000');
    expect(hex(conv.compatToNative(input)).slice(16, 32)).toBe('4000000000000000');
  });
  test('the hot paths hold no BigInt: kvm_dirty_log-like records convert through 32-bit halves', () => {
    const s = struct('s', [m('slot', t('unsigned int')), m('l', t('long')), m('p', ptr()), m('q', t('long long'))]);
    const conv = compileConverter(rec(s), rec(s), x86, i386);
    // the generic branch (a Memory, deep copies) and the error paths may use BigInt; the rest may not
    const fast = (code: string) =>
      code
        .split('if (!mem && !deep)')
        .map((part) => part.split('} else {')[0]!)
        .join('\n')
        .replace(/throw [^;]*;/g, '');
    for (const code of Object.values(conv.source)) expect(fast(code)).not.toMatch(/BigInt|\dn\b|R\.read|R\.write/);
  });
});
