/**
 * The thunk on real UAPI records, read from Debian's cross headers (the properties on random
 * records, which need Node only, are in thunk.fast.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { compileConverter } from '../src/thunk/compile.js';
import { rec } from './harness/dsl.js';

describe('real records', () => {
  const pairs: Array<[Abi, Abi]> = [[getAbi('x86_64'), getAbi('i386')]];
  test('kvm_dirty_log: the pointer shares an anonymous union with a __u64', () => {
    for (const [native, compat] of pairs) {
      const n = dumpHeaders({ abi: native, headers: ['linux/kvm.h'], sysroot: `/usr/${native.headerTriple}` });
      const c = dumpHeaders({ abi: compat, headers: ['linux/kvm.h'], sysroot: `/usr/${compat.headerTriple}` });
      const nd = n.decls.get('struct kvm_dirty_log')!;
      const cd = c.decls.get('struct kvm_dirty_log')!;
      const conv = compileConverter(rec(nd), rec(cd), native, compat, { choose: ['dirty_bitmap'] });
      const compatBytes = new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x10, 0x40, 0xf7, 0, 0, 0, 0]);
      expect(Buffer.from(conv.compatToNative(compatBytes)).toString('hex')).toBe('0700000000000000001040f700000000');
    }
  });
});
