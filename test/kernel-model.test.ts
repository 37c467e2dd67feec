/**
 * Against the real kernel of this machine (test/harness/kernel.ts runs the same C program as a
 * 64-bit and as an i386 process): the thunk turns the native argument bytes into the compat bytes
 * the kernel's own compat layer produced (and compat setters into native ones), and the model
 * kernel answers the dispatch cases as the real one does. Then the model alone: the 2002
 * registry and KVM's compat rules per architecture.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ABIS, getAbi } from '../src/abi/index.js';
import type { CType } from '../src/cfront/types.js';
import { check } from '../src/compat/check.js';
import { parseAnnotations, validateAnnotations } from '../src/compat/annotations.js';
import {
  Kernel,
  compatPtrIoctl,
  installInet,
  installKvm,
  installRandom,
  installLoop,
  installPty,
  kvmConfig,
  macroNumbers,
  type Device,
  type NetDevice,
  type RegularFileState,
  type Task,
} from '../src/kernel/index.js';
import { flattenFields } from '../src/layout/fields.js';
import { Layouter } from '../src/layout/layout.js';
import { dumpHeaders, type Dumped } from '../src/scan/dump.js';
import { compileConverter } from '../src/thunk/compile.js';
import { ioctlThunk } from '../src/thunk/ioctl.js';
import { ERRNO } from '../src/thunk/errors.js';
import { captureKernel, type CaseResult } from './harness/kernel.js';
import { hostNetDevices } from './harness/net.js';

const x86 = getAbi('x86_64');
const i386 = getAbi('i386');
const HEADERS = [
  'linux/kvm.h',
  'linux/loop.h',
  'linux/fs.h',
  'linux/if.h',
  'linux/sockios.h',
  'asm/ioctls.h',
  'linux/termios.h',
  'linux/random.h',
];

/** Cases whose values differ between two runs of the program (objects the runs create anew). */
const VOLATILE: Record<string, string[]> = {
  'pty.TIOCGPTN': [''],
  'urandom.RNDGETENTCNT': [''],
  // the inode generation: random for each new file
  'file.FS_IOC_GETVERSION': [''],
  'loop.LOOP_GET_STATUS': ['lo_number', 'lo_device', 'lo_inode', 'lo_rdevice', 'lo_name', 'lo_init'],
  'loop.LOOP_GET_STATUS64': ['lo_number', 'lo_device', 'lo_inode', 'lo_rdevice', 'lo_file_name', 'lo_init'],
  'loop.LOOP_SET_STATUS64': ['lo_file_name'],
  'kvm.KVM_GET_DIRTY_LOG': ['dirty_bitmap', 'padding2'],
  'kvm.KVM_SET_USER_MEMORY_REGION': ['userspace_addr'],
};
/** Where the kernel's compat path computes something else than the conversion of the native answer. */
const KERNEL_SEMANTICS: Record<string, string> = {
  // block/ioctl.c compat_blkdev_ioctl: BLKBSZGET_32 returns bdev_logical_block_size(), the native path the soft
  // block size
  'loop.BLKBSZGET': 'compat path returns another quantity',
  // dev_ifconf recomputes ifc_len for 32-bit ifreq slots: its own test converts it with the array (an array-pointer)
  'sock.SIOCGIFCONF': 'ifc_len is recomputed per slot size',
};

let capture: Map<string, { native?: CaseResult; compat?: CaseResult }>;
let nd: Dumped;
let cd: Dumped;

beforeAll(async () => {
  capture = await captureKernel();
  nd = dumpHeaders({ abi: x86, headers: HEADERS, sysroot: '/usr/x86_64-linux-gnu' });
  cd = dumpHeaders({ abi: i386, headers: HEADERS, sysroot: '/usr/i686-linux-gnu' });
}, 600_000);

/**
 * Zeroes the bytes of the volatile members (and padding: only member bytes are compared). Of a
 * union, only the active member counts: the kernel writes that one alone.
 */
