/**
 * The thunk: properties over random records on every compat pair (compat -> native -> compat is
 * the identity on what the compat side holds; padding never leaks; EOVERFLOW exactly when a
 * value does not fit), unions, flexible arrays, deep copies, bad input. Node only: real UAPI
 * records, which need the cross headers, are in thunk.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compatPairs, getAbi } from '../src/abi/index.js';
import { stripTypedefs as strip, type CType, type RecordDecl } from '../src/cfront/types.js';
import { parseAnnotations } from '../src/compat/annotations.js';
import { Layouter } from '../src/layout/layout.js';
import { compileConverter, type Memory } from '../src/thunk/compile.js';
import { ErrnoError } from '../src/thunk/errors.js';
import { arr, m, ptr, rec, struct, t, union } from './harness/dsl.js';
import { programArbitrary } from './harness/gen.js';

/** Which bits of a compat buffer carry a value (not padding); pointers on s390 lose bit 31. */
function valueMask(t: CType, l: Layouter, out: Uint8Array, base: number): void {
  const x = strip(t);
  const size = l.typeLayout(t).size;
  if (x.kind === 'record') {
    for (const p of l.layout(x.decl).members) {
      if (p.member.bitWidth !== undefined) {
        if (p.member.name === undefined) continue;
        for (let k = 0; k < p.bits; k++) {
          const bit = p.bitOffset + k;
          out[base + (bit >> 3)]! |= l.abi.endian === 'little' ? 1 << (bit & 7) : 1 << (7 - (bit & 7));
        }
        continue;
      }
      const mt = strip(p.member.type);
      if (mt.kind === 'array' && mt.length === null) continue;
      valueMask(p.member.type, l, out, base + p.offset);
    }
    return;
  }
  if (x.kind === 'array') {
    const e = l.typeLayout(x.of).size;
    for (let i = 0; i < (x.length ?? 0); i++) valueMask(x.of, l, out, base + i * e);
    return;
  }
  // x87 long double: 10 bytes of value in 12 or 16
  const valueBytes = x.kind === 'float' && x.name === 'long double' && l.abi.kernelArch === 'x86' ? 10 : size;
  for (let k = 0; k < valueBytes; k++) out[base + k] = 0xff;
  if (x.kind === 'pointer' && l.abi.compatPtrMask !== 0xffffffff) {
    // compat_ptr() clears bit 31: the native side cannot hold it
    out[base + (l.abi.endian === 'little' ? 3 : 0)]! &= 0x7f;
  }
}

function hasUnion(t: CType, seen = new Set<RecordDecl>()): boolean {
  const x = strip(t);
  if (x.kind === 'array') return hasUnion(x.of, seen);
  if (x.kind !== 'record' || seen.has(x.decl)) return false;
  seen.add(x.decl);
  return x.decl.union || (x.decl.members ?? []).some((mm) => hasUnion(mm.type, seen));
}

describe('properties on random records, every compat pair', () => {
  for (const { native, compat } of compatPairs()) {
    test(`${native.name} <- ${compat.name}`, () => {
      const cl = new Layouter(compat);
      let converted = 0;
      let refused = 0;
      fc.assert(
        fc.property(programArbitrary({ int128: false, records: 12 }), fc.integer(), ({ records }, seed) => {
          let s = seed >>> 0;
          const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) & 0xff;
          for (const decl of records) {
            const type: CType = { kind: 'record', decl };
            let conv;
            try {
              conv = compileConverter(type, type, native, compat);
            } catch (e) {
              // unions whose members convert differently need a choice; long double may have no common format
              expect(e).toBeInstanceOf(ErrnoError);
              expect((e as ErrnoError).code).toBe('EINVAL');
              refused++;
              continue;
            }
            const mask = new Uint8Array(conv.compatSize);
            valueMask(type, cl, mask, 0);
            const input = mask.map((b) => rnd() & b);
            const native64 = conv.compatToNative(input);
            expect(native64.length).toBe(conv.nativeSize);
            const back = conv.nativeToCompat(native64);
            if (!hasUnion(type)) expect(Buffer.from(back).toString('hex')).toBe(Buffer.from(input).toString('hex'));
            // padding never leaks: bytes outside the members are zero in both outputs
            back.forEach((b, i) => expect(b & ~mask[i]!).toBe(0));
            converted++;
          }
        }),
        // enough programs that at least 200 records convert on every seed (unions refuse many)
        { numRuns: 60 },
      );
      console.log(
        `${native.name} <- ${compat.name}: ${converted} records round-tripped, ${refused} refused with EINVAL`,
      );
      expect(converted).toBeGreaterThan(200);
    });
  }
});

