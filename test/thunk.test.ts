/**
 * The thunk on real UAPI records, read from Debian's cross headers (the properties on random
 * records, which need Node only, are in thunk.fast.test.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compatPairs, getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { dumpHeaders, type Dumped } from '../src/scan/dump.js';
import { compileConverter } from '../src/thunk/compile.js';
import { ioctlThunk } from '../src/thunk/ioctl.js';
import { check } from '../src/compat/check.js';
import { parseAnnotations, validateAnnotations } from '../src/compat/annotations.js';
import { stripTypedefs } from '../src/cfront/types.js';
import { flattenFields } from '../src/layout/fields.js';
import { compileObject } from './harness/compile.js';
import { compilerIncludeArgs } from './harness/uapi.js';
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
      // unasked, the pointer is the value, as check's action says (compat_ptr() on dirty_bitmap): what the task left
      // in the padding's other half is not a pointer's (kvm_vm_compat_ioctl reads a compat_uptr_t)
      const unasked = compileConverter(rec(nd), rec(cd), native, compat);
      compatBytes.set([0xde, 0xad, 0xbe, 0xef], 12);
      expect(Buffer.from(unasked.compatToNative(compatBytes)).toString('hex')).toBe('0700000000000000001040f700000000');
    }
  });
});

describe('a union of one size whose only difference is a pointer: the pointer is the value', () => {
  test.each([
    ['x86_64', 'i386'],
    ['s390x', 's390'],
  ])("%s <- %s: BTRFS_IOC_SNAP_CREATE_V2's qgroup_inherit beside unused[4], as check's compat_ptr() says", (nn, cn) => {
    const [native, compat] = [getAbi(nn), getAbi(cn)];
    const n = dumpHeaders({ abi: native, headers: ['linux/btrfs.h'], sysroot: `/usr/${native.headerTriple}` });
    const c = dumpHeaders({ abi: compat, headers: ['linux/btrfs.h'], sysroot: `/usr/${compat.headerTriple}` });
    const row = check({
      pairs: [{ native, compat }],
      scan: { headers: ['linux/btrfs.h'] },
      lint: false,
    }).pairs[0]!.ioctls.find((v) => v.name === 'BTRFS_IOC_SNAP_CREATE_V2')!;
    expect(row.verdict).toBe('pointer-inside');
    const thunk = ioctlThunk('BTRFS_IOC_SNAP_CREATE_V2', n, c);
    const decl = n.decls.get('struct btrfs_ioctl_vol_args_v2')!;
    const at = flattenFields(n.layouter.layout(decl), n.layouter).find((f) => f.path === 'qgroup_inherit')!.offset;
    const task = new Uint8Array(thunk.converter!.compatSize);
    const le = compat.endian === 'little';
    new DataView(task.buffer).setUint32(at, 0x8000_1000, le);
    // what the task left in the union's bytes past its 4-byte pointer is not part of it
    task.set([0xde, 0xad, 0xbe, 0xef], at + 4);
    const mine = new DataView(thunk.enter(task).buffer);
    // compat_ptr(): s390 clears bit 31 of a 31-bit task's pointer
    expect(mine.getBigUint64(at, native.endian === 'little')).toBe(nn === 's390x' ? 0x1000n : 0x8000_1000n);
  });
});

describe("KVM_SET_SIGNAL_MASK's mask (the built-in sigset annotation, counted by len)", () => {
  /** The signals set in a mask of `words`-byte words (signal k is bit k-1 of the whole mask, as the kernel numbers). */
  const signals = (bytes: Uint8Array, word: 4 | 8, le: boolean): number[] => {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: number[] = [];
    for (let w = 0; w * word < bytes.length; w++) {
      const x = word === 4 ? BigInt(v.getUint32(w * 4, le)) : v.getBigUint64(w * 8, le);
      for (let b = 0; b < word * 8; b++) if ((x >> BigInt(b)) & 1n) out.push(w * word * 8 + b + 1);
    }
    return out;
  };

  /** The pairs whose headers both define it (32-bit arm has no KVM headers; sparc and parisc no KVM). */
  const pairs = compatPairs().flatMap(({ native, compat }) => {
    const n = dumpHeaders({ abi: native, headers: ['linux/kvm.h'], sysroot: `/usr/${native.headerTriple}` });
    const c = dumpHeaders({ abi: compat, headers: ['linux/kvm.h'], sysroot: `/usr/${compat.headerTriple}` });
    const both = n.ioctls.has('KVM_SET_SIGNAL_MASK') && c.ioctls.has('KVM_SET_SIGNAL_MASK');
    return both ? [[`${native.name} <- ${compat.name}`, { native, compat, n, c }] as const] : [];
  });

  test('the pairs include the big-endian ones and x86', () => {
    const names = pairs.map(([name]) => name);
    for (const p of ['x86_64 <- i386', 's390x <- s390', 'ppc64 <- ppc', 'mips64 <- mips', 'mips64 <- mipsn32'])
      expect(names).toContain(p);
  });

  test.each(pairs)(
    '%s: the native mask holds the signals of the compat_sigset_t, both ways (get/put_compat_sigset)',
    (_, { native, compat, n, c }) => {
      const thunk = ioctlThunk('KVM_SET_SIGNAL_MASK', n, c);
      // _NSIG / 8 bytes: 8, and 16 on mips (128 signals)
      const len = native.name.startsWith('mips') ? 16 : 8;
      const cle = compat.endian === 'little';
      const task = new Uint8Array(4 + len);
      const tv = new DataView(task.buffer);
      tv.setUint32(0, len, cle);
      const wanted = [1, 2, 9, 15, 31, 32, 33, 34, 63, 64].filter((k) => k <= len * 8);
      for (const k of wanted)
        task[4 + (((k - 1) >> 5) << 2) + (cle ? ((k - 1) & 31) >> 3 : 3 - (((k - 1) & 31) >> 3))]! |=
          1 << ((k - 1) & 7);
      expect(signals(task.subarray(4), 4, cle)).toEqual(wanted);
      const mine = thunk.enter(task);
      expect(mine.length).toBe(4 + len);
      expect(new DataView(mine.buffer, mine.byteOffset).getUint32(0, native.endian === 'little')).toBe(len);
      expect(signals(mine.subarray(4), 8, native.endian === 'little')).toEqual(wanted);
      expect([...thunk.converter!.nativeToCompat(mine)]).toEqual([...task]);
    },
  );

  test('a mask of bytes that are not whole words, or shorter than len says, is EINVAL/EFAULT, not dropped', () => {
    const [native, compat] = [getAbi('s390x'), getAbi('s390')];
    const n = dumpHeaders({ abi: native, headers: ['linux/kvm.h'], sysroot: `/usr/${native.headerTriple}` });
    const c = dumpHeaders({ abi: compat, headers: ['linux/kvm.h'], sysroot: `/usr/${compat.headerTriple}` });
    const thunk = ioctlThunk('KVM_SET_SIGNAL_MASK', n, c);
    const short = new Uint8Array([0, 0, 0, 8, 1, 2, 3, 4]);
    expect(() => thunk.enter(short)).toThrow(/needed|past the end/);
    const odd = new Uint8Array([0, 0, 0, 4, 1, 2, 3, 4]);
    expect(() => thunk.enter(odd)).toThrow(/signal mask of 4 bytes/);
  });

  test('a flexible sigset needs its count, of bytes; a fixed one takes none', () => {
    const x86 = getAbi('x86_64');
    const d = dumpHeaders({ abi: x86, headers: ['linux/kvm.h'], sysroot: '/usr/x86_64-linux-gnu' });
    const check =
      (member: Record<string, unknown>, record = 'struct kvm_signal_mask') =>
      () =>
        validateAnnotations(
          parseAnnotations(JSON.stringify({ records: { [record]: member } }), 'a.json'),
          d.decls,
          d.layouter,
        );
    expect(check({ sigset: { kind: 'sigset' } })).toThrow(/a flexible sigset needs "count"/);
    expect(check({ sigset: { kind: 'sigset', count: 'nope' } })).toThrow(/count member 'nope'/);
    expect(check({ len: { kind: 'sigset', count: 'len' } })).toThrow(/"count" applies to a flexible array/);
    expect(check({ sigset: { kind: 'sigset', count: 'len' } })).not.toThrow();
    expect(check({ sigset: { kind: 'sigset', count: 3 } })).toThrow(/length in bytes/);
  });
});