function meaningful(
  bytes: Uint8Array,
  type: CType,
  layouter: Layouter,
  volatile: string[],
  active?: { union: string; member: string },
): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let t = type;
  while (t.kind === 'typedef') t = t.decl.type;
  if (t.kind !== 'record') {
    if (!volatile.includes('')) out.set(bytes.subarray(0, layouter.typeLayout(type).size));
    return out;
  }
  for (const f of flattenFields(layouter.layout(t.decl), layouter)) {
    let ft = f.ctype;
    while (ft.kind === 'typedef') ft = ft.decl.type;
    if (ft.kind === 'record' || volatile.some((v) => f.path === v || f.path.startsWith(`${v}.`))) continue;
    if (active && f.path.startsWith(`${active.union}.`) && !f.path.startsWith(`${active.union}.${active.member}`))
      continue;
    out.set(bytes.subarray(f.offset, f.offset + f.size), f.offset);
  }
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('the thunk reproduces the real kernel compat layer', () => {
  test('getters: native bytes converted = the bytes the i386 process got; setters the other way', () => {
    let compared = 0;
    const skipped: string[] = [];
    for (const [name, { native, compat }] of capture) {
      const ioctl = name.split('.')[1]!;
      const entry = nd.ioctls.get(ioctl);
      const centry = cd.ioctls.get(ioctl);
      if (!native || !compat || native.skipped || compat.skipped) {
        skipped.push(`${name}: ${native?.skipped ?? compat?.skipped ?? 'missing'}`);
        continue;
      }
      if (!entry?.argType || !centry?.argType || entry.byValue || native.ret < 0 || compat.ret < 0 || native.size === 0)
        continue;
      if (name.startsWith('dispatch.') || KERNEL_SEMANTICS[name]) continue;
      // the thunk's own choice of a union member: the one the legacy table says the handler uses (ifreq's)
      const conv = ioctlThunk(ioctl, nd, cd).converter!;
      const volatile = VOLATILE[name] ?? [];
      if (volatile.includes('')) {
        skipped.push(`${name}: its value differs between runs`);
        continue;
      }
      const [union, member] = Object.entries(entry.members ?? {})[0] ?? [];
      const active = union && member ? { union, member } : undefined;
      const nl = new Layouter(x86);
      const cl = new Layouter(i386);
      const setter = (entry.argDir ?? entry.dir) === 'w';
      if (setter) {
        // what the i386 process passed, converted, is what a 64-bit process passes
        const mine = conv.compatToNative(compat.before.subarray(0, conv.compatSize));
        expect(hex(meaningful(mine, entry.argType, nl, volatile, active)), name).toBe(
          hex(meaningful(native.before.subarray(0, conv.nativeSize), entry.argType, nl, volatile, active)),
        );
      } else {
        const mine = conv.nativeToCompat(native.after.subarray(0, conv.nativeSize));
        expect(hex(meaningful(mine, centry.argType, cl, volatile, active)), name).toBe(
          hex(meaningful(compat.after.subarray(0, conv.compatSize), centry.argType, cl, volatile, active)),
        );
      }
      compared++;
    }
    console.log(
      `thunk vs kernel: ${compared} ioctls compared byte for byte; ` +
        `skipped: ${skipped.length ? skipped.join('; ') : 'none'}`,
    );
    expect(compared).toBeGreaterThanOrEqual(25);
  });

  test("convert --ioctl (the command): the native answer becomes the i386 process's bytes, its union member unasked", () => {
    const cli = new URL('../dist/cli/main.cjs', import.meta.url).pathname;
    const sysroots = ['--sysroot', 'x86_64=/usr/x86_64-linux-gnu', '--sysroot', 'i386=/usr/i686-linux-gnu'];
    let compared = 0;
    for (const name of ['sock.SIOCGIFFLAGS', 'sock.SIOCGIFMTU', 'loop.LOOP_GET_STATUS', 'pty.TIOCGWINSZ']) {
      const { native, compat } = capture.get(name) ?? {};
      if (!native || !compat || native.skipped || compat.skipped || native.ret < 0) continue;
      const ioctl = name.split('.')[1]!;
      const [entry, centry] = [nd.ioctls.get(ioctl)!, cd.ioctls.get(ioctl)!];
      const nsize = new Layouter(x86).typeLayout(entry.argType!).size;
      const r = spawnSync('node', [cli, 'convert', '--from', 'x86_64', '--to', 'i386', '--ioctl', ioctl, ...sysroots], {
        input: native.after.subarray(0, nsize),
      });
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      const [union, member] = Object.entries(entry.members ?? {})[0] ?? [];
      const active = union && member ? { union, member } : undefined;
      const cl = new Layouter(i386);
      const out = new Uint8Array(r.stdout);
      const volatile = VOLATILE[name] ?? [];
      expect(out.length, name).toBe(cl.typeLayout(centry.argType!).size);
      expect(hex(meaningful(out, centry.argType!, cl, volatile, active)), name).toBe(
        hex(meaningful(compat.after.subarray(0, out.length), centry.argType!, cl, volatile, active)),
      );
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(3);
  }, 120_000);

  test("SIOCGIFCONF: each native ifreq slot converts to the kernel's 32-bit slot", () => {
    const c = capture.get('sock.SIOCGIFCONF');
    if (!c?.native?.extra || !c.compat?.extra)
      throw new Error(`SIOCGIFCONF was not captured: ${c?.native?.skipped ?? c?.compat?.skipped}`);
    const conv = compileConverter(
      { kind: 'record', decl: nd.decls.get('struct ifreq')! },
      { kind: 'record', decl: cd.decls.get('struct ifreq')! },
      x86,
      i386,
      { members: { ifr_ifru: 'ifru_addr' } },
    );
    const n = c.native.extra;
    const slots = Math.min(n.length / conv.nativeSize, c.compat.extra.length / conv.compatSize);
    expect(slots).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < slots; i++) {
      const mine = conv.nativeToCompat(n.subarray(i * conv.nativeSize, (i + 1) * conv.nativeSize));
      expect(hex(mine.subarray(0, 32))).toBe(
        hex(c.compat.extra.subarray(i * conv.compatSize, i * conv.compatSize + 32)),
      );
    }
  });

  test(
    'SIOCGIFCONF whole: struct ifconf and the array it points at, deep-converted ' +
      '(ifc_len an array-pointer length in bytes), are what the i386 process got',
    () => {
      const c = capture.get('sock.SIOCGIFCONF');
      if (!c?.native?.extra || !c.compat?.extra)
        throw new Error(`SIOCGIFCONF was not captured: ${c?.native?.skipped ?? c?.compat?.skipped}`);
      const annotations = parseAnnotations(
        JSON.stringify({
          records: {
            'struct ifconf': { 'ifc_ifcu.ifcu_req': { kind: 'array-pointer', count: 'ifc_len', unit: 'bytes' } },
          },
        }),
        '<test>',
      );
      validateAnnotations(annotations, nd.decls, nd.layouter);
      const conv = compileConverter(
        { kind: 'record', decl: nd.decls.get('struct ifconf')! },
        { kind: 'record', decl: cd.decls.get('struct ifconf')! },
        x86,
        i386,
        {
          members: { ifc_ifcu: 'ifcu_req', ifr_ifru: 'ifru_addr' },
          annotations,
        },
      );
      // the 64-bit process's buffer where its ifc_buf points; what the conversion allocates on the i386 side
      const nativeBuf = new DataView(c.native.after.buffer, c.native.after.byteOffset).getBigUint64(8, true);
      const written = new Map<bigint, Uint8Array>();
      let next = 0x10000n;
      const memory = {
        read: (addr: bigint, length: number) =>
          addr === nativeBuf ? c.native!.extra!.subarray(0, length) : new Uint8Array(0),
        write: (addr: bigint, bytes: Uint8Array) => void written.set(addr, bytes.slice()),
        alloc: (length: number) => ((next += BigInt(length + 16)), next - BigInt(length + 16)),
      };
      const out = conv.nativeToCompat(c.native.after.subarray(0, conv.nativeSize), { deep: true, memory });
      const ifcLen = new DataView(out.buffer).getInt32(0, true);
      expect(hex(out.subarray(0, 4)), 'ifc_len, rescaled to the 32-bit slots').toBe(hex(c.compat.after.subarray(0, 4)));
      expect(ifcLen).toBeGreaterThan(0);
      const array = written.get(BigInt(new DataView(out.buffer).getUint32(4, true)));
      expect(array && hex(array), 'the array, slot by slot').toBe(hex(c.compat.extra.subarray(0, ifcLen)));
    },
  );

  test('the dirty bitmap KVM_GET_DIRTY_LOG wrote is the same for both processes', () => {
    const c = capture.get('kvm.KVM_GET_DIRTY_LOG');
    if (c?.native?.skipped || c?.compat?.skipped || !c?.native?.extra)
      throw new Error(`KVM_GET_DIRTY_LOG was not captured: ${c?.native?.skipped}`);
    expect(hex(c.native.extra)).toBe(hex(c.compat!.extra!));
  });

  test('verdicts agree with what the kernel did: converting ioctls changed bytes or numbers', () => {
    const verdicts = new Map(
      check({
        pairs: [{ native: x86, compat: i386 }],
        scan: { headers: HEADERS },
        scanFor: (abi) => ({ sysroot: `/usr/${abi.headerTriple}` }),
        lint: false,
      }).pairs[0]!.ioctls.map((v) => [v.name, v]),
    );
    for (const [name, { native, compat }] of capture) {
      const v = verdicts.get(name.split('.')[1]!);
      if (!v || !native || !compat || native.ret < 0 || name.startsWith('dispatch.')) continue;
      // identical with the same number: the program used one buffer size for both
      if (v.verdict === 'identical' && !v.cmdDiffers)
        expect(native.size, `${name} is identical: the same argument size for both`).toBe(compat.size);
      if (v.verdict === 'convert')
        expect(native.size !== compat.size || native.cmd !== compat.cmd, `${name} converts`).toBe(true);
    }
  });
});

