/**
 * Commands the Linux kernel answers for a compat task itself, before a driver's .compat_ioctl
 * sees them: numbers its compat path maps to the native command (the argument is the same, only
 * the number differs) and commands it converts on its own. Facts of Linux 6.1, each with the
 * file and function that holds it; the kernel's own definition of each number is quoted, and
 * test/explain.test.ts compiles those definitions for the native ABIs to check the numbers here.
 *
 * Covered: the generic compat path (fs/ioctl.c COMPAT_SYSCALL_DEFINE3(ioctl)), the block
 * layer's (block/ioctl.c compat_blkdev_ioctl), and the filesystems' .compat_ioctl that map
 * FS_IOC32_GETVERSION/SETVERSION. Not covered: net/socket.c's compat_sock_ioctl, and the
 * commands do_vfs_ioctl() answers with a compat_ptr()'d argument under the same number.
 * src/kernel/kernel.ts and src/kernel/block.ts model the same paths.
 */
import type { Abi, AbiName } from '../abi/types.js';
import { encodeIoc, type IocDir } from './ioc.js';

/** Where the kernel's case is. */
export interface KernelSite {
  file: string;
  function: string;
}

/** Which files the case serves. */
export type KernelRemapScope = 'every file' | 'block devices' | 'filesystems';

export interface KernelRemap {
  /** The kernel's name for the number the compat task passes. */
  compatName: string;
  /** The native command it stands for. */
  nativeName: string;
  /**
   * `remap`: the number becomes the native command and the native code runs with compat_ptr(arg)
   * (the argument's layout is the same); `handle`: the compat path answers it itself, converting
   * the argument where it differs.
   */
  kind: 'remap' | 'handle';
  scope: KernelRemapScope;
  /**
   * How the kernel defines the number: _IOC fields with the argument's size in the kernel (`int`:
   * the ABI's int; a number: bytes, as `definition` lays them out for every native ABI it applies
   * to), or a plain literal (HDIO_GETGEO is 0x0301, not an _IO()).
   */
  number: { dir: IocDir; type: number; nr: number; size: 'int' | number } | { literal: number };
  /** The kernel's definition of the number, quoted (C the tests compile for each native ABI). */
  definition: string;
  /** The kernel's declarations the definition needs (its argument struct), quoted. */
  needs?: string;
  /** Native ABIs whose kernels have the case (an #if defined(CONFIG_X86_64)); absent: every one. */
  natives?: readonly AbiName[];
  sites: readonly KernelSite[];
  /** remap: why the argument needs nothing more; handle: what the kernel does with it. */
  does: string;
}

const FS_IOCTL: KernelSite = { file: 'fs/ioctl.c', function: 'COMPAT_SYSCALL_DEFINE3(ioctl)' };
const BLOCK: KernelSite = { file: 'block/ioctl.c', function: 'compat_blkdev_ioctl' };

// include/linux/falloc.h (x86_64 only): l_start is 4-aligned on i386
const SPACE_RESV_32 = `struct space_resv_32 {
  __s16 l_type; __s16 l_whence;
  __s64 l_start __attribute__((packed));
  __s64 l_len __attribute__((packed));
  __s32 l_sysid; __u32 l_pid; __s32 l_pad[4];
};`;

const preallocate = (compatName: string, nativeName: string, nr: number): KernelRemap => ({
  compatName,
  nativeName,
  kind: 'handle',
  scope: 'every file',
  // sizeof(struct space_resv_32): 2 + 2 + 8 + 8 + 4 + 4 + 16, packed
  number: { dir: 'w', type: 0x58, nr, size: 44 },
  definition: `#define ${compatName} _IOW ('X', ${nr}, struct space_resv_32)`,
  needs: SPACE_RESV_32,
  natives: ['x86_64'],
  sites: [FS_IOCTL, { file: 'fs/ioctl.c', function: 'compat_ioctl_preallocate' }],
  does: 'reads the i386 layout of struct space_resv (l_start 4-aligned) and preallocates',
});

/** Same number on both sides, the argument converted by the block layer. */
const blockConverts = (name: string, nr: number, does: string): KernelRemap => ({
  compatName: name,
  nativeName: name,
  kind: 'handle',
  scope: 'block devices',
  number: { dir: 'none', type: 0x12, nr, size: 0 },
  definition: `#define ${name} _IO(0x12,${nr})`,
  sites: [BLOCK],
  does,
});

