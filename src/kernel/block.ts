/**
 * Block devices in the model (block/ioctl.c). A block device file's operations are the block
 * layer's: blkdev_ioctl() and compat_blkdev_ioctl() answer the generic commands from the disk's
 * facts, and hand the rest to the driver (disk->fops->ioctl / compat_ioctl). The compat side
 * has its own numbers where the argument's size is in the number (BLKBSZGET_32,
 * BLKGETSIZE64_32) and puts 32-bit longs; it answers BLKBSZGET_32 with the logical block size,
 * where the native BLKBSZGET gives the soft block size.
 *
 * Modelled: HDIO_GETGEO (no model disk has a geometry: -ENOTTY, as for a driver without
 * getgeo), BLKRAGET/BLKFRAGET, BLKGETSIZE, BLKBSZGET, BLKGETSIZE64, and of
 * blkdev_common_ioctl() the getters BLKROGET, BLKSSZGET, BLKPBSZGET, BLKIOMIN, BLKIOOPT. The
 * other generic commands (BLKFLSBUF, BLKROSET, BLKDISCARD, BLKPG, zones, persistent
 * reservations ...) are not modelled: they reach the driver.
 */
import type { Abi } from '../abi/types.js';
import { compatPtr } from '../abi/index.js';
import type { IncludeOptions } from '../cfront/index.js';
import { encodeIoc } from '../ioctl/ioc.js';
import type { IntName } from '../cfront/types.js';
import { sizeOf } from '../layout/layout.js';
import { ERRNO } from '../thunk/errors.js';
import { byNumber, type IoctlTable } from './dispatch.js';
import { PAGE_SIZE, type Device, type FileOperations, type KFile, type Task } from './kernel.js';
import { macroNumbers } from './numbers.js';

/** What the block layer reads of a disk (the gendisk and its queue limits) and the driver's own ioctls. */
export interface Gendisk {
  /** bdev_nr_sectors(): the size in 512-byte sectors. */
  sectors(): bigint;
  logicalBlockSize: number;
  physicalBlockSize: number;
  /** block_size(bdev): the soft block size of the block device's page cache. */
  blockSize: number;
  ioMin: number;
  ioOpt: number;
  readOnly: boolean;
  /** bdi->ra_pages: the read-ahead window in pages. */
  raPages: number;
  /** disk->fops->ioctl (native commands, the argument as the task passed it). */
  ioctl?(file: KFile, cmd: number, arg: bigint, task: Task): number;
  /** disk->fops->compat_ioctl (the compat task's raw argument). */
  compat_ioctl?(file: KFile, cmd: number, arg: number, task: Task): number;
}

const FS = [
  'BLKROGET',
  'BLKRAGET',
  'BLKFRAGET',
  'BLKGETSIZE',
  'BLKSSZGET',
  'BLKPBSZGET',
  'BLKIOMIN',
  'BLKIOOPT',
] as const;
type BlockNumber =
  (typeof FS)[number] | 'HDIO_GETGEO' | 'BLKBSZGET' | 'BLKGETSIZE64' | 'BLKBSZGET_32' | 'BLKGETSIZE64_32';

/** The block layer's command numbers on a native ABI, from its headers (and block/ioctl.c's own _32 ones). */
function blockNumbers(native: Abi, include: IncludeOptions): Record<BlockNumber, number> {
  // linux/fs.h spells these two _IOR(0x12, nr, size_t): a unit of its own has no size_t (the
  // C library's), the kernel has its own, of the ABI's size
  const sizeT = sizeOf({ kind: 'int', name: native.cTypes.size_t as IntName }, native);
  return {
    ...(macroNumbers(native, ['linux/fs.h'], [...FS], include) as Record<(typeof FS)[number], number>),
    ...(macroNumbers(native, ['linux/hdreg.h'], ['HDIO_GETGEO'], include) as Record<'HDIO_GETGEO', number>),
    BLKBSZGET: encodeIoc(native, { dir: 'r', type: 0x12, nr: 112, size: sizeT }),
    BLKGETSIZE64: encodeIoc(native, { dir: 'r', type: 0x12, nr: 114, size: sizeT }),
    // block/ioctl.c: #define BLKBSZGET_32 _IOR(0x12, 112, int), BLKGETSIZE64_32 _IOR(0x12, 114, int)
    BLKBSZGET_32: encodeIoc(native, { dir: 'r', type: 0x12, nr: 112, size: 4 }),
    BLKGETSIZE64_32: encodeIoc(native, { dir: 'r', type: 0x12, nr: 114, size: 4 }),
  };
}

/** The disk as one path sees it: put_long() and put_ulong() write the path's long (compat_put_long() 4 bytes). */
interface BlockPath {
  disk: Gendisk;
  long: 4 | 8;
}

/** A command of the block layer; `argp` is the user pointer (compat_ptr() of a compat task's). */
type BlockIoctl = (path: BlockPath, argp: bigint, task: Task) => number;

/** blkdev_getgeo() / compat_hdio_getgeo(): no model disk has a getgeo. */
const blkdevGetgeo: BlockIoctl = (_p, argp, task) => (argp === 0n ? -task.errno.EINVAL : -task.errno.ENOTTY);

/** BLKRAGET, BLKFRAGET: the read-ahead window in sectors, a long. */
const blkRaGet: BlockIoctl = ({ disk, long }, argp, task) =>
  argp === 0n ? -task.errno.EINVAL : task.putUser(argp, long, BigInt((disk.raPages * PAGE_SIZE) >> 9));