/** Model drivers for the objects the capture program opens. */
function modelKernel(): { kernel: Kernel; task64: Task; task32: Task; kvm: ReturnType<typeof installKvm> } {
  const kernel = new Kernel(x86);
  const le = true;
  const { FIONREAD } = macroNumbers(x86, ['asm/ioctls.h'], ['FIONREAD']);
  const pipe: Device = {
    name: 'pipe',
    kind: 'fifo',
    major: 0,
    minor: 0,
    fops: {
      unlocked_ioctl(file, cmd, arg, task) {
        // fs/pipe.c pipe_ioctl: FIONREAD only
        if (cmd !== FIONREAD) return -ERRNO.ENOIOCTLCMD;
        const b = new Uint8Array(4);
        new DataView(b.buffer).setInt32(0, (file.privateData as { bytes: number }).bytes, le);
        return task.memory.write(arg, b) ? 0 : -ERRNO.EFAULT;
      },
      compat_ioctl: compatPtrIoctl,
    },
  };
  kernel.addDevice('/dev/null', { name: 'null', kind: 'chr', major: 1, minor: 3, fops: {} });
  const file: Device = { name: 'ext4', kind: 'regular', major: 0, minor: 0, fops: {} };
  const kvm = installKvm(kernel, { sysroot: '/usr/x86_64-linux-gnu' });
  const task64 = kernel.spawn('capture64');
  const task32 = kernel.spawn('capture32', i386);
  for (const t of [task64, task32]) {
    kernel.openDevice(t, pipe, { bytes: 123 });
    kernel.openDevice(t, file, {
      size: 1000n,
      pos: 0n,
      blockSize: 4096,
      allocated: 0n,
      flags: 0x80000,
    } satisfies RegularFileState);
  }
  return { kernel, task64, task32, kvm };
}

