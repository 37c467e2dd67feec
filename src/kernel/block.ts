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

const FS = ['BLKROGET', 'BLKRAGET', 'BLKFRAGET', 'BLKGETSIZE', 'BLKSSZGET', 'BLKPBSZGET', 'BLKIOMIN', 'BLKIOOPT'] as const;

/** The block layer's command numbers on a native ABI, from its headers (and block/ioctl.c's own _32 ones). */
function blockNumbers(native: Abi, include: IncludeOptions): Record<(typeof FS)[number] | 'HDIO_GETGEO' | 'BLKBSZGET' | 'BLKGETSIZE64' | 'BLKBSZGET_32' | 'BLKGETSIZE64_32', number> {
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

/** A block device file on `disk`, with the block layer's file operations (def_blk_fops). */
export function blockDevice(name: string, major: number, minor: number, disk: Gendisk, native: Abi, include: IncludeOptions = {}): Device {
  const n = blockNumbers(native, include);
  const long = native.sizes.long as 4 | 8;
  const raSectors = () => BigInt((disk.raPages * PAGE_SIZE) >> 9);

  /** blkdev_common_ioctl(): the commands both paths share; -ENOIOCTLCMD for the others. */
  const common = (cmd: number, argp: bigint, task: Task): number => {
    switch (cmd) {
      case n.BLKROGET:
        return task.putUser(argp, 4, disk.readOnly ? 1n : 0n);
      case n.BLKSSZGET:
        return task.putUser(argp, 4, BigInt(disk.logicalBlockSize));
      case n.BLKPBSZGET:
        return task.putUser(argp, 4, BigInt(disk.physicalBlockSize));
      case n.BLKIOMIN:
        return task.putUser(argp, 4, BigInt(disk.ioMin));
      case n.BLKIOOPT:
        return task.putUser(argp, 4, BigInt(disk.ioOpt));
    }
    return -ERRNO.ENOIOCTLCMD;
  };

  const fops: FileOperations = {
    // blkdev_ioctl()
    unlocked_ioctl(file, cmd, arg, task) {
      switch (cmd) {
        case n.HDIO_GETGEO:
          return arg === 0n ? -ERRNO.EINVAL : -ERRNO.ENOTTY;
        case n.BLKRAGET:
        case n.BLKFRAGET:
          return arg === 0n ? -ERRNO.EINVAL : task.putUser(arg, long, raSectors());
        case n.BLKGETSIZE:
          if (disk.sectors() >> BigInt(long * 8) !== 0n) return -ERRNO.EFBIG;
          return task.putUser(arg, long, disk.sectors());
        case n.BLKBSZGET:
          return task.putUser(arg, 4, BigInt(disk.blockSize));
        case n.BLKGETSIZE64:
          return task.putUser(arg, 8, disk.sectors() << 9n);
      }
      const r = common(cmd, arg, task);
      if (r !== -ERRNO.ENOIOCTLCMD) return r;
      return disk.ioctl ? disk.ioctl(file, cmd, arg, task) : -ERRNO.ENOTTY;
    },
    // compat_blkdev_ioctl()
    compat_ioctl(file, cmd, arg, task) {
      const argp = BigInt(compatPtr(task.abi, arg));
      switch (cmd) {
        case n.HDIO_GETGEO:
          return argp === 0n ? -ERRNO.EINVAL : -ERRNO.ENOTTY;
        case n.BLKRAGET:
        case n.BLKFRAGET:
          return argp === 0n ? -ERRNO.EINVAL : task.putUser(argp, 4, raSectors());
        case n.BLKGETSIZE:
          if (disk.sectors() >> 32n !== 0n) return -ERRNO.EFBIG;
          return task.putUser(argp, 4, disk.sectors());
        case n.BLKBSZGET_32:
          return task.putUser(argp, 4, BigInt(disk.logicalBlockSize));
        case n.BLKGETSIZE64_32:
          return task.putUser(argp, 8, disk.sectors() << 9n);
      }
      const r = common(cmd, argp, task);
      if (r !== -ERRNO.ENOIOCTLCMD || !disk.compat_ioctl) return r;
      return disk.compat_ioctl(file, cmd, arg, task);
    },
  };
  return { name, kind: 'blk', major, minor, fops };
}
