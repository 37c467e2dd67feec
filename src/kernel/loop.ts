/**
 * The loop driver in the model (drivers/block/loop.c), on the block layer (block.ts).
 * lo_ioctl() binds a regular file (LOOP_SET_FD), unbinds it (LOOP_CLR_FD), and sets and reads
 * the device's status through struct loop_info64 (LOOP_SET_STATUS64/LOOP_GET_STATUS64) or the
 * old struct loop_info, whose fields are truncated to it (-EOVERFLOW when a value does not
 * fit). lo_compat_ioctl() converts the old struct to the compat task's layout
 * (compat_loop_info, which is the 32-bit ABI's struct loop_info) and passes the others on,
 * with compat_ptr() for those that take a pointer; it answers -ENOIOCTLCMD to the rest.
 * Not modelled: LOOP_CONFIGURE, LOOP_CHANGE_FD, LOOP_SET_DIRECT_IO and LOOP_SET_BLOCK_SIZE
 * answer as an unknown command does (lo_simple_ioctl's -EINVAL); the -EPERM check of the
 * setters (a descriptor open for writing, or CAP_SYS_ADMIN) and LOOP_CLR_FD's deferred
 * autoclear while the device is open elsewhere are not modelled either.
 */
import type { Abi } from '../abi/types.js';
import { compatPtr } from '../abi/index.js';
import type { IncludeOptions } from '../cfront/index.js';
import { dumpHeaders, type Dumped } from '../scan/dump.js';
import { ERRNO } from '../thunk/errors.js';
import { blockDevice, type Gendisk } from './block.js';
import { byNumber, type IoctlTable } from './dispatch.js';
import { PAGE_SIZE, type Device, type Kernel, type KFile, type RegularFileState, type Task } from './kernel.js';
import { macroNumbers, recordOf, type RecordView } from './numbers.js';

const NUMBERS = [
  'LOOP_SET_FD',
  'LOOP_CLR_FD',
  'LOOP_SET_STATUS',
  'LOOP_GET_STATUS',
  'LOOP_SET_STATUS64',
  'LOOP_GET_STATUS64',
  'LOOP_SET_CAPACITY',
  'LOOP_CONFIGURE',
  'LOOP_CHANGE_FD',
  'LOOP_SET_DIRECT_IO',
  'LOOP_SET_BLOCK_SIZE',
  'LO_FLAGS_AUTOCLEAR',
  'LO_FLAGS_PARTSCAN',
  'LO_NAME_SIZE',
  'LO_KEY_SIZE',
  'LO_CRYPT_NONE',
] as const;
type LoopNumber = (typeof NUMBERS)[number];
/** major 7: LOOP_MAJOR. */
const LOOP_MAJOR = 7;
/** VM_READAHEAD_PAGES: 128 KiB, the default read-ahead window. */
const DEFAULT_RA_PAGES = 32;

/** What LOOP_GET_STATUS64 reports (struct loop_info64, as loop_get_status() fills it). */
interface LoopInfo {
  device: bigint;
  inode: bigint;
  rdevice: bigint;
  offset: bigint;
  sizelimit: bigint;
  number: number;
  flags: number;
  fileName: Uint8Array;
}

/** What a LOOP_SET_STATUS sets (the fields of a loop_info64 loop_set_status_from_info() reads). */
interface LoopSettings {
  offset: bigint;
  sizelimit: bigint;
  flags: number;
  fileName: Uint8Array;
  encryptType: number;
  encryptKeySize: number;
}

/** struct loop_device. */
interface Loop {
  number: number;
  backing: KFile | null;
  offset: bigint;
  sizelimit: bigint;
  flags: number;
  fileName: Uint8Array;
  disk: Gendisk;
}

/** A loop device with what the driver read of the headers: numbers and layouts. */
interface LoopDriver {
  lo: Loop;
  n: Record<LoopNumber, number>;
  native: Abi;
  le: boolean;
  info64: RecordView;
  /** struct loop_info of an ABI (compat_loop_info is the 32-bit ABI's). */
  oldLayout(abi: Abi): RecordView;
  ioctls: ReadonlyMap<number, LoIoctl>;
}