describe('the model kernel answers the dispatch cases as the real one', () => {
  const errnoOf = (r: number) => (r < 0 ? -r : 0);
  test('pipe, /dev/null, regular files and the FS_IOC32 remapping', () => {
    const { kernel, task64, task32 } = modelKernel();
    const run = (task: Task, fd: number, cmd: number) => {
      const buf = task.memory.alloc(16);
      return errnoOf(kernel.ioctl(task, fd, cmd, buf));
    };
    const nullFd = (t: Task) => kernel.open(t, '/dev/null');
    const pairs: Array<[string, (t: Task) => number]> = [
      ['pipe.FIONREAD', (t) => run(t, 0, capture.get('pipe.FIONREAD')![t.compat ? 'compat' : 'native']!.cmd)],
      ['dispatch.unknown_cmd_pipe', (t) => run(t, 0, capture.get('dispatch.unknown_cmd_pipe')!.native!.cmd)],
      ['null.FIONREAD', (t) => run(t, nullFd(t), capture.get('null.FIONREAD')!.native!.cmd)],
      ['file.FIONREAD', (t) => run(t, 1, capture.get('file.FIONREAD')!.native!.cmd)],
      ['file.FIGETBSZ', (t) => run(t, 1, capture.get('file.FIGETBSZ')!.native!.cmd)],
      [
        'file.FS_IOC_GETFLAGS',
        (t) => run(t, 1, capture.get('file.FS_IOC_GETFLAGS')![t.compat ? 'compat' : 'native']!.cmd),
      ],
      [
        'dispatch.native64_cmd.FS_IOC_GETFLAGS',
        (t) => run(t, 1, capture.get('dispatch.native64_cmd.FS_IOC_GETFLAGS')!.native!.cmd),
      ],
      [
        'dispatch.i386_cmd.FS_IOC_GETFLAGS',
        (t) => run(t, 1, capture.get('dispatch.i386_cmd.FS_IOC_GETFLAGS')!.native!.cmd),
      ],
    ];
    for (const [name, f] of pairs) {
      const real = capture.get(name)!;
      expect({ name, native: f(task64), compat: f(task32) }).toEqual({
        name,
        native: real.native!.errno,
        compat: real.compat!.errno,
      });
    }
  });

  test('eventfd (FIONBIO, which every file answers) and /dev/urandom (random_ioctl, compat_ptr_ioctl)', () => {
    const kernel = new Kernel(x86);
    // the pool as this machine's kernel reports it elsewhere (random.c's proc_do_entropy)
    const initBits = Number(readFileSync('/proc/sys/kernel/random/entropy_avail', 'utf8'));
    const pool = { initBits, readyBits: 256 };
    installRandom(kernel, pool, { sysroot: '/usr/x86_64-linux-gnu' });
    const eventfd: Device = { name: 'eventfd', kind: 'anon', major: 0, minor: 0, fops: {} };
    for (const [task, side] of [
      [kernel.spawn('capture64'), 'native'],
      [kernel.spawn('capture32', i386), 'compat'],
    ] as const) {
      // random_ioctl's default is -EINVAL, not -ENOTTY, from a compat task too (compat_ptr_ioctl)
      const cases = [
        ['eventfd.FIONBIO', kernel.openDevice(task, eventfd)],
        ['urandom.RNDGETENTCNT', kernel.open(task, '/dev/urandom')],
        ['dispatch.made_up_urandom_cmd', kernel.open(task, '/dev/urandom')],
      ] as const;
      for (const [name, fd] of cases) {
        const real = capture.get(name)?.[side];
        if (!real || real.skipped) throw new Error(`${name} was not captured (${side}): ${real?.skipped}`);
        const buf = task.memory.alloc(real.after.length, real.before);
        const r = kernel.ioctl(task, fd, real.cmd, buf);
        expect({ name, side, errno: r < 0 ? -r : 0 }).toEqual({ name, side, errno: real.errno });
        expect(hex(task.memory.read(buf, real.after.length)!), `${name} ${side}`).toBe(hex(real.after));
        if (name === 'eventfd.FIONBIO') expect(task.fds.get(fd)!.file.flags.nonblock).toBe(true);
      }
    }
  });

  test('KVM from an i386 task on x86_64: open, API version, VM, vCPU, dirty log', () => {
    const { kernel, task64, task32, kvm } = modelKernel();
    expect(kvm).toEqual({ KVM: true, KVM_COMPAT: true });
    // the size of the vCPU's shared pages, as a 64-bit task gets it
    const mmapSize = capture.get('kvm.KVM_GET_VCPU_MMAP_SIZE')!.native!;
    expect(kernel.ioctl(task64, kernel.open(task64, '/dev/kvm'), mmapSize.cmd, 0)).toBe(mmapSize.ret);
    const real = (n: string) => capture.get(`kvm.${n}`)!.compat!;
    const fd = kernel.open(task32, '/dev/kvm');
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(kernel.ioctl(task32, fd, real('KVM_GET_API_VERSION').cmd, 0)).toBe(real('KVM_GET_API_VERSION').ret);
    expect(kernel.ioctl(task32, fd, real('KVM_GET_VCPU_MMAP_SIZE').cmd, 0)).toBe(real('KVM_GET_VCPU_MMAP_SIZE').ret);
    const { KVM_CAP_USER_MEMORY } = macroNumbers(i386, ['linux/kvm.h'], ['KVM_CAP_USER_MEMORY'], {
      sysroot: '/usr/i686-linux-gnu',
    });
    expect(kernel.ioctl(task32, fd, real('KVM_CHECK_EXTENSION.USER_MEMORY').cmd, KVM_CAP_USER_MEMORY!)).toBe(
      real('KVM_CHECK_EXTENSION.USER_MEMORY').ret,
    );
    const vm = kernel.ioctl(task32, fd, real('KVM_CREATE_VM').cmd, 0);
    expect(vm).toBeGreaterThanOrEqual(0);
    const vcpu = kernel.ioctl(task32, vm, real('KVM_CREATE_VCPU').cmd, 0);
    expect(vcpu).toBeGreaterThanOrEqual(0);
    // the region and the dirty log, with the i386 process's own argument bytes
    const region = real('KVM_SET_USER_MEMORY_REGION');
    expect(kernel.ioctl(task32, vm, region.cmd, task32.memory.alloc(region.before.length, region.before))).toBe(0);
    const log = real('KVM_GET_DIRTY_LOG');
    const bitmap = task32.memory.alloc(8);
    const arg = new Uint8Array(log.before);
    const at = cd.result.records['struct kvm_dirty_log']!.fields.find((f) => f.path === 'dirty_bitmap')!.offset;
    new DataView(arg.buffer).setUint32(at, Number(bitmap), true);
    expect(kernel.ioctl(task32, vm, log.cmd, task32.memory.alloc(16, arg))).toBe(log.ret);
    expect(hex(task32.memory.read(bitmap, 8)!)).toBe('0000000000000000');
    // a command no switch knows, on each descriptor, from both tasks: x86's kvm_arch_*_ioctl() defaults
    const fd64 = kernel.open(task64, '/dev/kvm');
    const vm64 = kernel.ioctl(task64, fd64, capture.get('kvm.KVM_CREATE_VM')!.native!.cmd, 0);
    const vcpu64 = kernel.ioctl(task64, vm64, capture.get('kvm.KVM_CREATE_VCPU')!.native!.cmd, 0);
    const fds = { native: { dev: fd64, vm: vm64, vcpu: vcpu64 }, compat: { dev: fd, vm, vcpu } };
    for (const side of ['native', 'compat'] as const) {
      for (const on of ['dev', 'vm', 'vcpu'] as const) {
        const c = capture.get(`kvm.unknown_cmd.${on}`)?.[side];
        if (!c || c.skipped) throw new Error(`kvm.unknown_cmd.${on} was not captured (${side}): ${c?.skipped}`);
        const task = side === 'native' ? task64 : task32;
        const r = kernel.ioctl(task, fds[side][on], c.cmd, 0);
        expect({ on, side, errno: r < 0 ? -r : 0 }).toEqual({ on, side, errno: c.errno });
      }
    }
  });
});

