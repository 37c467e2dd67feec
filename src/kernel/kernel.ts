/**
 * An executable model of a 64-bit kernel serving native and compat tasks through ioctl:
 * tasks with a personality, descriptor tables (fork, exec, passing descriptors), devices with
 * file_operations, sys_ioctl and compat_sys_ioctl in the order of fs/ioctl.c, and the 2002
 * register_ioctl32_conversion() registry with its log line for unhandled commands.
 */
import type { Abi } from '../abi/types.js';
import { compatPtr } from '../abi/index.js';
import type { IncludeOptions } from '../cfront/index.js';
import { byNumber, type IoctlTable } from './dispatch.js';
import { macroNumbers } from './numbers.js';
import { errnos, type ErrnoTable } from '../abi/errno.js';
import { ERRNO, ErrnoError } from '../thunk/errors.js';
import { UsageError } from '../errors.js';

/**
 * The model's page size, the same for every architecture (x86's; some distributions' arm64 and ppc64 kernels use
 * larger pages).
 */
export const PAGE_SIZE = 4096;

/** Sparse user memory of a task: copy_from_user/copy_to_user fail with EFAULT where unmapped. */
export class UserMemory {
  private readonly regions: Array<{ start: bigint; bytes: Uint8Array }> = [];
  private next: bigint;

  constructor(readonly top: bigint) {
    this.next = 0x10000n;
  }

  /** Maps `length` bytes and returns their address (below the task's address limit). */
  alloc(length: number, init?: Uint8Array): bigint {
    const start = this.next;
    this.next += BigInt((length + 15) & ~15) + 16n;
    if (this.next > this.top) throw new ErrnoError('ENOMEM', 'user address space exhausted');
    const bytes = new Uint8Array(length);
    if (init) bytes.set(init.subarray(0, length));
    this.regions.push({ start, bytes });
    return start;
  }

  private find(addr: bigint, length: number): { r: Uint8Array; off: number } | null {
    for (const { start, bytes } of this.regions) {
      if (addr >= start && addr + BigInt(length) <= start + BigInt(bytes.length))
        return { r: bytes, off: Number(addr - start) };
    }
    return null;
  }

  read(addr: bigint, length: number): Uint8Array | null {
    const f = this.find(addr, length);
    return f ? f.r.slice(f.off, f.off + length) : null;
  }

  write(addr: bigint, data: Uint8Array): boolean {
    const f = this.find(addr, data.length);
    if (!f) return false;
    f.r.set(data, f.off);
    return true;
  }
}

export interface FileOperations {
  open?(file: KFile, task: Task): number;
  release?(file: KFile): void;
  /** Returns a value >= 0, or -errno; -ENOIOCTLCMD when the command is not the driver's. */
  unlocked_ioctl?: (file: KFile, cmd: number, arg: bigint, task: Task) => number;
  /** Called with the compat task's raw 32-bit argument; no fallback to unlocked_ioctl. */
  compat_ioctl?: (file: KFile, cmd: number, arg: number, task: Task) => number;
}

export type FileKind = 'regular' | 'chr' | 'blk' | 'fifo' | 'socket' | 'anon';

/** What do_vfs_ioctl reads of a regular file (its inode, in the kernel). */
export interface RegularFileState {
  size: bigint;
  pos: bigint;
  blockSize: number;
  /** Bytes allocated on disk (FIOQSIZE). */
  allocated: bigint;
  /** FS_IOC_GETFLAGS / FS_IOC_SETFLAGS (ext2-style inode flags). */
  flags: number;
  /**
   * The inode's number and its filesystem's device (stat's st_ino, st_dev: LOOP_GET_STATUS reports them); 0 when
   * absent.
   */
  ino?: bigint;
  dev?: bigint;
}

export interface Device {
  name: string;
  kind: FileKind;
  major: number;
  minor: number;
  fops: FileOperations;
}

/** An open file description (shared by descriptors that dup or pass it). */
export class KFile {
  flags = { nonblock: false, async: false };
  privateData: unknown;
  constructor(
    readonly device: Device,
    readonly opener: Task,
  ) {}
}

