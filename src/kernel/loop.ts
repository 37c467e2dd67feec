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
import { dumpHeaders } from '../report/dump.js';
import { ERRNO } from '../thunk/errors.js';
import { blockDevice, type Gendisk } from './block.js';
import { PAGE_SIZE, type Device, type Kernel, type KFile, type RegularFileState, type Task } from './kernel.js';
import { macroNumbers, recordOf, type RecordView } from './numbers.js';

const NUMBERS = ['LOOP_SET_FD', 'LOOP_CLR_FD', 'LOOP_SET_STATUS', 'LOOP_GET_STATUS', 'LOOP_SET_STATUS64', 'LOOP_GET_STATUS64', 'LOOP_SET_CAPACITY', 'LOOP_CONFIGURE', 'LOOP_CHANGE_FD', 'LOOP_SET_DIRECT_IO', 'LOOP_SET_BLOCK_SIZE', 'LO_FLAGS_AUTOCLEAR', 'LO_FLAGS_PARTSCAN', 'LO_NAME_SIZE', 'LO_KEY_SIZE', 'LO_CRYPT_NONE'] as const;
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

interface Loop {
  number: number;
  backing: KFile | null;
  offset: bigint;
  sizelimit: bigint;
  flags: number;
  fileName: Uint8Array;
  disk: Gendisk;
}

/**
 * set_init_blocksize(): a new block device's soft block size, from its logical block size up
 * to PAGE_SIZE while the size stays a multiple of it.
 */
function initBlockSize(logical: number, bytes: bigint): number {
  let b = logical;
  while (b < PAGE_SIZE && (bytes & BigInt(b)) === 0n) b <<= 1;
  return b;
}