/**
 * Which bytes of a buffer a call changed (1) or left as they were before it (0): where a value of the run's own
 * went.
 */
function writtenBytes(after: Uint8Array, before: Uint8Array): string {
  return hex(after.map((x, i) => (x === before[i] ? 0 : 1)));
}

describe('a loop device: the block layer and the loop driver answer as the real ones', () => {
  /**
   * The status records, and their fields whose values are the run's own (the device's number, the backing file's
   * inode).
   */
  const STATUS: Record<string, string> = {
    LOOP_GET_STATUS: 'struct loop_info',
    LOOP_GET_STATUS64: 'struct loop_info64',
  };
  const RUN_OWN = ['lo_number', 'lo_device', 'lo_inode', 'lo_rdevice'];
  const CASES = [
    'loop.LOOP_GET_STATUS',
    'loop.LOOP_GET_STATUS64',
    'loop.BLKGETSIZE',
    'loop.BLKGETSIZE64',
    'loop.BLKSSZGET',
    'loop.BLKROGET',
    'loop.BLKRAGET',
    'loop.BLKBSZGET',
    'loop.HDIO_GETGEO',
    'dispatch.native64_cmd.LOOP_GET_STATUS',
    'dispatch.native64_cmd.BLKGETSIZE',
    'dispatch.native64_cmd.BLKBSZGET',
    'dispatch.native64_cmd.BLKGETSIZE64',
    'dispatch.i386_cmd.BLKBSZGET',
    'dispatch.i386_cmd.BLKGETSIZE64',
  ];

  test('each getter and each mismatched number, from a 64-bit and an i386 task, over a 1 MiB file', () => {
    const setFd = capture.get('loop.LOOP_SET_FD');
    if (!setFd?.native || setFd.native.skipped || !setFd.compat || setFd.compat.skipped)
      throw new Error(`the loop cases were not captured: ${setFd?.native?.skipped ?? setFd?.compat?.skipped}`);
    const kernel = new Kernel(x86);
    const file: Device = { name: 'ext4', kind: 'regular', major: 0, minor: 0, fops: {} };
    const sides = [
      { side: 'native' as const, task: kernel.spawn('capture64'), d: nd, loop: 0 },
      { side: 'compat' as const, task: kernel.spawn('capture32', i386), d: cd, loop: 1 },
    ];
    for (const { side, task, d, loop } of sides) {
      installLoop(kernel, loop, { sysroot: '/usr/x86_64-linux-gnu' });
      // as the capture program: a backing file of LOOP_BACKING_BYTES, bound, then named with LO_FLAGS_AUTOCLEAR
      const backing = kernel.openDevice(task, file, {
        size: 1024n * 1024n,
        pos: 0n,
        blockSize: 4096,
        allocated: 0n,
        flags: 0,
      } satisfies RegularFileState);
      const lfd = kernel.open(task, `/dev/loop${loop}`);
      expect(kernel.ioctl(task, lfd, setFd[side]!.cmd, backing)).toBe(setFd[side]!.ret);
      const status = capture.get('loop.LOOP_SET_STATUS64')![side]!;
      expect(kernel.ioctl(task, lfd, status.cmd, task.memory.alloc(status.before.length, status.before))).toBe(
        status.ret,
      );
      for (const name of CASES) {
        const real = capture.get(name)![side]!;
        const buf = task.memory.alloc(real.after.length, real.before);
        const r = kernel.ioctl(task, lfd, real.cmd, buf);
        expect({ name, side, errno: r < 0 ? -r : 0 }).toEqual({ name, side, errno: real.errno });
        if (real.errno !== 0) {
          expect(hex(task.memory.read(buf, real.after.length)!), `${name} ${side}: nothing written`).toBe(
            hex(real.after),
          );
          continue;
        }
        const mine = task.memory.read(buf, real.after.length)!;
        const theirs = new Uint8Array(real.after);
        // the read-ahead window follows the backing filesystem's optimal I/O size, a fact of this
        // machine: only where the value went (a long: 8 bytes, or 4 for the compat task) is compared
        if (name === 'loop.BLKRAGET') {
          expect(writtenBytes(mine, real.before), `${name} ${side}`).toBe(writtenBytes(theirs, real.before));
          continue;
        }
        // the task's own layout of the record, whichever number it used
        const record = STATUS[name.split('.').pop()!];
        for (const path of record ? RUN_OWN : []) {
          const f = d.result.records[record!]!.fields.find((x) => x.path === path)!;
          mine.fill(0, f.offset, f.offset + f.size);
          theirs.fill(0, f.offset, f.offset + f.size);
        }
        expect(hex(mine), `${name} ${side}`).toBe(hex(theirs));
      }
    }
  });
});