export const KERNEL_REMAPS: readonly KernelRemap[] = [
  // fs/ioctl.c COMPAT_SYSCALL_DEFINE3(ioctl): "These access 32-bit values anyway so no further
  // handling is necessary": cmd = FS_IOC_GETFLAGS / FS_IOC_SETFLAGS, then do_vfs_ioctl()
  {
    compatName: 'FS_IOC32_GETFLAGS',
    nativeName: 'FS_IOC_GETFLAGS',
    kind: 'remap',
    scope: 'every file',
    number: { dir: 'r', type: 0x66, nr: 1, size: 'int' },
    definition: "#define FS_IOC32_GETFLAGS _IOR('f', 1, int)",
    sites: [FS_IOCTL],
    does: 'the flags are an int on both sides',
  },
  {
    compatName: 'FS_IOC32_SETFLAGS',
    nativeName: 'FS_IOC_SETFLAGS',
    kind: 'remap',
    scope: 'every file',
    number: { dir: 'w', type: 0x66, nr: 2, size: 'int' },
    definition: "#define FS_IOC32_SETFLAGS _IOW('f', 2, int)",
    sites: [FS_IOCTL],
    does: 'the flags are an int on both sides',
  },
  // fs/ioctl.c COMPAT_SYSCALL_DEFINE3(ioctl), #if defined(CONFIG_X86_64): "these get messy on
  // amd64 due to alignment differences"
  preallocate('FS_IOC_RESVSP_32', 'FS_IOC_RESVSP', 40),
  preallocate('FS_IOC_UNRESVSP_32', 'FS_IOC_UNRESVSP', 41),
  preallocate('FS_IOC_RESVSP64_32', 'FS_IOC_RESVSP64', 42),
  preallocate('FS_IOC_UNRESVSP64_32', 'FS_IOC_UNRESVSP64', 43),
  preallocate('FS_IOC_ZERO_RANGE_32', 'FS_IOC_ZERO_RANGE', 57),
  // the filesystems' own .compat_ioctl ("These are just misnamed, they actually get/put from/to
  // user an int"): EXT2_IOC32_GETVERSION and EXT4_IOC32_GETVERSION are FS_IOC32_GETVERSION
  {
    compatName: 'FS_IOC32_GETVERSION',
    nativeName: 'FS_IOC_GETVERSION',
    kind: 'remap',
    scope: 'filesystems',
    number: { dir: 'r', type: 0x76, nr: 1, size: 'int' },
    definition: "#define FS_IOC32_GETVERSION _IOR('v', 1, int)",
    sites: [
      { file: 'fs/ext2/ioctl.c', function: 'ext2_compat_ioctl' },
      { file: 'fs/ext4/ioctl.c', function: 'ext4_compat_ioctl' },
      { file: 'fs/btrfs/ioctl.c', function: 'btrfs_compat_ioctl' },
      { file: 'fs/f2fs/file.c', function: 'f2fs_compat_ioctl' },
    ],
    does: 'the version is an int on both sides',
  },
  {
    compatName: 'FS_IOC32_SETVERSION',
    nativeName: 'FS_IOC_SETVERSION',
    kind: 'remap',
    scope: 'filesystems',
    number: { dir: 'w', type: 0x76, nr: 2, size: 'int' },
    definition: "#define FS_IOC32_SETVERSION _IOW('v', 2, int)",
    sites: [
      { file: 'fs/ext2/ioctl.c', function: 'ext2_compat_ioctl' },
      { file: 'fs/ext4/ioctl.c', function: 'ext4_compat_ioctl' },
    ],
    does: 'the version is an int on both sides',
  },
  // block/ioctl.c compat_blkdev_ioctl: "The data is compatible, but the command number is
  // different" (linux/fs.h spells the native ones with size_t)
  {
    compatName: 'BLKBSZGET_32',
    nativeName: 'BLKBSZGET',
    kind: 'handle',
    scope: 'block devices',
    number: { dir: 'r', type: 0x12, nr: 112, size: 'int' },
    definition: '#define BLKBSZGET_32 _IOR(0x12, 112, int)',
    sites: [BLOCK],
    does: 'puts an int: the logical block size (the native BLKBSZGET gives block_size(), the soft one)',
  },
  {
    compatName: 'BLKBSZSET_32',
    nativeName: 'BLKBSZSET',
    kind: 'handle',
    scope: 'block devices',
    number: { dir: 'w', type: 0x12, nr: 113, size: 'int' },
    definition: '#define BLKBSZSET_32 _IOW(0x12, 113, int)',
    sites: [BLOCK, { file: 'block/ioctl.c', function: 'blkdev_bszset' }],
    does: 'sets the block size from an int, as the native BLKBSZSET does',
  },
  {
    compatName: 'BLKGETSIZE64_32',
    nativeName: 'BLKGETSIZE64',
    kind: 'handle',
    scope: 'block devices',
    number: { dir: 'r', type: 0x12, nr: 114, size: 'int' },
    definition: '#define BLKGETSIZE64_32 _IOR(0x12, 114, int)',
    sites: [BLOCK],
    does: 'puts the size in bytes as a u64, as the native BLKGETSIZE64 does',
  },
  // "Incompatible alignment on i386": compat_u64 is 4-aligned on x86 (asm/compat.h)
  {
    compatName: 'BLKTRACESETUP32',
    nativeName: 'BLKTRACESETUP',
    kind: 'handle',
    scope: 'block devices',
    // sizeof(struct compat_blk_user_trace_setup): 32 + 2 + 2 (hole) + 4 + 4 + 8 + 8 + 4
    number: { dir: 'rw', type: 0x12, nr: 115, size: 64 },
    definition: '#define BLKTRACESETUP32 _IOWR(0x12, 115, struct compat_blk_user_trace_setup)',
    needs: `typedef __u64 __attribute__((aligned(4))) compat_u64;
struct compat_blk_user_trace_setup {
  char name[32]; __u16 act_mask; __u32 buf_size; __u32 buf_nr;
  compat_u64 start_lba; compat_u64 end_lba; __u32 pid;
};`,
    natives: ['x86_64'],
    sites: [BLOCK, { file: 'kernel/trace/blktrace.c', function: 'compat_blk_trace_setup' }],
    does: 'reads the i386 layout of struct blk_user_trace_setup (its u64s 4-aligned)',
  },
  // "These need separate implementations for the data structure"
  {
    compatName: 'HDIO_GETGEO',
    nativeName: 'HDIO_GETGEO',
    kind: 'handle',
    scope: 'block devices',
    number: { literal: 0x0301 },
    definition: '#define HDIO_GETGEO 0x0301',
    sites: [BLOCK, { file: 'block/ioctl.c', function: 'compat_hdio_getgeo' }],
    does: "writes struct hd_geometry in the compat layout (a 32-bit 'start') from the driver's getgeo",
  },
  blockConverts('BLKPG', 105, 'reads struct blkpg_ioctl_arg in the compat layout (a 32-bit data pointer)'),
  // "Compat mode returns 32-bit data instead of 'long'"
  blockConverts('BLKRAGET', 99, 'puts the read-ahead as a 32-bit long'),
  blockConverts('BLKFRAGET', 101, 'puts the read-ahead as a 32-bit long'),
  blockConverts('BLKGETSIZE', 96, 'puts the size in sectors as a 32-bit long (-EFBIG when it does not fit)'),
];