export interface Fd {
  file: KFile;
  cloexec: boolean;
}

export class Task {
  readonly fds = new Map<number, Fd>();
  memory: UserMemory;
  constructor(
    readonly kernel: Kernel,
    readonly pid: number,
    public comm: string,
    public abi: Abi,
  ) {
    this.memory = new UserMemory(abi.bits === 32 ? 0xffffffffn : 0x7fffffffffffn);
  }

  /** A compat task: its ABI is not the kernel's native one. */
  get compat(): boolean {
    return this.abi.name !== this.kernel.native.name;
  }

  /** errno numbers as the task's kernel returns them. */
  get errno(): ErrnoTable {
    return this.kernel.errno;
  }

  /** copy_to_user(): 0, or -EFAULT where nothing is mapped. */
  copyToUser(addr: bigint, bytes: Uint8Array): number {
    return this.memory.write(addr, bytes) ? 0 : -this.errno.EFAULT;
  }

  /** put_user() of a 4- or 8-byte integer in the kernel's byte order (signed or not: the same bytes). */
  putUser(addr: bigint, bytes: 4 | 8, v: bigint | number): number {
    const b = new Uint8Array(bytes);
    const dv = new DataView(b.buffer);
    const le = this.kernel.native.endian === 'little';
    if (bytes === 8) dv.setBigUint64(0, BigInt.asUintN(64, BigInt(v)), le);
    else dv.setUint32(0, Number(BigInt.asUintN(32, BigInt(v))), le);
    return this.copyToUser(addr, b);
  }

  /** get_user() of an int; null where nothing is mapped. */
  getUserInt(addr: bigint): number | null {
    const b = this.memory.read(addr, 4);
    return b ? new DataView(b.buffer).getInt32(0, this.kernel.native.endian === 'little') : null;
  }

  install(file: KFile, cloexec = false): number {
    let fd = 0;
    while (this.fds.has(fd)) fd++;
    this.fds.set(fd, { file, cloexec });
    return fd;
  }
}

export type Ioctl32Handler = (fd: number, cmd: number, arg: number, file: KFile, task: Task) => number;

interface Registration {
  cmd: number;
  /** null: a compatible ioctl, passed to the native handler with compat_ptr(arg). */
  handler: Ioctl32Handler | null;
  /** Only for files of this device major (numbers two drivers share). */
  major?: number;
}

/**
 * The 2002 compat registry (fs/compat_ioctl.c, register_ioctl32_conversion): one entry per
 * command number, or per (number, device major) where two drivers share a number. A second
 * registration of the same number for the same device is refused with -EINVAL: the original
 * could not stack handlers.
 */
export class Ioctl32Registry {
  private readonly entries: Registration[] = [];

  register(cmd: number, handler: Ioctl32Handler | null, opts: { major?: number } = {}): number {
    const clash = this.entries.some(
      (e) => e.cmd === cmd && (e.major === undefined || opts.major === undefined || e.major === opts.major),
    );
    // EINVAL is errno-base.h's: one number on every architecture, and no task to ask
    if (clash) return -ERRNO.EINVAL;
    this.entries.push({ cmd, handler, ...(opts.major !== undefined ? { major: opts.major } : {}) });
    return 0;
  }

  unregister(cmd: number, opts: { major?: number } = {}): number {
    const i = this.entries.findIndex((e) => e.cmd === cmd && e.major === opts.major);
    if (i < 0) return -ERRNO.EINVAL;
    this.entries.splice(i, 1);
    return 0;
  }

  /** The entry for a command on a file: the device-specific one first. */
  lookup(cmd: number, file: KFile): Registration | undefined {
    return (
      this.entries.find((e) => e.cmd === cmd && e.major === file.device.major) ??
      this.entries.find((e) => e.cmd === cmd && e.major === undefined)
    );
  }

  get size(): number {
    return this.entries.length;
  }
}

export interface KernelOptions {
  /** Where the native ABI's headers are (command numbers come from them). */
  include?: IncludeOptions;
  /**
   * Unknown compat commands: '2002' logs `sys32_ioctl(prog:pid): Unknown cmd ...` and returns
   * -EINVAL as fs/compat_ioctl.c did; 'modern' returns -ENOTTY silently.
   */
  unknownCompat?: '2002' | 'modern';
}