describe('overflow, short buffers and errors', () => {
  const x86 = getAbi('x86_64');
  const i386 = getAbi('i386');
  const s = struct('s', [m('a', t('int')), m('l', t('long')), m('p', ptr()), m('u', t('unsigned long'))]);
  const conv = compileConverter(rec(s), rec(s), x86, i386);
  const nativeWith = (l: bigint, p: bigint, u: bigint) => {
    const b = new Uint8Array(conv.nativeSize);
    const v = new DataView(b.buffer);
    v.setBigInt64(8, l, true);
    v.setBigUint64(16, p, true);
    v.setBigUint64(24, u, true);
    return b;
  };
  test('EOVERFLOW exactly when a value does not fit the 32-bit side', () => {
    fc.assert(
      fc.property(fc.bigInt(-(1n << 63n), (1n << 63n) - 1n), fc.bigInt(0n, (1n << 64n) - 1n), (l, p) => {
        const fitsL = l >= -(1n << 31n) && l < 1n << 31n;
        const fitsP = p < 1n << 32n;
        const run = () => conv.nativeToCompat(nativeWith(l, p, 0n));
        if (fitsL && fitsP) {
          const out = new DataView(run().buffer);
          expect(BigInt(out.getInt32(4, true))).toBe(l);
          expect(BigInt(out.getUint32(8, true))).toBe(p);
        } else {
          expect(run).toThrow(ErrnoError);
          try {
            run();
          } catch (e) {
            expect((e as ErrnoError).code).toBe('EOVERFLOW');
            expect((e as ErrnoError).path).toBe(fitsL ? 'p' : 'l');
            // the value named is the value, not a double near it (above 2^53 a double rounds)
            expect((e as ErrnoError).message).toContain(`= ${fitsL ? p : l} does not fit`);
          }
        }
      }),
    );
  });
  test('an unsigned value that does not fit is named exactly', () => {
    for (const u of [(1n << 64n) - 1n, 0xffffffff7fffffffn, (1n << 53n) + 1n]) {
      expect(() => conv.nativeToCompat(nativeWith(0n, 0n, u))).toThrow(`'u' = ${u} does not fit`);
    }
  });
  test('sign extension for signed, zero extension for unsigned', () => {
    const compatBytes = new Uint8Array(16);
    const v = new DataView(compatBytes.buffer);
    v.setInt32(4, -5, true);
    v.setUint32(12, 0xfffffffb, true);
    const out = new DataView(conv.compatToNative(compatBytes).buffer);
    expect(out.getBigInt64(8, true)).toBe(-5n);
    expect(out.getBigUint64(24, true)).toBe(0xfffffffbn);
  });
  test('a short buffer is EFAULT naming the size; nothing is written', () => {
    expect(() => conv.compatToNative(new Uint8Array(15))).toThrow(/EFAULT: the argument is 16 bytes on i386; got 15/);
    expect(() => conv.nativeToCompat(new Uint8Array(3))).toThrow(/32 bytes on x86_64/);
  });
  test('s390: compat_ptr() clears bit 31', () => {
    const p = struct('p', [m('p', ptr())]);
    const c = compileConverter(rec(p), rec(p), getAbi('s390x'), getAbi('s390'));
    const out = new DataView(c.compatToNative(new Uint8Array([0xff, 0xff, 0xff, 0xff])).buffer);
    expect(out.getBigUint64(0, false)).toBe(0x7fffffffn);
  });
  test('a union whose members convert differently needs a choice, and names itself', () => {
    const u = struct('req', [
      m('kind', t('int')),
      m('u', rec(union(undefined, [m('flags', t('short')), m('ptr', ptr())]))),
    ]);
    expect(() => compileConverter(rec(u), rec(u), x86, i386)).toThrow(
      /EINVAL: the union's members convert differently: choose one with --member u=NAME/,
    );
    const c = compileConverter(rec(u), rec(u), x86, i386, { members: { u: 'ptr' } });
    const compatBytes = new Uint8Array([1, 0, 0, 0, 0x78, 0x56, 0x34, 0x12]);
    expect(Buffer.from(c.compatToNative(compatBytes)).toString('hex')).toBe('01000000000000007856341200000000');
  });
  test('bytes past a record whose flexible array nothing counts: EINVAL, not dropped', () => {
    // struct kvm_signal_mask { __u32 len; __u8 sigset[]; }: the mask follows the 4 bytes
    const mask = struct('mask', [m('len', t('unsigned int')), m('sigset', arr(t('unsigned char'), null))]);
    const c = compileConverter(rec(mask), rec(mask), x86, i386);
    expect(Buffer.from(c.compatToNative(new Uint8Array([8, 0, 0, 0]))).toString('hex')).toBe('08000000');
    expect(() => c.compatToNative(new Uint8Array([8, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0]))).toThrow(
      /EINVAL: 8 bytes past the record's 4: its flexible array 'sigset' has no count/,
    );
    // the *Into calls read the record at an offset of a larger buffer: no error there
    const out = new Uint8Array(4);
    expect(c.compatToNativeInto(new Uint8Array([8, 0, 0, 0, 1, 0, 0, 0]), out)).toBe(4);
  });
  test('a union whose members convert alike needs no choice: pointers to other types, one pointer in an array', () => {
    // struct ifconf's ifc_ifcu (char *, struct ifreq *): compat_ifconf has one compat_caddr_t (net/socket.c);
    // struct cdrom_generic_command's { void *reserved[1]; void *unused; }
    const ifreq = struct('ifreq', [m('name', arr(t('char'), 16)), m('l', t('long'))]);
    const ifconf = struct('ifconf', [
      m('len', t('int')),
      m('u', rec(union(undefined, [m('buf', ptr(t('char'))), m('req', ptr(rec(ifreq)))]))),
    ]);
    const reserved = struct('cgc', [m('u', rec(union(undefined, [m('reserved', arr(ptr(), 1)), m('unused', ptr())])))]);
    for (const [s, compatBytes, native] of [
      [ifconf, [0x40, 0, 0, 0, 0, 0x10, 0, 0x80], '40000000000000000010008000000000'],
      [reserved, [0x78, 0x56, 0x34, 0x12], '7856341200000000'],
    ] as const) {
      const c = compileConverter(rec(s), rec(s), x86, i386);
      expect(Buffer.from(c.compatToNative(new Uint8Array(compatBytes))).toString('hex'), s.tag).toBe(native);
      expect(Buffer.from(c.nativeToCompat(Buffer.from(native, 'hex'))).toString('hex')).toBe(
        Buffer.from(compatBytes).toString('hex'),
      );
    }
    // a union of unnamed bit-fields alone has no member to compare: an EINVAL where the sizes differ, no crash
    const bare = struct('bare', [m('u', rec(union(undefined, [m(undefined, t('long'), { bitWidth: 1 })])))]);
    for (const [n, c] of [
      [x86, i386],
      [getAbi('arm64'), getAbi('arm')],
    ] as const) {
      try {
        compileConverter(rec(bare), rec(bare), n, c);
      } catch (e) {
        expect(e, n.name).toBeInstanceOf(ErrnoError);
      }
    }
    // copying through the pointer needs the pointee's type: the member named
    const c = compileConverter(rec(ifconf), rec(ifconf), x86, i386);
    const bytes = new Uint8Array([0x40, 0, 0, 0, 0, 0x10, 0, 0]);
    const memory: Memory = { read: () => new Uint8Array(24), write: () => undefined, alloc: () => 0x1000n };
    expect(() => c.compatToNative(bytes, { deep: true, memory })).toThrow(
      /EINVAL: the union's members point at different types/,
    );
  });
});