describe('a pseudo-terminal: the tty layer, the pty driver and n_tty answer as the real ones', () => {
  /** Which end the capture program asks (test/kernel/capture.c cases_pty). */
  const END: Record<string, 'master' | 'slave'> = {
    'pty.TCGETS': 'slave',
    'pty.TCGETA': 'slave',
    'pty.TIOCGPTN': 'master',
    'pty.TIOCOUTQ': 'slave',
    'pty.TIOCGETD': 'slave',
    'pty.TIOCGPTLCK': 'master',
    'pty.TIOCGPKT': 'master',
    'pty.TIOCGEXCL': 'slave',
    'pty.TCGETS2': 'slave',
    'pty.TIOCMGET': 'slave',
    'pty.TIOCGSOFTCAR': 'slave',
    'dispatch.made_up_tty_cmd': 'slave',
  };

  test(
    'each getter, the window size set on the master and read on the slave, and a made-up number, ' +
      'from a 64-bit and an i386 task',
    () => {
      const kernel = new Kernel(x86);
      installPty(kernel, { sysroot: '/usr/x86_64-linux-gnu' });
      for (const [task, side] of [
        [kernel.spawn('capture64'), 'native'],
        [kernel.spawn('capture32', i386), 'compat'],
      ] as const) {
        // posix_openpt, unlockpt (TIOCSPTLCK 0), then the slave by its number
        const { TIOCSPTLCK, TIOCGPTN } = macroNumbers(task.abi, ['linux/termios.h'], ['TIOCSPTLCK', 'TIOCGPTN'], {
          sysroot: `/usr/${task.abi.headerTriple}`,
        });
        const pair = () => {
          const m = kernel.open(task, '/dev/ptmx');
          const num = task.memory.alloc(4);
          expect(kernel.ioctl(task, m, TIOCGPTN!, num)).toBe(0);
          expect(
            kernel.open(task, `/dev/pts/${new DataView(task.memory.read(num, 4)!.buffer).getUint32(0, true)}`),
          ).toBe(-ERRNO.EIO);
          expect(kernel.ioctl(task, m, TIOCSPTLCK!, task.memory.alloc(4))).toBe(0);
          const s = kernel.open(task, `/dev/pts/${new DataView(task.memory.read(num, 4)!.buffer).getUint32(0, true)}`);
          expect(s).toBeGreaterThanOrEqual(0);
          return { master: m, slave: s };
        };
        const run = (name: string, fd: number) => {
          const real = capture.get(name)![side]!;
          const buf = task.memory.alloc(real.after.length, real.before);
          const r = kernel.ioctl(task, fd, real.cmd, buf);
          expect({ name, side, errno: r < 0 ? -r : 0 }).toEqual({ name, side, errno: real.errno });
          const mine = task.memory.read(buf, real.after.length)!;
          // the pty's number is the run's own: only where it went is compared
          if (name === 'pty.TIOCGPTN') {
            expect(writtenBytes(mine, real.before), `${name} ${side}`).toBe(writtenBytes(real.after, real.before));
          } else expect(hex(mine), `${name} ${side}`).toBe(hex(real.after));
        };
        for (const [name, end] of Object.entries(END)) run(name, pair()[end]);
        const p = pair();
        run('pty.TIOCSWINSZ', p.master);
        run('pty.TIOCGWINSZ', p.slave);
      }
    },
  );
});