describe("ALSA's records built by the reference compilers, converted by the thunk", () => {
  const HEADERS = ['linux/ioctl.h', 'sound/asound.h'];
  const PAIRS = [
    ['x86_64', 'i386'],
    ['s390x', 's390'],
    ['mips64', 'mipsn32'],
  ] as const;
  type Fields = ReturnType<typeof flattenFields>;
  /**
   * Designated initializers of every integer member and of the array elements both ABIs have, values from the path
   * (or `set`'s).
   */
  function initializer(
    fields: Fields,
    lengths: Map<string, number>,
    skip: (path: string) => boolean,
    set: Readonly<Record<string, number>>,
  ): string {
    let seed = 0;
    const out: string[] = [];
    for (const f of fields) {
      const t = stripTypedefs(f.ctype);
      seed++;
      if (skip(f.path)) continue;
      if (t.kind === 'int' || t.kind === 'enum') out.push(`.${f.path} = ${set[f.path] ?? (seed % 97) + 1}`);
      else if (t.kind === 'array' && stripTypedefs(t.of).kind === 'int')
        for (let i = 0; i < lengths.get(f.path)!; i++) out.push(`.${f.path}[${i}] = ${((seed + i) % 89) + 1}`);
    }
    return `{ ${out.join(', ')} }`;
  }

  /**
   * The record as each ABI's compiler lays the same values out (members `skip` names left zero), and how many of
   * its arrays have other lengths on the two.
   */
  async function built(
    pair: { n: Dumped; c: Dumped; headers: readonly string[] },
    record: string,
    skip: (path: string) => boolean = () => false,
    set: Readonly<Record<string, number>> = {},
  ) {
    const { n, c, headers } = pair;
    const [nd, cd] = [n.decls.get(record)!, c.decls.get(record)!];
    const nf = flattenFields(n.layouter.layout(nd), n.layouter);
    const cf = flattenFields(c.layouter.layout(cd), c.layouter);
    const lengths = new Map<string, number>();
    let differing = 0;
    for (const f of nf) {
      // a member of one side only (asm/mtrr.h's _pad) has no length to agree on
      const g = cf.find((x) => x.path === f.path);
      if (!g) continue;
      const [a, b] = [stripTypedefs(f.ctype), stripTypedefs(g.ctype)];
      if (a.kind === 'array' && b.kind === 'array') {
        lengths.set(f.path, Math.min(a.length!, b.length!));
        if (a.length !== b.length) differing++;
      }
    }
    const source = (fields: Fields) =>
      `${headers.map((h) => `#include <${h}>`).join('\n')}\n${record} v = ${initializer(fields, lengths, skip, set)};\n`;
    const [native, compat] = [n.layouter.abi, c.layouter.abi];
    const [no, co] = await Promise.all([
      compileObject(native, source(nf), await compilerIncludeArgs(native)),
      compileObject(compat, source(cf), await compilerIncludeArgs(compat)),
    ]);
    return { nb: no.symbols.get('v')!, cb: co.symbols.get('v')!, nf, cf, nd, cd, differing };
  }

  /** The same C source compiled by the pair's two compilers (native first). */
  const objects = async (pair: { n: Dumped; c: Dumped }, source: string) => {
    const compiled = (abi: Abi) => compilerIncludeArgs(abi).then((args) => compileObject(abi, source, args));
    return Promise.all([compiled(pair.n.layouter.abi), compiled(pair.c.layouter.abi)] as const);
  };
  const dumps = (nn: string, cn: string, headers: readonly string[] = HEADERS) => {
    const [native, compat] = [getAbi(nn), getAbi(cn)];
    const n = dumpHeaders({ abi: native, headers: [...headers], sysroot: `/usr/${native.headerTriple}` });
    const c = dumpHeaders({ abi: compat, headers: [...headers], sysroot: `/usr/${compat.headerTriple}` });
    return { n, c, headers };
  };
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

  test.each(PAIRS)(
    "%s <- %s: arrays whose length follows the ABI (asound.h's pad[sizeof(time_t) - sizeof(int)])",
    async (nn, cn) => {
      const pair = dumps(nn, cn);
      let differing = 0;
      for (const record of ['struct snd_pcm_status', 'struct snd_rawmidi_status']) {
        const b = await built(pair, record);
        differing += b.differing;
        const conv = compileConverter(
          { kind: 'record', decl: b.nd },
          { kind: 'record', decl: b.cd },
          pair.n.layouter.abi,
          pair.c.layouter.abi,
        );
        expect(hex(conv.compatToNative(b.cb)), record).toBe(hex(b.nb));
        expect(hex(conv.nativeToCompat(b.nb)), record).toBe(hex(b.cb));
        // a byte in an element the other ABI lacks is not dropped: EOVERFLOW
        const pad = b.nf.find((f) => f.path === 'pad1')!;
        const wide = b.nb.slice();
        if (pad.size > b.cf.find((f) => f.path === 'pad1')!.size) {
          wide[pad.offset + pad.size - 1] = 1;
          expect(() => conv.nativeToCompat(wide)).toThrow(/EOVERFLOW: 'pad1.pad\[3\]' = 1 does not fit an array of 0/);
        }
      }
      expect(differing).toBeGreaterThan(0);
    },
    120_000,
  );

  test.each(PAIRS)(
    "%s <- %s: VIDIOC_DQEVENT's union, whose ctrl differs only in tail padding, is copied (put_v4l2_event32)",
    async (nn, cn) => {
      const pair = dumps(nn, cn, ['linux/videodev2.h']);
      const thunk = ioctlThunk('VIDIOC_DQEVENT', pair.n, pair.c);
      // the ctrl member set (value, not value64 beside it), the union's others left zero
      const b = await built(
        pair,
        'struct v4l2_event',
        (p) => (/^u\./.test(p) && !/^u\.ctrl\./.test(p)) || p === 'u.ctrl.value64',
      );
      expect(hex(thunk.leave(b.nb)!)).toBe(hex(b.cb));
      expect(hex(thunk.converter!.compatToNative(b.cb))).toBe(hex(b.nb));
    },
    120_000,
  );

  test.each(PAIRS)(
    '%s <- %s: BTRFS_IOC_DEV_REPLACE: a union of other sizes whose members differ only in tail padding is copied',
    async (nn, cn) => {
      const pair = dumps(nn, cn, ['linux/btrfs.h']);
      const thunk = ioctlThunk('BTRFS_IOC_DEV_REPLACE', pair.n, pair.c);
      const sizes = new Set<number>();
      // `cmd` says start or status; either member's bytes come through
      for (const member of ['start', 'status']) {
        const b = await built(
          pair,
          'struct btrfs_ioctl_dev_replace_args',
          (p) => /^(start|status)\./.test(p) && !p.startsWith(`${member}.`),
        );
        sizes.add(b.nb.length - b.cb.length);
        expect(hex(thunk.enter(b.cb)), member).toBe(hex(b.nb));
        expect(hex(thunk.leave(b.nb)!), member).toBe(hex(b.cb));
      }
      // x86_64's union is 4 bytes larger than i386's (2072 against 2068: start's tail padding)
      if (nn === 'x86_64') expect([...sizes]).toEqual([4]);
    },
    120_000,
  );

  test.each(PAIRS)(
    "%s <- %s: EVIOCSFF's effect converts as periodic, and its id goes back (input_ff_effect_from_user, put_user)",
    async (nn, cn) => {
      const pair = dumps(nn, cn, ['linux/input.h']);
      const thunk = ioctlThunk('EVIOCSFF', pair.n, pair.c);
      expect([thunk.in, thunk.out]).toEqual([true, true]);
      const b = await built(pair, 'struct ff_effect', (p) => /^u\./.test(p) && !/^u\.periodic\./.test(p));
      expect(hex(thunk.enter(b.cb))).toBe(hex(b.nb));
      expect(hex(thunk.leave(b.nb)!)).toBe(hex(b.cb));
    },
    120_000,
  );

  // the handler reads the request and answers in the reply of the same union (compat_drm_wait_vblank, via_wait_irq)
  const WAITS = [
    ['DRM_IOCTL_WAIT_VBLANK', 'drm/drm.h', 'union drm_wait_vblank'],
    ['DRM_IOCTL_VIA_WAIT_IRQ', 'drm/via_drm.h', 'union drm_via_irqwait'],
  ] as const;
  test.each(PAIRS.flatMap((p) => WAITS.map((w) => [...p, ...w] as const)))(
    '%s <- %s: %s: the request in, the reply back',
    async (nn, cn, ioctl, header, union) => {
      const pair = dumps(nn, cn, [header]);
      const thunk = ioctlThunk(ioctl, pair.n, pair.c);
      const request = await built(pair, union, (p) => !p.startsWith('request.'));
      const reply = await built(pair, union, (p) => !p.startsWith('reply.'));
      expect(hex(thunk.enter(request.cb))).toBe(hex(request.nb));
      expect(hex(thunk.leave(reply.nb)!)).toBe(hex(reply.cb));
    },
    120_000,
  );

  test.each(PAIRS)(
    "%s <- %s: a control's value by its type (snd_ctl_elem_info_compat, snd_ctl_elem_add_compat), unasked",
    async (nn, cn) => {
      const pair = dumps(nn, cn);
      const [info, add] = ['SNDRV_CTL_IOCTL_ELEM_INFO', 'SNDRV_CTL_IOCTL_ELEM_ADD'].map((x) =>
        ioctlThunk(x, pair.n, pair.c),
      );
      const record = 'struct snd_ctl_elem_info';
      // the members the kernel's switch copies for each type (BYTES, 4: none)
      const TYPES = [
        [1, 'integer'],
        [2, 'integer'],
        [3, 'enumerated'],
        [6, 'integer64'],
        [4, null],
      ] as const;
      for (const [type, member] of TYPES) {
        const only = (p: string) => p.startsWith('value.') && !(member && p.startsWith(`value.${member}.`));
        const b = await built(pair, record, only, { type });
        expect(hex(add!.enter(b.cb)), `${type}`).toBe(hex(b.nb));
        expect(hex(info!.leave(b.nb)!), `${type}`).toBe(hex(b.cb));
        // what the task left in the union's other bytes is not the kernel's to read
        if (member === null) {
          const noisy = b.cb.slice();
          const value = b.cf.find((f) => f.path === 'value')!;
          noisy.fill(0x5a, value.offset, value.offset + value.size);
          expect(hex(add!.enter(noisy))).toBe(hex(b.nb));
        }
      }
      // ELEM_INFO reads the enumerated item whatever the task's type says
      const item = await built(pair, record, (p) => p.startsWith('value.') && !p.startsWith('value.enumerated.'), {
        type: 2,
      });
      expect(hex(info!.enter(item.cb))).toBe(hex(item.nb));
      // an enumerated control's names are a user pointer (compat_ptr)
      const names = item.cf.find((f) => f.path === 'value.enumerated.names_ptr')!;
      expect(item.cb.subarray(names.offset, names.offset + 8).some((x) => x !== 0)).toBe(true);
    },
    120_000,
  );

  test.each(PAIRS)(
    "%s <- %s: SIOCGMIIPHY and SIOCSIWFREQ/SIOCGIWFREQ carry the union's bytes as the task laid them",
    async (nn, cn) => {
      // get_user_ifreq copies struct compat_ifreq into a zeroed struct ifreq and dev_ifsioc reads the union as struct
      // mii_ioctl_data (if_mii); compat_wext_handle_ioctl copies struct iwreq and reads u.freq unconverted. Truth: each
      // compiler's bytes of the same values, put where the handler reads them on each ABI
      const headers = ['sys/socket.h', 'linux/if.h', 'linux/mii.h', 'linux/sockios.h', 'linux/wireless.h'];
      const pair = dumps(nn, cn, headers);
      const source =
        `${headers.map((h) => `#include <${h}>`).join('\n')}\n` +
        'union { struct ifreq r; struct { char n[IFNAMSIZ]; struct mii_ioctl_data d; } m; } mii = ' +
        '{ .m = { "eth0", { .phy_id = 0x1234, .reg_num = 5, .val_in = 0xbeef, .val_out = 0xcafe } } };\n' +
        'struct iwreq freq = { .ifr_name = "wlan0", .u.freq = { .m = 2412, .e = 6, .i = 3, .flags = 1 } };\n';
      const [no, co] = await objects(pair, source);
      const ifreq = pair.n.result.records['struct ifreq']!.size;
      const [nm, cm] = [no.symbols.get('mii')!.subarray(0, ifreq), co.symbols.get('mii')!];
      expect(cm.length).toBeLessThan(nm.length);
      const phy = ioctlThunk('SIOCGMIIPHY', pair.n, pair.c);
      expect(hex(phy.enter(cm))).toBe(hex(nm));
      expect(hex(phy.leave(nm)!)).toBe(hex(cm.subarray(0, pair.c.result.records['struct ifreq']!.size)));
      const [nf, cf] = [no.symbols.get('freq')!, co.symbols.get('freq')!];
      expect(hex(ioctlThunk('SIOCSIWFREQ', pair.n, pair.c).enter(cf))).toBe(hex(nf));
      expect(hex(ioctlThunk('SIOCGIWFREQ', pair.n, pair.c).leave(nf)!)).toBe(hex(cf));
    },
    120_000,
  );

  test.each(PAIRS)(
    '%s <- %s: VIDIOC_S_FMT, G_FMT and CREATE_BUFS convert the format the buffer type selects',
    async (nn, cn) => {
      // get_v4l2_format32 and put_v4l2_format32 switch on the type (BUILTIN_UNIONS): a capture format as it is, an
      // overlay window with its clips and bitmap pointers converted, a multiplanar format; -EINVAL for other types.
      // Truth: each compiler's bytes of the same values
      const headers = ['linux/videodev2.h'];
      const pair = dumps(nn, cn, headers);
      const source =
        '#include <linux/videodev2.h>\n' +
        'struct v4l2_format pix = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .fmt.pix = { .width = 640, .height = 480, ' +
        '.pixelformat = V4L2_PIX_FMT_YUYV, .bytesperline = 1280, .sizeimage = 614400, .priv = 0xfeedface } };\n' +
        'struct v4l2_format win = { .type = V4L2_BUF_TYPE_VIDEO_OVERLAY, .fmt.win = { .w = { -3, 5, 320, 240 }, ' +
        '.field = 4, .chromakey = 0x00ff00, .clips = (struct v4l2_clip *)0x12345670, .clipcount = 2, ' +
        '.bitmap = (void *)0x7654320, .global_alpha = 9 } };\n' +
        'struct v4l2_format mp = { .type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE, .fmt.pix_mp = { .width = 1920, ' +
        '.height = 1080, .num_planes = 2, .plane_fmt = { { .sizeimage = 7, .bytesperline = 8 }, { 9, 10 } } } };\n' +
        'struct v4l2_create_buffers cb = { .index = 1, .count = 4, .memory = V4L2_MEMORY_MMAP, .format = { ' +
        '.type = V4L2_BUF_TYPE_VIDEO_OUTPUT, .fmt.pix = { .width = 16, .height = 9 } }, .capabilities = 3, ' +
        '.flags = 1 };\n' +
        'struct v4l2_format bad = { .type = V4L2_BUF_TYPE_PRIVATE };\n';
      const [no, co] = await objects(pair, source);
      const sFmt = ioctlThunk('VIDIOC_S_FMT', pair.n, pair.c);
      for (const v of ['pix', 'win', 'mp']) {
        const [nb, cb] = [no.symbols.get(v)!, co.symbols.get(v)!];
        expect(hex(sFmt.enter(cb)), v).toBe(hex(nb));
        expect(hex(ioctlThunk('VIDIOC_G_FMT', pair.n, pair.c).leave(nb)!), v).toBe(hex(cb));
      }
      const create = ioctlThunk('VIDIOC_CREATE_BUFS', pair.n, pair.c);
      expect(hex(create.enter(co.symbols.get('cb')!))).toBe(hex(no.symbols.get('cb')!));
      expect(hex(create.leave(no.symbols.get('cb')!)!)).toBe(hex(co.symbols.get('cb')!));
      expect(() => sFmt.enter(co.symbols.get('bad')!)).toThrow(
        /EINVAL: selector value 128 names no member of union fmt/,
      );
      // an annotation of the outer record, by a path into struct v4l2_format, comes first (its selector's path too)
      const outer = parseAnnotations(
        JSON.stringify({
          records: {
            'struct v4l2_create_buffers': {
              'format.fmt': { kind: 'union', selector: 'format.type', cases: { '1': 'pix' } },
            },
          },
        }),
        'outer.json',
      );
      expect(() => ioctlThunk('VIDIOC_CREATE_BUFS', pair.n, pair.c, outer).enter(co.symbols.get('cb')!)).toThrow(
        /EINVAL: selector value 2 names no member of union format\.fmt/,
      );
    },
    120_000,
  );

  test.each(PAIRS)(
    '%s <- %s: VIDIOC_QBUF and DQBUF convert m by the memory, the planes address for a multiplanar type',
    async (nn, cn) => {
      // get_v4l2_buffer32 and put_v4l2_buffer32 (BUILTIN_UNIONS): m.offset whatever the memory, then userptr or fd
      // by it, and m.planes for V4L2_TYPE_IS_MULTIPLANAR(type). Truth: each compiler's bytes of the same values
      const pair = dumps(nn, cn, ['linux/videodev2.h']);
      const buffer = (name: string, type: string, memory: string, m: string) =>
        `struct v4l2_buffer ${name} = { .index = 3, .type = ${type}, .bytesused = 4096, .flags = 1, .field = 1, ` +
        `.timestamp = { -2, 500 }, .sequence = 9, .memory = ${memory}, .m = { ${m} }, .length = 8192 };\n`;
      const source =
        '#include <linux/videodev2.h>\n' +
        buffer('mmap', 'V4L2_BUF_TYPE_VIDEO_CAPTURE', 'V4L2_MEMORY_MMAP', '.offset = 0x8000f000') +
        buffer('user', 'V4L2_BUF_TYPE_VIDEO_OUTPUT', 'V4L2_MEMORY_USERPTR', '.userptr = 0x12345670') +
        buffer('dmabuf', 'V4L2_BUF_TYPE_VIDEO_CAPTURE', 'V4L2_MEMORY_DMABUF', '.fd = -5') +
        buffer('mplane', 'V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE', 'V4L2_MEMORY_MMAP', '.planes = (void *)0x7654320') +
        buffer('other', 'V4L2_BUF_TYPE_VIDEO_CAPTURE', '7', '.offset = 0xabc');
      const [no, co] = await objects(pair, source);
      const q = ioctlThunk('VIDIOC_QBUF', pair.n, pair.c);
      const dq = ioctlThunk('VIDIOC_DQBUF', pair.n, pair.c);
      for (const v of ['mmap', 'user', 'dmabuf', 'mplane', 'other']) {
        const [nb, cb] = [no.symbols.get(v)!, co.symbols.get(v)!];
        expect(hex(q.enter(cb)), v).toBe(hex(nb));
        expect(hex(dq.leave(nb)!), v).toBe(hex(cb));
      }
    },
    120_000,
  );

  test('x86_64 <- i386: MTRRIOC_GET_ENTRY, whose struct has its members in another order and a _pad more', async () => {
    // asm/mtrr.h: regnum, base, size, type for __i386__; base, size, regnum, type, _pad otherwise
    // (arch/x86/kernel/cpu/mtrr/if.c converts struct mtrr_gentry32 member by member, by name)
    const pair = dumps('x86_64', 'i386', ['asm/mtrr.h']);
    const thunk = ioctlThunk('MTRRIOC_GET_ENTRY', pair.n, pair.c);
    const values = { regnum: 3, base: 0x12345, size: 0x2000, type: 1 };
    const b = await built(pair, 'struct mtrr_gentry', (p) => p === '_pad', values);
    expect(b.nf.map((f) => f.path)).toEqual(['base', 'size', 'regnum', 'type', '_pad']);
    expect(b.cf.map((f) => f.path)).toEqual(['regnum', 'base', 'size', 'type']);
    expect(hex(thunk.enter(b.cb))).toBe(hex(b.nb));
    expect(hex(thunk.leave(b.nb)!)).toBe(hex(b.cb));
    // a value in the member the task's struct lacks has nowhere to go
    const pad = b.nf.find((f) => f.path === '_pad')!;
    const odd = b.nb.slice();
    odd[pad.offset] = 7;
    expect(() => thunk.leave(odd)).toThrow(
      /EOVERFLOW: '_pad' = 7 does not fit i386's struct mtrr_gentry, which has no such member/,
    );
  }, 120_000);

  test.each(PAIRS)(
    '%s <- %s: SNDRV_PCM_IOCTL_SYNC_PTR converts s.status and c.control, the built-in members, unasked',
    async (nn, cn) => {
      const pair = dumps(nn, cn);
      const thunk = ioctlThunk('SNDRV_PCM_IOCTL_SYNC_PTR', pair.n, pair.c);
      const record = pair.n.ioctls.get('SNDRV_PCM_IOCTL_SYNC_PTR')!.arg!;
      const b = await built(pair, record, (p) => /^(s|c)\.reserved/.test(p));
      expect(hex(thunk.enter(b.cb))).toBe(hex(b.nb));
      expect(hex(thunk.leave(b.nb)!)).toBe(hex(b.cb));
      // the caller's own choice still wins
      expect(() =>
        ioctlThunk('SNDRV_PCM_IOCTL_SYNC_PTR', pair.n, pair.c, undefined, { members: { s: 'reserved' } }),
      ).not.toThrow();
    },
    120_000,
  );
});