/** BLKGETSIZE: the size in sectors, an unsigned long; -EFBIG when it does not fit one. */
const blkGetSize: BlockIoctl = ({ disk, long }, argp, task) => {
  if (disk.sectors() >> BigInt(long * 8) !== 0n) return -task.errno.EFBIG;
  return task.putUser(argp, long, disk.sectors());
};

/** BLKBSZGET: put_int(block_size(bdev)), the soft block size. */
const blkBszGet: BlockIoctl = ({ disk }, argp, task) => task.putUser(argp, 4, BigInt(disk.blockSize));

/** compat_blkdev_ioctl() BLKBSZGET_32: compat_put_int(bdev_logical_block_size(bdev)), another quantity. */
const compatBlkBszGet: BlockIoctl = ({ disk }, argp, task) => task.putUser(argp, 4, BigInt(disk.logicalBlockSize));

/** BLKGETSIZE64, BLKGETSIZE64_32: the size in bytes, a u64. */
const blkGetSize64: BlockIoctl = ({ disk }, argp, task) => task.putUser(argp, 8, disk.sectors() << 9n);

/** blkdev_common_ioctl() BLKROGET: put_int(bdev_read_only(bdev)). */
const blkRoGet: BlockIoctl = ({ disk }, argp, task) => task.putUser(argp, 4, disk.readOnly ? 1n : 0n);

/** blkdev_common_ioctl() BLKSSZGET: put_int(bdev_logical_block_size(bdev)). */
const blkSszGet: BlockIoctl = ({ disk }, argp, task) => task.putUser(argp, 4, BigInt(disk.logicalBlockSize));

/** blkdev_common_ioctl() BLKPBSZGET: put_uint(bdev_physical_block_size(bdev)). */
const blkPbszGet: BlockIoctl = ({ disk }, argp, task) => task.putUser(argp, 4, BigInt(disk.physicalBlockSize));

/** blkdev_common_ioctl() BLKIOMIN: put_uint(bdev_io_min(bdev)). */
const blkIoMin: BlockIoctl = ({ disk }, argp, task) => task.putUser(argp, 4, BigInt(disk.ioMin));

/** blkdev_common_ioctl() BLKIOOPT: put_uint(bdev_io_opt(bdev)). */
const blkIoOpt: BlockIoctl = ({ disk }, argp, task) => task.putUser(argp, 4, BigInt(disk.ioOpt));

/** blkdev_ioctl()'s own switch. */
const BLKDEV_IOCTLS: IoctlTable<BlockNumber, BlockIoctl> = {
  HDIO_GETGEO: blkdevGetgeo,
  BLKRAGET: blkRaGet,
  BLKFRAGET: blkRaGet,
  BLKGETSIZE: blkGetSize,
  BLKBSZGET: blkBszGet,
  BLKGETSIZE64: blkGetSize64,
};

/** compat_blkdev_ioctl()'s own switch: the numbers whose size is the compat task's, and 32-bit longs. */
const COMPAT_BLKDEV_IOCTLS: IoctlTable<BlockNumber, BlockIoctl> = {
  HDIO_GETGEO: blkdevGetgeo,
  BLKRAGET: blkRaGet,
  BLKFRAGET: blkRaGet,
  BLKGETSIZE: blkGetSize,
  BLKBSZGET_32: compatBlkBszGet,
  BLKGETSIZE64_32: blkGetSize64,
};

/** blkdev_common_ioctl(): what both paths share, after their own switch. */
const BLKDEV_COMMON_IOCTLS: IoctlTable<BlockNumber, BlockIoctl> = {
  BLKROGET: blkRoGet,
  BLKSSZGET: blkSszGet,
  BLKPBSZGET: blkPbszGet,
  BLKIOMIN: blkIoMin,
  BLKIOOPT: blkIoOpt,
};

/** A block device file on `disk`, with the block layer's file operations (def_blk_fops). */
export function blockDevice(
  name: string,
  major: number,
  minor: number,
  disk: Gendisk,
  native: Abi,
  include: IncludeOptions = {},
): Device {
  const n = blockNumbers(native, include);
  const common = byNumber(n, BLKDEV_COMMON_IOCTLS);
  const nativeIoctls = byNumber(n, BLKDEV_IOCTLS);
  const compatIoctls = byNumber(n, COMPAT_BLKDEV_IOCTLS);
  const nativePath: BlockPath = { disk, long: native.sizes.long as 4 | 8 };
  const compatPath: BlockPath = { disk, long: 4 };
  const fops: FileOperations = {
    // blkdev_ioctl(): the block layer's commands, then the driver's
    unlocked_ioctl(file, cmd, arg, task) {
      const h = nativeIoctls.get(cmd) ?? common.get(cmd);
      if (h) return h(nativePath, arg, task);
      return disk.ioctl ? disk.ioctl(file, cmd, arg, task) : -task.errno.ENOTTY;
    },
    // compat_blkdev_ioctl(): the same with compat_ptr(arg); the driver's compat_ioctl gets the raw argument
    compat_ioctl(file, cmd, arg, task) {
      const h = compatIoctls.get(cmd) ?? common.get(cmd);
      if (h) return h(compatPath, BigInt(compatPtr(task.abi, arg)), task);
      return disk.compat_ioctl ? disk.compat_ioctl(file, cmd, arg, task) : -ERRNO.ENOIOCTLCMD;
    },
  };
  return { name, kind: 'blk', major, minor, fops };
}