describe('sockets: the socket layer, inet, udp and the device layer answer as the real ones', () => {
  // this machine's devices as sysfs and getifaddrs() show them, not as the ioctls do
  let devices: NetDevice[];
  beforeAll(() => {
    devices = hostNetDevices();
  });
  const IFREQ = [
    'SIOCGIFFLAGS',
    'SIOCGIFINDEX',
    'SIOCGIFMTU',
    'SIOCGIFADDR',
    'SIOCGIFNETMASK',
    'SIOCGIFHWADDR',
    'SIOCGIFNAME',
  ];

  test(
    'the struct ifreq getters on "lo", SIOCGIFCONF, and a UDP pair\'s queues, ' + 'from a 64-bit and an i386 task',
    () => {
      const kernel = new Kernel(x86);
      const inet = installInet(kernel, devices, (abi) => ({ sysroot: `/usr/${abi.headerTriple}` }));
      let compared = 0;
      for (const [task, side] of [
        [kernel.spawn('capture64'), 'native'],
        [kernel.spawn('capture32', i386), 'compat'],
      ] as const) {
        const call = (name: string, fd: number, before: Uint8Array) => {
          const real = capture.get(name)?.[side];
          if (!real || real.skipped) throw new Error(`${name} was not captured (${side}): ${real?.skipped}`);
          const buf = task.memory.alloc(real.after.length, before);
          const r = kernel.ioctl(task, fd, real.cmd, buf);
          expect({ name, side, errno: r < 0 ? -r : 0 }).toEqual({ name, side, errno: real.errno });
          compared++;
          return { real, mine: task.memory.read(buf, real.after.length)! };
        };
        for (const cmd of IFREQ) {
          const name = `sock.${cmd}`;
          const { real, mine } = call(name, inet.socket(task), capture.get(name)![side]!.before);
          expect(hex(mine), `${name} ${side}`).toBe(hex(real.after));
        }

        // struct ifconf points at an array the kernel fills in slots of the task's struct ifreq
        const conf = capture.get('sock.SIOCGIFCONF')![side]!;
        const layout = (side === 'native' ? nd : cd).result.records['struct ifconf']!;
        const bufAt = layout.fields.find((f) => f.path === 'ifc_ifcu.ifcu_buf')!;
        const array = task.memory.alloc(conf.extra!.length, new Uint8Array(conf.extra!.length).fill(0xa5));
        const before = new Uint8Array(conf.before);
        const dv = new DataView(before.buffer);
        if (bufAt.size === 8) dv.setBigUint64(bufAt.offset, array, true);
        else dv.setUint32(bufAt.offset, Number(array), true);
        const { real, mine } = call('sock.SIOCGIFCONF', inet.socket(task), before);
        expect(hex(task.memory.read(array, conf.extra!.length)!), `SIOCGIFCONF ${side}: the array`).toBe(
          hex(real.extra!),
        );
        // ifc_len is all the kernel writes: the rest (the pointer, padding) stays as it was
        expect(hex(mine.subarray(0, 4)), `SIOCGIFCONF ${side}: ifc_len`).toBe(hex(real.after.subarray(0, 4)));
        expect(writtenBytes(mine, before), `SIOCGIFCONF ${side}: bytes written`).toBe(
          writtenBytes(real.after, real.before),
        );

        // a connected UDP pair over loopback, one 77-byte datagram sent
        const a = inet.socket(task);
        const b = inet.socket(task);
        expect(inet.send(task, a, task, b, 77)).toBe(77);
        for (const [name, fd] of [
          ['udp.SIOCINQ', b],
          ['udp.SIOCOUTQ', a],
        ] as const) {
          const { real: r, mine: m } = call(name, fd, capture.get(name)![side]!.before);
          expect(hex(m), `${name} ${side}`).toBe(hex(r.after));
        }
      }
      expect(compared).toBe(2 * (IFREQ.length + 3));
    },
  );

  test('a device or address that does not exist, and a NULL array for SIOCGIFCONF (its length alone)', () => {
    const kernel = new Kernel(x86);
    const inet = installInet(kernel, devices, (abi) => ({ sysroot: `/usr/${abi.headerTriple}` }));
    const n = macroNumbers(x86, ['linux/sockios.h'], ['SIOCGIFFLAGS', 'SIOCGIFADDR', 'SIOCGIFNAME', 'SIOCGIFCONF']);
    const withAddress = devices.filter((d) => d.inet.length).length;
    for (const task of [kernel.spawn('t64'), kernel.spawn('t32', i386)]) {
      const ifreqSize = (task.compat ? cd : nd).result.records['struct ifreq']!.size;
      const named = (name: string) => task.memory.alloc(ifreqSize, Buffer.from(name.padEnd(ifreqSize, '\0'), 'latin1'));
      const fd = inet.socket(task);
      expect(kernel.ioctl(task, fd, n.SIOCGIFFLAGS!, named('nosuchdev0'))).toBe(-ERRNO.ENODEV);
      const noAddress = devices.find((d) => d.inet.length === 0);
      if (noAddress) expect(kernel.ioctl(task, fd, n.SIOCGIFADDR!, named(noAddress.name))).toBe(-ERRNO.EADDRNOTAVAIL);
      const byIndex = task.memory.alloc(ifreqSize);
      const indexAt = (task.compat ? cd : nd).result.records['struct ifreq']!.fields.find(
        (f) => f.path === 'ifr_ifru.ifru_ivalue',
      )!.offset;
      // an index no device has
      task.memory.write(byIndex + BigInt(indexAt), Uint8Array.of(0xff, 0xff, 0, 0));
      expect(kernel.ioctl(task, fd, n.SIOCGIFNAME!, byIndex)).toBe(-ERRNO.ENODEV);
      // ifc_buf NULL: ifc_len becomes what the whole list needs
      const conf = task.memory.alloc(16);
      expect(kernel.ioctl(task, fd, n.SIOCGIFCONF!, conf)).toBe(0);
      expect(task.getUserInt(conf)).toBe(devices.reduce((k, d) => k + d.inet.length, 0) * ifreqSize);
      expect(withAddress).toBeGreaterThan(0);
      // a datagram socket's unknown command of another type
      expect(kernel.ioctl(task, fd, 0x5499, conf)).toBe(-ERRNO.ENOTTY);
    }
  });
});

describe('KVM_COMPAT per architecture (virt/kvm/Kconfig), and the double line of defense', () => {
  test('the Kconfig expression, for every native ABI', () => {
    const got = Object.fromEntries(ABIS.filter((a) => a.compat.length).map((a) => [a.name, kvmConfig(a).KVM_COMPAT]));
    expect(got).toEqual({
      x86_64: true,
      arm64: false,
      ppc64: true,
      s390x: false,
      mips64: true,
      sparc64: false,
      riscv64: false,
      parisc64: false,
    });
  });
  for (const native of ['arm64', 's390x', 'riscv64'].map(getAbi)) {
    test(
      `${native.name}: compat open is ENODEV; ` + "a 64-bit task's descriptor fails every compat ioctl with EINVAL",
      () => {
        const kernel = new Kernel(native);
        installKvm(kernel);
        const t64 = kernel.spawn('vmm');
        const t32 = kernel.spawn('vmm32', getAbi(native.compat[0]!));
        expect(kernel.open(t32, '/dev/kvm')).toBe(-ERRNO.ENODEV);
        const fd = kernel.open(t64, '/dev/kvm');
        expect(fd).toBeGreaterThanOrEqual(0);
        const api = nativeKvmNumber(native, 'KVM_GET_API_VERSION');
        expect(kernel.ioctl(t64, fd, api, 0)).toBe(12);
        const passed = kernel.passFd(t64, fd, t32);
        expect(kernel.ioctl(t32, passed, api, 0)).toBe(-ERRNO.EINVAL);
        const vm = kernel.ioctl(t64, fd, nativeKvmNumber(native, 'KVM_CREATE_VM'), 0);
        expect(kernel.ioctl(t32, kernel.passFd(t64, vm, t32), nativeKvmNumber(native, 'KVM_CREATE_VCPU'), 0)).toBe(
          -ERRNO.EINVAL,
        );
      },
    );
  }
});