const COMMON = ['FIOCLEX', 'FIONCLEX', 'FIONBIO', 'FIOASYNC', 'FIOQSIZE', 'FIONREAD'] as const;
const FS = ['FS_IOC_GETFLAGS', 'FS_IOC_SETFLAGS', 'FS_IOC32_GETFLAGS', 'FS_IOC32_SETFLAGS', 'FIGETBSZ'] as const;
type CommonNumber = (typeof COMMON)[number] | (typeof FS)[number];

/** The commands every file answers (do_vfs_ioctl), from the native ABI's headers. */
function commonNumbers(abi: Abi, include: IncludeOptions): Record<CommonNumber, number> {
  return {
    ...macroNumbers(abi, ['asm/ioctls.h'], [...COMMON], include),
    ...macroNumbers(abi, ['linux/fs.h'], [...FS], include),
  } as Record<CommonNumber, number>;
}

/** A command do_vfs_ioctl() answers for every file, on the descriptor it came through. */
type VfsIoctl = (task: Task, d: Fd, arg: bigint) => number;

/** FIOCLEX: set_close_on_exec(fd, 1). */
const ioctlFioclex: VfsIoctl = (_task, d) => {
  d.cloexec = true;
  return 0;
};

/** FIONCLEX: set_close_on_exec(fd, 0). */
const ioctlFionclex: VfsIoctl = (_task, d) => {
  d.cloexec = false;
  return 0;
};

/** ioctl_fionbio(): O_NONBLOCK from an int. */
const ioctlFionbio: VfsIoctl = (task, d, arg) => {
  const v = task.getUserInt(arg);
  if (v === null) return -task.errno.EFAULT;
  d.file.flags.nonblock = v !== 0;
  return 0;
};

/** ioctl_fioasync(): FASYNC from an int. */
const ioctlFioasync: VfsIoctl = (task, d, arg) => {
  const v = task.getUserInt(arg);
  if (v === null) return -task.errno.EFAULT;
  d.file.flags.async = v !== 0;
  return 0;
};

/** do_vfs_ioctl()'s commands for every file. */
const VFS_IOCTLS: IoctlTable<CommonNumber, VfsIoctl> = {
  FIOCLEX: ioctlFioclex,
  FIONCLEX: ioctlFionclex,
  FIONBIO: ioctlFionbio,
  FIOASYNC: ioctlFioasync,
};

/** A command a regular file answers, whatever its filesystem, on its inode. */
type FileIoctl = (task: Task, st: RegularFileState, arg: bigint) => number;

/** do_vfs_ioctl() FIONREAD of a regular file: put_user(i_size_read(inode) - filp->f_pos). */
const fileFionread: FileIoctl = (task, st, arg) => task.putUser(arg, 4, st.size - st.pos);

/** do_vfs_ioctl() FIGETBSZ: put_user(inode->i_sb->s_blocksize). */
const ioctlFigetbsz: FileIoctl = (task, st, arg) => task.putUser(arg, 4, st.blockSize);

/** do_vfs_ioctl() FIOQSIZE: inode_get_bytes(), a loff_t. */
const ioctlFioqsize: FileIoctl = (task, st, arg) => task.putUser(arg, 8, st.allocated);

/** ioctl_getflags(): the numbers say long; the kernel writes an int. */
const ioctlGetflags: FileIoctl = (task, st, arg) => task.putUser(arg, 4, st.flags);

/** ioctl_setflags(): reads an int, whatever the number says. */
const ioctlSetflags: FileIoctl = (task, st, arg) => {
  const v = task.getUserInt(arg);
  if (v === null) return -task.errno.EFAULT;
  st.flags = v;
  return 0;
};

/** do_vfs_ioctl()'s cases that read the inode: the model answers them for regular files alone. */
const FILE_IOCTLS: IoctlTable<CommonNumber, FileIoctl> = {
  FIONREAD: fileFionread,
  FIGETBSZ: ioctlFigetbsz,
  FIOQSIZE: ioctlFioqsize,
  FS_IOC_GETFLAGS: ioctlGetflags,
  FS_IOC_SETFLAGS: ioctlSetflags,
};