/** Adds /dev/loopN to a model kernel; linux/loop.h of the native ABI and of each compat ABI comes from `include`. */
export function installLoop(kernel: Kernel, number = 0, include: IncludeOptions = {}): Device {
  const native = kernel.native;
  const n = macroNumbers(native, ['linux/loop.h'], [...NUMBERS], include) as Record<(typeof NUMBERS)[number], number>;
  const nd = dumpHeaders({ abi: native, headers: ['linux/loop.h'], ...include });
  const info64 = recordOf(nd, 'struct loop_info64');
  const layouts = new Map<string, RecordView>();
  const oldLayout = (abi: Abi) => {
    let l = layouts.get(abi.name);
    if (!l) {
      const d = abi.name === native.name ? nd : dumpHeaders({ abi, headers: ['linux/loop.h'], ...include });
      l = recordOf(d, 'struct loop_info');
      layouts.set(abi.name, l);
    }
    return l;
  };
  const le = native.endian === 'little';
  // LOOP_SET_STATUS_SETTABLE_FLAGS and _CLEARABLE_FLAGS: autoclear follows the new value,
  // partscan can only be turned on, the other flags stay
  const settable = n.LO_FLAGS_AUTOCLEAR | n.LO_FLAGS_PARTSCAN;
  const clearable = n.LO_FLAGS_AUTOCLEAR;

  const lo: Loop = {
    number,
    backing: null,
    offset: 0n,
    sizelimit: 0n,
    flags: 0,
    fileName: new Uint8Array(n.LO_NAME_SIZE),
    disk: {
      sectors: () => {
        const st = lo.backing?.privateData as RegularFileState | undefined;
        if (!st) return 0n;
        let bytes = st.size > lo.offset ? st.size - lo.offset : 0n;
        if (lo.sizelimit !== 0n && lo.sizelimit < bytes) bytes = lo.sizelimit;
        return bytes >> 9n;
      },
      logicalBlockSize: 512,
      physicalBlockSize: 512,
      blockSize: 512,
      ioMin: 512,
      ioOpt: 0,
      readOnly: false,
      raPages: DEFAULT_RA_PAGES,
    },
  };

  /** loop_get_status(): -ENXIO unless a file is bound. */
  const status = (): LoopInfo | number => {
    if (!lo.backing) return -ERRNO.ENXIO;
    const st = lo.backing.privateData as RegularFileState;
    return { device: st.dev ?? 0n, inode: st.ino ?? 0n, rdevice: 0n, offset: lo.offset, sizelimit: lo.sizelimit, number: lo.number, flags: lo.flags, fileName: lo.fileName };
  };

  const write = (b: Uint8Array, f: { offset: number; size: number }, v: bigint) => {
    const dv = new DataView(b.buffer);
    if (f.size === 8) dv.setBigUint64(f.offset, BigInt.asUintN(64, v), le);
    else if (f.size === 4) dv.setUint32(f.offset, Number(BigInt.asUintN(32, v)), le);
    else if (f.size === 2) dv.setUint16(f.offset, Number(BigInt.asUintN(16, v)), le);
    else b[f.offset] = Number(BigInt.asUintN(8, v));
  };
  const read = (b: Uint8Array, f: { offset: number; size: number }) => {
    const dv = new DataView(b.buffer, b.byteOffset);
    return f.size === 8 ? dv.getBigUint64(f.offset, le) : BigInt(f.size === 4 ? dv.getUint32(f.offset, le) : dv.getUint16(f.offset, le));
  };

  /**
   * loop_set_status() and loop_set_status_from_info(): offset, size limit, the settable flags
   * and the file name from a loop_info64; encryption is gone (-EINVAL for any).
   */
  const setStatus = (i: { offset: bigint; sizelimit: bigint; flags: number; fileName: Uint8Array; encryptType: number; encryptKeySize: number }): number => {
    if (!lo.backing) return -ERRNO.ENXIO;
    if (i.encryptKeySize > n.LO_KEY_SIZE || i.encryptType !== n.LO_CRYPT_NONE) return -ERRNO.EINVAL;
    if (i.offset > (1n << 63n) - 1n || i.sizelimit > (1n << 63n) - 1n) return -ERRNO.EOVERFLOW;
    lo.offset = i.offset;
    lo.sizelimit = i.sizelimit;
    lo.flags = (lo.flags & ~clearable) | (i.flags & settable);
    lo.fileName = i.fileName.slice(0, n.LO_NAME_SIZE);
    lo.fileName[n.LO_NAME_SIZE - 1] = 0;
    return 0;
  };

  /**
   * loop_info64_to_old() / loop_info64_to_compat(): the old struct, zeroed, then each field;
   * -EOVERFLOW when lo_device, lo_rdevice, lo_inode or lo_offset did not fit.
   */
  const toOld = (info: LoopInfo, abi: Abi): Uint8Array | number => {
    const l = oldLayout(abi);
    const b = new Uint8Array(l.size);
    const fits = (path: string, v: bigint, signed: boolean) => {
      const bits = BigInt(l.field(path).size * 8);
      return (signed ? BigInt.asIntN(Number(bits), v) : BigInt.asUintN(Number(bits), v)) === v;
    };
    write(b, l.field('lo_number'), BigInt(info.number));
    write(b, l.field('lo_device'), info.device);
    write(b, l.field('lo_inode'), info.inode);
    write(b, l.field('lo_rdevice'), info.rdevice);
    write(b, l.field('lo_offset'), info.offset);
    write(b, l.field('lo_flags'), BigInt(info.flags));
    b.set(info.fileName.subarray(0, n.LO_NAME_SIZE), l.field('lo_name').offset);
    if (!fits('lo_device', info.device, false) || !fits('lo_rdevice', info.rdevice, false) || !fits('lo_inode', info.inode, false) || !fits('lo_offset', info.offset, true)) return -ERRNO.EOVERFLOW;
    return b;
  };

  /** loop_info64_from_old() / _from_compat(): what a LOOP_SET_STATUS sets. */
  const fromOld = (b: Uint8Array, abi: Abi) => {
    const l = oldLayout(abi);
    const f = (p: string) => l.field(p);
    const name = l.field('lo_name');
    // the encryption fields are dropped: zero
    return {
      offset: BigInt.asIntN(f('lo_offset').size * 8, read(b, f('lo_offset'))),
      sizelimit: 0n,
      flags: Number(read(b, f('lo_flags'))),
      fileName: b.slice(name.offset, name.offset + n.LO_NAME_SIZE),
      encryptType: 0,
      encryptKeySize: 0,
    };
  };

  const copyOut = (task: Task, arg: bigint, r: Uint8Array | number): number => (typeof r === 'number' ? r : task.copyToUser(arg, r));

  /** lo_ioctl(): `arg` as the native path has it (a compat task's pointers already widened). */
  const loIoctl = (cmd: number, arg: bigint, task: Task, old: Abi): number => {
    switch (cmd) {
      case n.LOOP_SET_FD: {
        const d = task.fds.get(Number(arg));
        if (!d) return -ERRNO.EBADF;
        if (lo.backing) return -ERRNO.EBUSY;
        if (d.file.device.kind !== 'regular' && d.file.device.kind !== 'blk') return -ERRNO.EINVAL;
        lo.backing = d.file;
        lo.offset = 0n;
        lo.sizelimit = 0n;
        lo.flags = 0;
        lo.fileName = new Uint8Array(n.LO_NAME_SIZE);
        lo.disk.blockSize = initBlockSize(lo.disk.logicalBlockSize, lo.disk.sectors() << 9n);
        return 0;
      }
      case n.LOOP_CLR_FD:
        if (!lo.backing) return -ERRNO.ENXIO;
        lo.backing = null;
        return 0;
      case n.LOOP_SET_STATUS64: {
        const b = task.memory.read(arg, info64.size);
        if (!b) return -ERRNO.EFAULT;
        const name = info64.field('lo_file_name');
        const u32 = (p: string) => Number(read(b, info64.field(p)));
        return setStatus({ offset: read(b, info64.field('lo_offset')), sizelimit: read(b, info64.field('lo_sizelimit')), flags: u32('lo_flags'), fileName: b.slice(name.offset, name.offset + n.LO_NAME_SIZE), encryptType: u32('lo_encrypt_type'), encryptKeySize: u32('lo_encrypt_key_size') });
      }
      case n.LOOP_GET_STATUS64: {
        if (arg === 0n) return -ERRNO.EINVAL;
        const info = status();
        if (typeof info === 'number') return info;
        const b = new Uint8Array(info64.size);
        write(b, info64.field('lo_device'), info.device);
        write(b, info64.field('lo_inode'), info.inode);
        write(b, info64.field('lo_rdevice'), info.rdevice);
        write(b, info64.field('lo_offset'), info.offset);
        write(b, info64.field('lo_sizelimit'), info.sizelimit);
        write(b, info64.field('lo_number'), BigInt(info.number));
        write(b, info64.field('lo_flags'), BigInt(info.flags));
        b.set(info.fileName, info64.field('lo_file_name').offset);
        return copyOut(task, arg, b);
      }
      case n.LOOP_SET_STATUS: {
        const b = task.memory.read(arg, oldLayout(old).size);
        return b ? setStatus(fromOld(b, old)) : -ERRNO.EFAULT;
      }
      case n.LOOP_GET_STATUS: {
        if (arg === 0n) return -ERRNO.EINVAL;
        const info = status();
        return typeof info === 'number' ? info : copyOut(task, arg, toOld(info, old));
      }
      case n.LOOP_SET_CAPACITY:
        return lo.backing ? 0 : -ERRNO.ENXIO;
    }
    // lo_simple_ioctl()'s default
    return -ERRNO.EINVAL;
  };

  lo.disk.ioctl = (_file, cmd, arg, task) => loIoctl(cmd, arg, task, native);
  lo.disk.compat_ioctl = (_file, cmd, arg, task) => {
    switch (cmd) {
      // the old status in the compat layout; the raw argument is the pointer (no compat_ptr())
      case n.LOOP_SET_STATUS:
      case n.LOOP_GET_STATUS:
        return loIoctl(cmd, BigInt(arg), task, task.abi);
      case n.LOOP_SET_CAPACITY:
      case n.LOOP_CLR_FD:
      case n.LOOP_GET_STATUS64:
      case n.LOOP_SET_STATUS64:
      case n.LOOP_CONFIGURE:
        return loIoctl(cmd, BigInt(compatPtr(task.abi, arg)), task, task.abi);
      case n.LOOP_SET_FD:
      case n.LOOP_CHANGE_FD:
      case n.LOOP_SET_BLOCK_SIZE:
      case n.LOOP_SET_DIRECT_IO:
        return loIoctl(cmd, BigInt(arg), task, task.abi);
    }
    return -ERRNO.ENOIOCTLCMD;
  };

  const device = blockDevice(`loop${number}`, LOOP_MAJOR, number, lo.disk, native, include);
  kernel.addDevice(`/dev/loop${number}`, device);
  return device;
}