/** The number `r` is on a kernel of ABI `native` (the kernel's _IOC encoding and sizes). */
export function kernelRemapNumber(r: KernelRemap, native: Abi): number {
  const n = r.number;
  if ('literal' in n) return n.literal;
  return encodeIoc(native, { dir: n.dir, type: n.type, nr: n.nr, size: n.size === 'int' ? native.sizes.int : n.size });
}

/** Whether a kernel of ABI `native` has the case at all. */
export function kernelRemapApplies(r: KernelRemap, native: Abi): boolean {
  return native.compat.length > 0 && (r.natives === undefined || r.natives.includes(native.name));
}

/** The entries a compat task's `cmd` meets on a kernel of ABI `native`. */
export function kernelRemapsFor(native: Abi, cmd: number): KernelRemap[] {
  return KERNEL_REMAPS.filter((r) => kernelRemapApplies(r, native) && kernelRemapNumber(r, native) === cmd);
}

/**
 * Commands the generic path hands on to the file's own ioctl hook under the same number, for compat tasks too and
 * before any compat hook: COMPAT_SYSCALL_DEFINE3(ioctl) calls do_vfs_ioctl() with compat_ptr(arg) first, whose
 * `case FIONREAD` calls vfs_ioctl() — the file's .unlocked_ioctl — for a file that is not a regular one (a pipe, a
 * tty, a socket, a character device). A driver's native case for one is reached by compat tasks without a compat hook.
 */
export const VFS_FORWARDED: ReadonlyArray<{ name: string; when: string; sites: readonly KernelSite[] }> = [
  {
    name: 'FIONREAD',
    when: 'the file is not a regular one',
    sites: [FS_IOCTL, { file: 'fs/ioctl.c', function: 'do_vfs_ioctl' }],
  },
];