export class Kernel {
  readonly tasks = new Map<number, Task>();
  readonly devices = new Map<string, Device>();
  readonly registry = new Ioctl32Registry();
  /** printk output. */
  readonly log: string[] = [];
  private nextPid = 100;
  private readonly numbers: ReturnType<typeof commonNumbers>;
  private readonly vfsIoctls: ReadonlyMap<number, VfsIoctl>;
  private readonly fileIoctls: ReadonlyMap<number, FileIoctl>;

  constructor(
    readonly native: Abi,
    readonly options: KernelOptions = {},
  ) {
    if (native.bits !== 64)
      throw new UsageError(`${native.name} is not a 64-bit native ABI (the model's kernels are 64-bit)`);
    this.numbers = commonNumbers(native, options.include ?? {});
    this.vfsIoctls = byNumber(this.numbers, VFS_IOCTLS);
    this.fileIoctls = byNumber(this.numbers, FILE_IOCTLS);
  }

  /** errno numbers as this kernel returns them: its architecture's (mips, sparc, parisc, alpha differ). */
  get errno(): ErrnoTable {
    return errnos(this.native);
  }

  /** A task of `abi`: the native ABI or one of the compat ABIs the kernel serves. */
  spawn(comm: string, abi: Abi = this.native): Task {
    if (abi.name !== this.native.name && !this.native.compat.includes(abi.name)) {
      throw new UsageError(`a ${this.native.name} kernel does not run ${abi.name} tasks`);
    }
    const t = new Task(this, this.nextPid++, comm, abi);
    this.tasks.set(t.pid, t);
    return t;
  }

  /** fork(): the child shares the open files through a copy of the descriptor table. */
  fork(parent: Task): Task {
    const child = this.spawn(parent.comm, parent.abi);
    for (const [fd, d] of parent.fds) child.fds.set(fd, { ...d });
    return child;
  }

  /** execve(): a new program, maybe of another personality; close-on-exec descriptors go. */
  exec(task: Task, comm: string, abi: Abi = task.abi): void {
    if (abi.name !== this.native.name && !this.native.compat.includes(abi.name))
      throw new UsageError(`cannot exec a ${abi.name} program on ${this.native.name}`);
    for (const [fd, d] of [...task.fds]) if (d.cloexec) task.fds.delete(fd);
    task.comm = comm;
    task.abi = abi;
    task.memory = new UserMemory(abi.bits === 32 ? 0xffffffffn : 0x7fffffffffffn);
  }

  /** SCM_RIGHTS: `to` gets a descriptor for the same open file. */
  passFd(from: Task, fd: number, to: Task): number {
    const d = from.fds.get(fd);
    if (!d) return -from.errno.EBADF;
    return to.install(d.file);
  }

  addDevice(path: string, device: Device): void {
    this.devices.set(path, device);
  }

  open(task: Task, path: string): number {
    const device = this.devices.get(path);
    if (!device) return -task.errno.ENOENT;
    return this.openDevice(task, device);
  }

  /** A new open file on a device (also how drivers hand out anonymous files, like KVM's vm fd). */
  openDevice(task: Task, device: Device, privateData?: unknown): number {
    const file = new KFile(device, task);
    file.privateData = privateData;
    const r = device.fops.open?.(file, task) ?? 0;
    if (r < 0) return r;
    return task.install(file);
  }

  close(task: Task, fd: number): number {
    const d = task.fds.get(fd);
    if (!d) return -task.errno.EBADF;
    task.fds.delete(fd);
    const stillOpen = [...this.tasks.values()].some((t) => [...t.fds.values()].some((x) => x.file === d.file));
    if (!stillOpen) d.file.device.fops.release?.(d.file);
    return 0;
  }

  /** ioctl(2) as the task's personality reaches the kernel. */
  ioctl(task: Task, fd: number, cmd: number, arg: bigint | number): number {
    const a = BigInt(arg);
    return task.compat
      ? this.compatSysIoctl(task, fd, cmd >>> 0, Number(BigInt.asUintN(32, a)))
      : this.sysIoctl(task, fd, cmd >>> 0, a);
  }