/** A command of lo_ioctl(): `arg` as the native path has it (a compat task's pointers already widened). */
type LoIoctl = (d: LoopDriver, arg: bigint, task: Task) => number;
/** A command of lo_compat_ioctl(): the compat task's raw argument. */
type LoCompatIoctl = (d: LoopDriver, arg: number, task: Task, cmd: number) => number;

/**
 * set_init_blocksize(): a new block device's soft block size, from its logical block size up
 * to PAGE_SIZE while the size stays a multiple of it.
 */
function initBlockSize(logical: number, bytes: bigint): number {
  let b = logical;
  while (b < PAGE_SIZE && (bytes & BigInt(b)) === 0n) b <<= 1;
  return b;
}

/** get_capacity(): the backing file from lo_offset on, up to lo_sizelimit, in sectors. */
function loopSectors(lo: Loop): bigint {
  const st = lo.backing?.privateData as RegularFileState | undefined;
  if (!st) return 0n;
  let bytes = st.size > lo.offset ? st.size - lo.offset : 0n;
  if (lo.sizelimit !== 0n && lo.sizelimit < bytes) bytes = lo.sizelimit;
  return bytes >> 9n;
}

/** A field of a record in the kernel's byte order. */
function writeField(d: LoopDriver, b: Uint8Array, f: { offset: number; size: number }, v: bigint): void {
  const dv = new DataView(b.buffer);
  if (f.size === 8) dv.setBigUint64(f.offset, BigInt.asUintN(64, v), d.le);
  else if (f.size === 4) dv.setUint32(f.offset, Number(BigInt.asUintN(32, v)), d.le);
  else if (f.size === 2) dv.setUint16(f.offset, Number(BigInt.asUintN(16, v)), d.le);
  else b[f.offset] = Number(BigInt.asUintN(8, v));
}

function readField(d: LoopDriver, b: Uint8Array, f: { offset: number; size: number }): bigint {
  const dv = new DataView(b.buffer, b.byteOffset);
  if (f.size === 8) return dv.getBigUint64(f.offset, d.le);
  return BigInt(f.size === 4 ? dv.getUint32(f.offset, d.le) : dv.getUint16(f.offset, d.le));
}

/** loop_get_status(): -ENXIO unless a file is bound. */
function loopGetStatus({ lo }: LoopDriver, task: Task): LoopInfo | number {
  if (!lo.backing) return -task.errno.ENXIO;
  const st = lo.backing.privateData as RegularFileState;
  return {
    device: st.dev ?? 0n,
    inode: st.ino ?? 0n,
    rdevice: 0n,
    offset: lo.offset,
    sizelimit: lo.sizelimit,
    number: lo.number,
    flags: lo.flags,
    fileName: lo.fileName,
  };
}

/**
 * loop_set_status() and loop_set_status_from_info(): offset, size limit, the settable flags
 * and the file name from a loop_info64; encryption is gone (-EINVAL for any).
 */
function loopSetStatus({ lo, n }: LoopDriver, i: LoopSettings, task: Task): number {
  if (!lo.backing) return -task.errno.ENXIO;
  if (i.encryptKeySize > n.LO_KEY_SIZE || i.encryptType !== n.LO_CRYPT_NONE) return -task.errno.EINVAL;
  if (i.offset > (1n << 63n) - 1n || i.sizelimit > (1n << 63n) - 1n) return -task.errno.EOVERFLOW;
  // LOOP_SET_STATUS_SETTABLE_FLAGS and _CLEARABLE_FLAGS: autoclear follows the new value,
  // partscan can only be turned on, the other flags stay
  const settable = n.LO_FLAGS_AUTOCLEAR | n.LO_FLAGS_PARTSCAN;
  lo.offset = i.offset;
  lo.sizelimit = i.sizelimit;
  lo.flags = (lo.flags & ~n.LO_FLAGS_AUTOCLEAR) | (i.flags & settable);
  lo.fileName = i.fileName.slice(0, n.LO_NAME_SIZE);
  lo.fileName[n.LO_NAME_SIZE - 1] = 0;
  return 0;
}