describe('the thunk agrees with check on every UAPI ioctl', () => {
  test.each([
    ['x86_64', 'i386'],
    ['s390x', 's390'],
  ])(
    '%s <- %s: no-arg is no copy, identical converts, unknown is refused',
    (nn, cn) => {
      const [native, compat] = [getAbi(nn), getAbi(cn)];
      const scanFor = (abi: { headerTriple: string }) => ({ sysroot: `/usr/${abi.headerTriple}` });
      const n = dumpHeaders({ abi: native, ...scanFor(native) });
      const c = dumpHeaders({ abi: compat, ...scanFor(compat) });
      const rows = check({ pairs: [{ native, compat }], scan: {}, scanFor, lint: false }).pairs[0]!.ioctls;
      const wrong: string[] = [];
      const seen = { 'no-arg': 0, identical: 0, unknown: 0 };
      for (const v of rows) {
        if (!n.ioctls.has(v.name) || !c.ioctls.has(v.name)) continue;
        let thunk: ReturnType<typeof ioctlThunk> | undefined;
        let error = '';
        try {
          thunk = ioctlThunk(v.name, n, c);
        } catch (e) {
          error = (e as Error).message;
        }
        if (v.verdict === 'no-arg') {
          seen['no-arg']++;
          if (!thunk || thunk.converter) wrong.push(`${v.name} (no-arg): ${error || 'a converter'}`);
        } else if (v.verdict === 'identical') {
          seen.identical++;
          if (!thunk?.converter) wrong.push(`${v.name} (identical): ${error || 'no converter'}`);
        } else if (v.verdict === 'unknown') {
          seen.unknown++;
          if (thunk) wrong.push(`${v.name} (unknown): the thunk copies ${thunk.converter ? 'by a type' : 'nothing'}`);
        }
      }
      expect(wrong).toEqual([]);
      expect(seen['no-arg']).toBeGreaterThan(500);
      expect(seen.identical).toBeGreaterThan(1500);
      // s390's zcrypt numbers (_IOC(_IOC_READ|_IOC_WRITE, 'z', n, 0): data copied, no type named); none on x86
      expect(seen.unknown).toBe(nn === 's390x' ? 6 : 0);
    },
    600_000,
  );
});