  /** fs/ioctl.c SYSCALL_DEFINE3(ioctl): do_vfs_ioctl, then vfs_ioctl. */
  sysIoctl(task: Task, fd: number, cmd: number, arg: bigint): number {
    const d = task.fds.get(fd);
    if (!d) return -task.errno.EBADF;
    const r = this.doVfsIoctl(task, d, cmd, arg);
    if (r !== -ERRNO.ENOIOCTLCMD) return r;
    return this.vfsIoctl(task, d.file, cmd, arg);
  }

  /** vfs_ioctl: the driver's unlocked_ioctl; -ENOIOCTLCMD becomes -ENOTTY. */
  vfsIoctl(task: Task, file: KFile, cmd: number, arg: bigint): number {
    const h = file.device.fops.unlocked_ioctl;
    if (!h) return -task.errno.ENOTTY;
    const r = h(file, cmd, arg, task);
    return r === -ERRNO.ENOIOCTLCMD ? -task.errno.ENOTTY : r;
  }

  /** do_vfs_ioctl(): the commands every file answers, and a regular file's, before any driver sees them. */
  private doVfsIoctl(task: Task, d: Fd, cmd: number, arg: bigint): number {
    const generic = this.vfsIoctls.get(cmd);
    if (generic) return generic(task, d, arg);
    const regular = d.file.device.kind === 'regular';
    // FIONREAD of anything but a regular file is the driver's native unlocked_ioctl, from a
    // compat task too (do_vfs_ioctl calls vfs_ioctl)
    if (cmd === this.numbers.FIONREAD && !regular) return this.vfsIoctl(task, d.file, cmd, arg);
    const h = regular ? this.fileIoctls.get(cmd) : undefined;
    return h ? h(task, d.file.privateData as RegularFileState, arg) : -ERRNO.ENOIOCTLCMD;
  }

  /**
   * fs/ioctl.c COMPAT_SYSCALL_DEFINE3(ioctl): FS_IOC32_* remapped; do_vfs_ioctl with
   * compat_ptr(arg); then the driver's compat_ioctl with the raw argument (never its
   * unlocked_ioctl); then the 2002 registry; -ENOIOCTLCMD becomes -ENOTTY.
   */
  compatSysIoctl(task: Task, fd: number, cmd: number, arg: number): number {
    const d = task.fds.get(fd);
    if (!d) return -task.errno.EBADF;
    const n = this.numbers;
    let c = cmd;
    if (c === n.FS_IOC32_GETFLAGS) c = n.FS_IOC_GETFLAGS;
    else if (c === n.FS_IOC32_SETFLAGS) c = n.FS_IOC_SETFLAGS;
    const ptr = BigInt(compatPtr(task.abi, arg));
    let r = this.doVfsIoctl(task, d, c, ptr);
    if (r !== -ERRNO.ENOIOCTLCMD) return r;
    const compat = d.file.device.fops.compat_ioctl;
    if (compat) r = compat(d.file, c, arg, task);
    if (r !== -ERRNO.ENOIOCTLCMD) return r;
    const entry = this.registry.lookup(c, d.file);
    if (entry) return entry.handler ? entry.handler(fd, c, arg, d.file, task) : this.vfsIoctl(task, d.file, c, ptr);
    if (this.options.unknownCompat === '2002') {
      // fs/compat_ioctl.c compat_ioctl_error()
      this.log.push(`sys32_ioctl(${task.comm}:${task.pid}): Unknown cmd fd(${fd}) cmd(${hex8(cmd)}) arg(${hex8(arg)})`);
      return -task.errno.EINVAL;
    }
    return -task.errno.ENOTTY;
  }
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** The generic compat handler drivers use when their arguments are compatible (fs/ioctl.c). */
export function compatPtrIoctl(file: KFile, cmd: number, arg: number, task: Task): number {
  const h = file.device.fops.unlocked_ioctl;
  if (!h) return -ERRNO.ENOIOCTLCMD;
  return h(file, cmd, BigInt(compatPtr(task.abi, arg)), task);
}