/**
 * loop_info64_to_old() / loop_info64_to_compat(): the old struct, zeroed, then each field;
 * -EOVERFLOW when lo_device, lo_rdevice, lo_inode or lo_offset did not fit.
 */
function loopInfo64ToOld(d: LoopDriver, info: LoopInfo, abi: Abi, task: Task): Uint8Array | number {
  const l = d.oldLayout(abi);
  const b = new Uint8Array(l.size);
  const fits = (path: string, v: bigint, signed: boolean) => {
    const bits = l.field(path).size * 8;
    return (signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v)) === v;
  };
  writeField(d, b, l.field('lo_number'), BigInt(info.number));
  writeField(d, b, l.field('lo_device'), info.device);
  writeField(d, b, l.field('lo_inode'), info.inode);
  writeField(d, b, l.field('lo_rdevice'), info.rdevice);
  writeField(d, b, l.field('lo_offset'), info.offset);
  writeField(d, b, l.field('lo_flags'), BigInt(info.flags));
  b.set(info.fileName.subarray(0, d.n.LO_NAME_SIZE), l.field('lo_name').offset);
  const fit =
    fits('lo_device', info.device, false) &&
    fits('lo_rdevice', info.rdevice, false) &&
    fits('lo_inode', info.inode, false) &&
    fits('lo_offset', info.offset, true);
  return fit ? b : -task.errno.EOVERFLOW;
}

/** loop_info64_from_old() / loop_info64_from_compat(): what a LOOP_SET_STATUS sets; no encryption (zero). */
function loopInfo64FromOld(d: LoopDriver, b: Uint8Array, abi: Abi): LoopSettings {
  const l = d.oldLayout(abi);
  const offset = l.field('lo_offset');
  const name = l.field('lo_name');
  return {
    offset: BigInt.asIntN(offset.size * 8, readField(d, b, offset)),
    sizelimit: 0n,
    flags: Number(readField(d, b, l.field('lo_flags'))),
    fileName: b.slice(name.offset, name.offset + d.n.LO_NAME_SIZE),
    encryptType: 0,
    encryptKeySize: 0,
  };
}

/** A struct loop_info64 as loop_get_status64() copies it out. */
function loopInfo64Bytes(d: LoopDriver, info: LoopInfo): Uint8Array {
  const f = (path: string) => d.info64.field(path);
  const b = new Uint8Array(d.info64.size);
  writeField(d, b, f('lo_device'), info.device);
  writeField(d, b, f('lo_inode'), info.inode);
  writeField(d, b, f('lo_rdevice'), info.rdevice);
  writeField(d, b, f('lo_offset'), info.offset);
  writeField(d, b, f('lo_sizelimit'), info.sizelimit);
  writeField(d, b, f('lo_number'), BigInt(info.number));
  writeField(d, b, f('lo_flags'), BigInt(info.flags));
  b.set(info.fileName, f('lo_file_name').offset);
  return b;
}

/** The old status (struct loop_info of `abi`) of a LOOP_SET_STATUS: -EFAULT where the task has none. */
function setStatusFromOld(d: LoopDriver, arg: bigint, task: Task, abi: Abi): number {
  const b = task.memory.read(arg, d.oldLayout(abi).size);
  return b ? loopSetStatus(d, loopInfo64FromOld(d, b, abi), task) : -task.errno.EFAULT;
}

/** The old status of a LOOP_GET_STATUS: -EINVAL for a NULL argument, then loop_get_status(). */
function getStatusAsOld(d: LoopDriver, arg: bigint, task: Task, abi: Abi): number {
  if (arg === 0n) return -task.errno.EINVAL;
  const info = loopGetStatus(d, task);
  if (typeof info === 'number') return info;
  const old = loopInfo64ToOld(d, info, abi, task);
  return typeof old === 'number' ? old : task.copyToUser(arg, old);
}