describe('the thunk converts the type check judges', () => {
  test("a macro naming a pointer converts what it points at; an annotation's arg on an _IO converts both ways", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-thunk-arg-'));
    const header = join(dir, 'p.h');
    writeFileSync(
      header,
      '#include <linux/ioctl.h>\n#include <linux/types.h>\nstruct phm_reg { __u32 a; long b; };\n' +
        "#define P_SET _IOW('p', 1, struct phm_reg *)\n#define P_IO _IO('p', 2)\n",
    );
    const [native, compat] = [getAbi('x86_64'), getAbi('i386')];
    const [n, c] = [native, compat].map((abi) => dumpHeaders({ abi, headers: [header] })) as [Dumped, Dumped];
    const annotations = parseAnnotations(JSON.stringify({ ioctls: { P_IO: { arg: 'struct phm_reg' } } }), 'a.json');
    const rows = check({ pairs: [{ native, compat }], scan: { headers: [header] }, lint: false, annotations }).pairs[0]!
      .ioctls;
    for (const name of ['P_SET', 'P_IO']) {
      const v = rows.find((x) => x.name === name)!;
      const size = v.reasons.find((r) => r.rule === 'size' && !r.path)!;
      const t = ioctlThunk(name, n, c, annotations);
      // struct phm_reg: 16 bytes natively, 8 for the task (not a pointer's 8 and 4)
      expect([t.converter!.nativeSize, t.converter!.compatSize], name).toEqual([size.native!.size, size.compat!.size]);
      expect([t.in, t.out], name).toEqual(name === 'P_SET' ? [true, false] : [true, true]);
      expect(v.action, name).toContain(name === 'P_SET' ? 'in (the kernel only reads it)' : 'both ways');
    }
  });
});