function nativeKvmNumber(abi: typeof x86, name: string): number {
  return dumpHeaders({ abi, headers: ['linux/kvm.h'] }).ioctls.get(name)!.cmd;
}

describe('the 2002 registry: register_ioctl32_conversion()', () => {
  const setup = () => {
    const kernel = new Kernel(x86, { unknownCompat: '2002' });
    const calls: string[] = [];
    const dev = (major: number): Device => ({
      name: `drv${major}`,
      kind: 'chr',
      major,
      minor: 0,
      fops: { unlocked_ioctl: (_f, cmd) => (calls.push(`native ${major} ${cmd}`), 0) },
    });
    kernel.addDevice('/dev/a', dev(60));
    kernel.addDevice('/dev/b', dev(61));
    const t32 = kernel.spawn('prog', i386);
    return { kernel, calls, t32, a: kernel.open(t32, '/dev/a'), b: kernel.open(t32, '/dev/b') };
  };
  test('a number that is not unique is EINVAL; one per device major is allowed', () => {
    const { kernel } = setup();
    expect(kernel.registry.register(0x1234, null)).toBe(0);
    expect(kernel.registry.register(0x1234, null)).toBe(-ERRNO.EINVAL);
    expect(kernel.registry.register(0x5678, () => 0, { major: 60 })).toBe(0);
    expect(kernel.registry.register(0x5678, () => 0, { major: 61 })).toBe(0);
    expect(kernel.registry.register(0x5678, () => 0, { major: 61 })).toBe(-ERRNO.EINVAL);
    expect(kernel.registry.unregister(0x5678, { major: 61 })).toBe(0);
    expect(kernel.registry.unregister(0x5678, { major: 61 })).toBe(-ERRNO.EINVAL);
  });
  test('pass-through entries reach the native handler; handlers go by device major', () => {
    const { kernel, calls, t32, a, b } = setup();
    kernel.registry.register(0x1111, null);
    kernel.registry.register(0x2222, (fd, cmd) => (calls.push(`conv60 ${fd} ${cmd}`), 7), { major: 60 });
    kernel.registry.register(0x2222, (fd, cmd) => (calls.push(`conv61 ${fd} ${cmd}`), 8), { major: 61 });
    expect(kernel.ioctl(t32, a, 0x1111, 0)).toBe(0);
    expect(kernel.ioctl(t32, a, 0x2222, 0)).toBe(7);
    expect(kernel.ioctl(t32, b, 0x2222, 0)).toBe(8);
    expect(calls).toEqual([`native 60 ${0x1111}`, `conv60 ${a} ${0x2222}`, `conv61 ${b} ${0x2222}`]);
  });
  test("an unhandled command is EINVAL with the 2002 log line, which ioctl32 explain's format matches", () => {
    const { kernel, t32, a } = setup();
    expect(kernel.ioctl(t32, a, 0xc00c5404, 0xbfff0000)).toBe(-ERRNO.EINVAL);
    expect(kernel.log).toEqual([`sys32_ioctl(prog:${t32.pid}): Unknown cmd fd(${a}) cmd(c00c5404) arg(bfff0000)`]);
  });
  test('no fallback from compat_ioctl to unlocked_ioctl; ENOIOCTLCMD becomes ENOTTY (modern kernels)', () => {
    const kernel = new Kernel(x86);
    kernel.addDevice('/dev/c', {
      name: 'c',
      kind: 'chr',
      major: 62,
      minor: 0,
      fops: { unlocked_ioctl: () => 0, compat_ioctl: () => -ERRNO.ENOIOCTLCMD },
    });
    const t32 = kernel.spawn('p', i386);
    const t64 = kernel.spawn('p');
    expect(kernel.ioctl(t32, kernel.open(t32, '/dev/c'), 0x4242, 0)).toBe(-ERRNO.ENOTTY);
    expect(kernel.ioctl(t64, kernel.open(t64, '/dev/c'), 0x4242, 0)).toBe(0);
    expect(kernel.log).toEqual([]);
  });
  test('fork keeps descriptors; exec to another personality drops close-on-exec ones', () => {
    const kernel = new Kernel(x86);
    kernel.addDevice('/dev/null', { name: 'null', kind: 'chr', major: 1, minor: 3, fops: {} });
    const parent = kernel.spawn('sh');
    const keep = kernel.open(parent, '/dev/null');
    const drop = kernel.open(parent, '/dev/null');
    const { FIOCLEX } = macroNumbers(x86, ['asm/ioctls.h'], ['FIOCLEX']);
    expect(kernel.ioctl(parent, drop, FIOCLEX!, 0)).toBe(0);
    const child = kernel.fork(parent);
    expect([...child.fds.keys()]).toEqual([keep, drop]);
    kernel.exec(child, 'prog32', i386);
    expect(child.compat).toBe(true);
    expect([...child.fds.keys()]).toEqual([keep]);
    expect(() => kernel.spawn('arm', getAbi('arm'))).toThrow(/does not run arm tasks/);
  });
});