/** lo_ioctl() LOOP_SET_FD: loop_configure() with the descriptor alone; the status starts cleared. */
const loopSetFd: LoIoctl = ({ lo, n }, arg, task) => {
  const d = task.fds.get(Number(arg));
  if (!d) return -task.errno.EBADF;
  if (lo.backing) return -task.errno.EBUSY;
  if (d.file.device.kind !== 'regular' && d.file.device.kind !== 'blk') return -task.errno.EINVAL;
  lo.backing = d.file;
  lo.offset = 0n;
  lo.sizelimit = 0n;
  lo.flags = 0;
  lo.fileName = new Uint8Array(n.LO_NAME_SIZE);
  lo.disk.blockSize = initBlockSize(lo.disk.logicalBlockSize, lo.disk.sectors() << 9n);
  return 0;
};

/** loop_clr_fd(): -ENXIO unless bound. */
const loopClrFd: LoIoctl = ({ lo }, _arg, task) => {
  if (!lo.backing) return -task.errno.ENXIO;
  lo.backing = null;
  return 0;
};

/** loop_set_status64(): a struct loop_info64 from the task. */
const loopSetStatus64: LoIoctl = (d, arg, task) => {
  const b = task.memory.read(arg, d.info64.size);
  if (!b) return -task.errno.EFAULT;
  const name = d.info64.field('lo_file_name');
  const field = (path: string) => readField(d, b, d.info64.field(path));
  return loopSetStatus(
    d,
    {
      offset: field('lo_offset'),
      sizelimit: field('lo_sizelimit'),
      flags: Number(field('lo_flags')),
      fileName: b.slice(name.offset, name.offset + d.n.LO_NAME_SIZE),
      encryptType: Number(field('lo_encrypt_type')),
      encryptKeySize: Number(field('lo_encrypt_key_size')),
    },
    task,
  );
};

/** loop_get_status64(): -EINVAL for a NULL argument, then loop_get_status() as a struct loop_info64. */
const loopGetStatus64: LoIoctl = (d, arg, task) => {
  if (arg === 0n) return -task.errno.EINVAL;
  const info = loopGetStatus(d, task);
  return typeof info === 'number' ? info : task.copyToUser(arg, loopInfo64Bytes(d, info));
};

/** loop_set_status_old(): the native struct loop_info. */
const loopSetStatusOld: LoIoctl = (d, arg, task) => setStatusFromOld(d, arg, task, d.native);

/** loop_get_status_old(): the native struct loop_info. */
const loopGetStatusOld: LoIoctl = (d, arg, task) => getStatusAsOld(d, arg, task, d.native);

/** lo_simple_ioctl() LOOP_SET_CAPACITY: loop_set_capacity(), -ENXIO unless bound. */
const loopSetCapacity: LoIoctl = ({ lo }, _arg, task) => (lo.backing ? 0 : -task.errno.ENXIO);

/** lo_ioctl()'s switch; the rest is lo_simple_ioctl()'s default, -EINVAL. */
const LO_IOCTLS: IoctlTable<LoopNumber, LoIoctl> = {
  LOOP_SET_FD: loopSetFd,
  LOOP_CLR_FD: loopClrFd,
  LOOP_SET_STATUS64: loopSetStatus64,
  LOOP_GET_STATUS64: loopGetStatus64,
  LOOP_SET_STATUS: loopSetStatusOld,
  LOOP_GET_STATUS: loopGetStatusOld,
  LOOP_SET_CAPACITY: loopSetCapacity,
};

/** lo_ioctl(). */
function loIoctl(d: LoopDriver, cmd: number, arg: bigint, task: Task): number {
  return d.ioctls.get(cmd)?.(d, arg, task) ?? -task.errno.EINVAL;
}

/** loop_set_status_compat(): the compat task's struct loop_info; the raw argument is the pointer (no compat_ptr()). */
const loopSetStatusCompat: LoCompatIoctl = (d, arg, task) => setStatusFromOld(d, BigInt(arg), task, task.abi);

/** loop_get_status_compat(). */
const loopGetStatusCompat: LoCompatIoctl = (d, arg, task) => getStatusAsOld(d, BigInt(arg), task, task.abi);