describe('annotations: flexible arrays and union selectors', () => {
  const x86 = getAbi('x86_64');
  const i386 = getAbi('i386');
  const elem = struct('elem', [m('v', t('long'))]);
  const req = struct('req', [
    m('n', t('unsigned int')),
    m('sel', t('int')),
    m('u', rec(union(undefined, [m('a', t('int')), m('b', ptr())]))),
    m('items', arr(rec(elem), null)),
  ]);
  const annotations = parseAnnotations(
    JSON.stringify({
      records: {
        'struct req': {
          items: { kind: 'flex-array', count: 'n' },
          u: { kind: 'union', selector: 'sel', cases: { '1': 'a', '2': 'b' } },
        },
      },
    }),
    'a.json',
  );
  const conv = compileConverter(rec(req), rec(req), x86, i386, { annotations });
  const compatReq = (n: number, sel: number, u: number, items: number[]) => {
    const b = new Uint8Array(12 + 4 * items.length);
    const v = new DataView(b.buffer);
    v.setUint32(0, n, true);
    v.setInt32(4, sel, true);
    v.setUint32(8, u, true);
    items.forEach((x, i) => v.setInt32(12 + 4 * i, x, true));
    return b;
  };
  test('the array grows with its count; the selector picks the member', () => {
    const out = conv.compatToNative(compatReq(3, 2, 0xdeadbeef, [-1, 2, -3]));
    expect(out.length).toBe(16 + 3 * 8);
    const v = new DataView(out.buffer);
    expect(v.getBigUint64(8, true)).toBe(0xdeadbeefn); // b: a pointer, zero-extended
    expect([0, 1, 2].map((i) => v.getBigInt64(16 + 8 * i, true))).toEqual([-1n, 2n, -3n]);
    expect(Buffer.from(conv.nativeToCompat(out)).toString('hex')).toBe(
      Buffer.from(compatReq(3, 2, 0xdeadbeef, [-1, 2, -3])).toString('hex'),
    );
  });
  test('an unknown selector value, a short array, an absurd count: typed errors', () => {
    expect(() => conv.compatToNative(compatReq(0, 7, 0, []))).toThrow(
      /EINVAL: selector value 7 names no member of union u$/,
    );
    expect(() => conv.compatToNative(compatReq(5, 1, 0, [1, 2]))).toThrow(/EFAULT: 'items' holds 5 elements/);
    expect(() => conv.compatToNative(compatReq(0xffffffff, 1, 0, []))).toThrow(/EINVAL: flexible array 'items'/);
  });
  test('a default: the member for the other values, or none (""): the union left zero', () => {
    const withDefault = (d: string) =>
      compileConverter(rec(req), rec(req), x86, i386, {
        annotations: parseAnnotations(
          JSON.stringify({
            records: { 'struct req': { u: { kind: 'union', selector: 'sel', cases: { '1': 'a' }, default: d } } },
          }),
          'a.json',
        ),
      });
    const u = (out: Uint8Array) => new DataView(out.buffer).getBigUint64(8, true);
    expect(u(withDefault('b').compatToNative(compatReq(0, 7, 0xdeadbeef, [])))).toBe(0xdeadbeefn);
    expect(u(withDefault('').compatToNative(compatReq(0, 7, 0xdeadbeef, [])))).toBe(0n);
    expect(u(withDefault('').compatToNative(compatReq(0, 1, 0xdeadbeef, [])))).toBe(0xdeadbeefn);
  });
});

describe('deep copies through a Memory', () => {
  class TestMemory implements Memory {
    readonly cells = new Map<bigint, Uint8Array>();
    next = 0x100000000n;
    read(addr: bigint, length: number) {
      const b = this.cells.get(addr);
      if (!b) throw new ErrnoError('EFAULT', `0x${addr.toString(16)} unmapped`);
      return b.subarray(0, length);
    }
    write(addr: bigint, bytes: Uint8Array) {
      this.cells.set(addr, bytes);
    }
    alloc(length: number) {
      const a = this.next;
      this.next += BigInt(Math.max(16, length));
      this.cells.set(a, new Uint8Array(length));
      return a;
    }
  }
  const x86 = getAbi('x86_64');
  const i386 = getAbi('i386');
  const node = struct('node', [m('v', t('long'))]);
  node.members!.push(m('next', ptr(rec(node))));
  const conv = compileConverter(rec(node), rec(node), x86, i386);
  test('a cyclic list converts once per node and ends', () => {
    const mem = new TestMemory();
    const a = new Uint8Array([1, 0, 0, 0, 0x20, 0, 0, 0]);
    const b = new Uint8Array([2, 0, 0, 0, 0x10, 0, 0, 0]);
    mem.write(0x10n, a);
    mem.write(0x20n, b);
    const out = conv.compatToNative(a, { deep: true, memory: mem });
    const next = new DataView(out.buffer).getBigUint64(8, true);
    const second = new DataView(mem.read(next, 16).buffer.slice(0));
    expect(second.getBigInt64(0, true)).toBe(2n);
    expect(mem.cells.size).toBe(4);
  });
  test('an unmapped pointer is EFAULT', () => {
    const mem = new TestMemory();
    expect(() => conv.compatToNative(new Uint8Array([1, 0, 0, 0, 0x99, 0, 0, 0]), { deep: true, memory: mem })).toThrow(
      /EFAULT/,
    );
  });

  // an array another member counts: in elements (each element converted), or in bytes (the length rescaled)
  const item = struct('item', [m('v', t('long')), m('p', ptr())]);
  const vec = struct('vec', [
    m('n', t('unsigned int')),
    m('items', ptr(rec(item))),
    m('len', t('int')),
    m('bytes', ptr(rec(item))),
    m('raw', ptr()),
    m('rawLen', t('int')),
  ]);
  const vecAnnotations = parseAnnotations(
    JSON.stringify({
      records: {
        'struct vec': {
          items: { kind: 'array-pointer', count: 'n' },
          bytes: { kind: 'array-pointer', count: 'len', unit: 'bytes' },
          raw: { kind: 'array-pointer', count: 'rawLen', unit: 'bytes' },
        },
      },
    }),
    'vec.json',
  );
  const vecConv = compileConverter(rec(vec), rec(vec), x86, i386, { annotations: vecAnnotations });
  /** A compat struct vec (24 bytes) whose arrays live in `mem` at 0x1000, 0x2000 and 0x3000. */
  const compatVec = (
    mem: TestMemory,
    items: Array<[number, number]>,
    byteItems: Array<[number, number]>,
    extraBytes: number,
    raw: Uint8Array,
  ) => {
    const pack = (xs: Array<[number, number]>, tail: number) => {
      const b = new Uint8Array(xs.length * 8 + tail).fill(0xee);
      const v = new DataView(b.buffer);
      xs.forEach(([a, p], i) => (v.setInt32(8 * i, a, true), v.setUint32(8 * i + 4, p, true)));
      return b;
    };
    mem.write(0x1000n, pack(items, 0));
    mem.write(0x2000n, pack(byteItems, extraBytes));
    mem.write(0x3000n, raw);
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setUint32(0, items.length, true);
    v.setUint32(4, 0x1000, true);
    v.setInt32(8, byteItems.length * 8 + extraBytes, true);
    v.setUint32(12, 0x2000, true);
    v.setUint32(16, 0x3000, true);
    v.setInt32(20, raw.length, true);
    return b;
  };
  const pairs = fc.array(
    fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 ** 31 - 1 })),
    { maxLength: 12 },
  );

  test('array-pointers: every element converted and back; a length in bytes rescaled, a partial tail dropped', () => {
    fc.assert(
      fc.property(
        pairs,
        pairs,
        fc.integer({ min: 0, max: 7 }),
        fc.uint8Array({ maxLength: 40 }),
        (items, byteItems, extra, raw) => {
          const mem = new TestMemory();
          const native = vecConv.compatToNative(compatVec(mem, items, byteItems, extra, raw), {
            deep: true,
            memory: mem,
          });
          const v = new DataView(native.buffer);
          expect(v.getUint32(0, true)).toBe(items.length);
          // 16-byte native elements: the length in bytes follows, the partial tail is gone
          expect(v.getInt32(16, true)).toBe(byteItems.length * 16);
          expect(v.getInt32(40, true)).toBe(raw.length);
          for (const [at, xs] of [
            [8, items],
            [24, byteItems],
          ] as const) {
            const addr = v.getBigUint64(at, true);
            if (xs.length === 0) continue;
            const arr = new DataView(mem.read(addr, xs.length * 16).slice().buffer);
            xs.forEach(([a, p], i) => {
              expect(arr.getBigInt64(16 * i, true)).toBe(BigInt(a)); // long: sign-extended
              expect(arr.getBigUint64(16 * i + 8, true)).toBe(BigInt(p)); // pointer: zero-extended
            });
          }
          if (raw.length)
            expect(Buffer.from(mem.read(v.getBigUint64(32, true), raw.length)).toString('hex')).toBe(
              Buffer.from(raw).toString('hex'),
            );
          // and back (into 32-bit addresses): the compat arrays hold the values again, the lengths the compat sizes
          mem.next = 0x10000n;
          const back = new DataView(vecConv.nativeToCompat(native, { deep: true, memory: mem }).buffer);
          expect(back.getInt32(8, true)).toBe(byteItems.length * 8);
          if (items.length) {
            const arr = new DataView(mem.read(BigInt(back.getUint32(4, true)), items.length * 8).slice().buffer);
            expect(items.map((_, i) => [arr.getInt32(8 * i, true), arr.getUint32(8 * i + 4, true)])).toEqual(items);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test(
    'array-pointers: a negative length is EINVAL, an unmapped array EFAULT, ' + 'an absurd one EFAULT before any read',
    () => {
      const mem = new TestMemory();
      const b = compatVec(mem, [[1, 2]], [], 0, new Uint8Array(0));
      new DataView(b.buffer).setInt32(8, -8, true);
      expect(() => vecConv.compatToNative(b, { deep: true, memory: mem })).toThrow(
        /EINVAL: 'len' holds a negative length/,
      );
      const c = compatVec(mem, [[1, 2]], [], 0, new Uint8Array(0));
      new DataView(c.buffer).setUint32(4, 0x9000, true);
      expect(() => vecConv.compatToNative(c, { deep: true, memory: mem })).toThrow(/EFAULT/);
      const d = compatVec(mem, [[1, 2]], [], 0, new Uint8Array(0));
      new DataView(d.buffer).setUint32(0, 0xffffffff, true);
      expect(() => vecConv.compatToNative(d, { deep: true, memory: mem })).toThrow(/EFAULT: pointed-to data beyond/);
    },
  );

  test('array-pointer annotations are checked against the record', () => {
    const bad = (ann: object) => () =>
      parseAnnotations(JSON.stringify({ records: { 'struct vec': { items: ann } } }), 'bad.json');
    expect(bad({ kind: 'array-pointer' })).toThrow(/bad.json: struct vec.items: array-pointer needs "count"/);
    expect(bad({ kind: 'array-pointer', count: 'n', unit: 'words' })).toThrow(/"unit" is "elements"/);
  });
});