/** lo_compat_ioctl(): `arg = compat_ptr(arg)`, then lo_ioctl(). */
const loCompatPtrIoctl: LoCompatIoctl = (d, arg, task, cmd) => loIoctl(d, cmd, BigInt(compatPtr(task.abi, arg)), task);

/** lo_compat_ioctl(): lo_ioctl() with the argument as it is (a descriptor or a value). */
const loRawIoctl: LoCompatIoctl = (d, arg, task, cmd) => loIoctl(d, cmd, BigInt(arg), task);

/** lo_compat_ioctl()'s switch; the rest is -ENOIOCTLCMD. */
const LO_COMPAT_IOCTLS: IoctlTable<LoopNumber, LoCompatIoctl> = {
  LOOP_SET_STATUS: loopSetStatusCompat,
  LOOP_GET_STATUS: loopGetStatusCompat,
  LOOP_SET_CAPACITY: loCompatPtrIoctl,
  LOOP_CLR_FD: loCompatPtrIoctl,
  LOOP_GET_STATUS64: loCompatPtrIoctl,
  LOOP_SET_STATUS64: loCompatPtrIoctl,
  LOOP_CONFIGURE: loCompatPtrIoctl,
  LOOP_SET_FD: loRawIoctl,
  LOOP_CHANGE_FD: loRawIoctl,
  LOOP_SET_BLOCK_SIZE: loRawIoctl,
  LOOP_SET_DIRECT_IO: loRawIoctl,
};

/** A new, unbound loop device (loop_add()). */
function loopAdd(number: number, nameSize: number): Loop {
  const lo: Loop = {
    number,
    backing: null,
    offset: 0n,
    sizelimit: 0n,
    flags: 0,
    fileName: new Uint8Array(nameSize),
    disk: {
      sectors: () => loopSectors(lo),
      logicalBlockSize: 512,
      physicalBlockSize: 512,
      blockSize: 512,
      ioMin: 512,
      ioOpt: 0,
      readOnly: false,
      raPages: DEFAULT_RA_PAGES,
    },
  };
  return lo;
}

/** struct loop_info of each ABI, read once. */
function oldLayouts(native: Abi, nd: Dumped, include: IncludeOptions): (abi: Abi) => RecordView {
  const layouts = new Map<string, RecordView>();
  return (abi) => {
    let l = layouts.get(abi.name);
    if (!l) {
      const d = abi.name === native.name ? nd : dumpHeaders({ abi, headers: ['linux/loop.h'], ...include });
      l = recordOf(d, 'struct loop_info');
      layouts.set(abi.name, l);
    }
    return l;
  };
}

/** Adds /dev/loopN to a model kernel; linux/loop.h of the native ABI and of each compat ABI comes from `include`. */
export function installLoop(kernel: Kernel, number = 0, include: IncludeOptions = {}): Device {
  const native = kernel.native;
  const n = macroNumbers(native, ['linux/loop.h'], [...NUMBERS], include) as Record<LoopNumber, number>;
  const nd = dumpHeaders({ abi: native, headers: ['linux/loop.h'], ...include });
  const d: LoopDriver = {
    lo: loopAdd(number, n.LO_NAME_SIZE),
    n,
    native,
    le: native.endian === 'little',
    info64: recordOf(nd, 'struct loop_info64'),
    oldLayout: oldLayouts(native, nd, include),
    ioctls: byNumber(n, LO_IOCTLS),
  };
  const compatIoctls = byNumber(n, LO_COMPAT_IOCTLS);
  d.lo.disk.ioctl = (_file, cmd, arg, task) => loIoctl(d, cmd, arg, task);
  d.lo.disk.compat_ioctl = (_file, cmd, arg, task) => compatIoctls.get(cmd)?.(d, arg, task, cmd) ?? -ERRNO.ENOIOCTLCMD;
  const device = blockDevice(`loop${number}`, LOOP_MAJOR, number, d.lo.disk, native, include);
  kernel.addDevice(`/dev/loop${number}`, device);
  return device;
}
