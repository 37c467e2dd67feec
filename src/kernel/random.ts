/**
 * /dev/random and /dev/urandom in the model (drivers/char/random.c, 5.18 and later):
 * random_ioctl() answers RNDGETENTCNT with the input pool's initialized bits, credits bits for
 * RNDADDTOENTCNT and RNDADDENTROPY (struct rand_pool_info: entropy_count, buf_size, then the
 * bytes), takes RNDZAPENTCNT and RNDCLEARPOOL as the no-ops they became, and answers -EINVAL,
 * not -ENOTTY, to every other number. Its compat_ioctl is compat_ptr_ioctl. The model has no
 * credentials: every task passes the CAP_SYS_ADMIN checks, as the capture program (root) does.
 * RNDRESEEDCRNG answers 0 once the pool is ready and -ENODATA before.
 */
import type { IncludeOptions } from '../cfront/index.js';
import { byNumber, type IoctlTable } from './dispatch.js';
import { compatPtrIoctl, type Device, type Kernel, type Task } from './kernel.js';
import { macroNumbers } from './numbers.js';

const NUMBERS = [
  'RNDGETENTCNT',
  'RNDADDTOENTCNT',
  'RNDADDENTROPY',
  'RNDZAPENTCNT',
  'RNDCLEARPOOL',
  'RNDRESEEDCRNG',
] as const;
type RandomNumber = (typeof NUMBERS)[number];

export interface EntropyPool {
  /** input_pool.init_bits: what /proc/sys/kernel/random/entropy_avail shows. */
  initBits: number;
  /** POOL_READY_BITS: where crediting stops and the pool counts as ready (256 in 5.18+). */
  readyBits: number;
}

/** One of random_ioctl()'s cases; `arg` is the user pointer (compat_ptr_ioctl widened a compat task's). */
type RandomIoctl = (pool: EntropyPool, arg: bigint, task: Task) => number;

/** credit_init_bits(): the count only grows, up to the ready mark. */
function creditInitBits(pool: EntropyPool, bits: number): void {
  pool.initBits = Math.min(pool.readyBits, pool.initBits + bits);
}

/** RNDGETENTCNT: put_user(input_pool.init_bits). */
const rndGetEntCnt: RandomIoctl = (pool, arg, task) => task.putUser(arg, 4, pool.initBits);

/** RNDADDTOENTCNT: credits a count that is not negative. */
const rndAddToEntCnt: RandomIoctl = (pool, arg, task) => {
  const count = task.getUserInt(arg);
  if (count === null) return -task.errno.EFAULT;
  if (count < 0) return -task.errno.EINVAL;
  creditInitBits(pool, count);
  return 0;
};

/** RNDADDENTROPY: the kernel steps an int pointer over struct rand_pool_info: count, size, bytes. */
const rndAddEntropy: RandomIoctl = (pool, arg, task) => {
  const count = task.getUserInt(arg);
  if (count === null) return -task.errno.EFAULT;
  if (count < 0) return -task.errno.EINVAL;
  const size = task.getUserInt(arg + 4n);
  if (size === null) return -task.errno.EFAULT;
  // write_pool_user() must take all `size` bytes (a negative size is a huge one): else -EFAULT
  if (size < 0 || (size > 0 && task.memory.read(arg + 8n, size) === null)) return -task.errno.EFAULT;
  creditInitBits(pool, count);
  return 0;
};

/** RNDZAPENTCNT and RNDCLEARPOOL: "No longer has any effect." */
const rndNoEffect: RandomIoctl = () => 0;

/** RNDRESEEDCRNG: -ENODATA until crng_ready(). */
const rndReseedCrng: RandomIoctl = (pool, _arg, task) => (pool.initBits >= pool.readyBits ? 0 : -task.errno.ENODATA);

/** random_ioctl()'s switch. */
const RANDOM_IOCTLS: IoctlTable<RandomNumber, RandomIoctl> = {
  RNDGETENTCNT: rndGetEntCnt,
  RNDADDTOENTCNT: rndAddToEntCnt,
  RNDADDENTROPY: rndAddEntropy,
  RNDZAPENTCNT: rndNoEffect,
  RNDCLEARPOOL: rndNoEffect,
  RNDRESEEDCRNG: rndReseedCrng,
};

/** Adds /dev/random and /dev/urandom (major 1, minors 8 and 9) sharing one input pool. */
export function installRandom(
  kernel: Kernel,
  pool: EntropyPool,
  include: IncludeOptions = {},
): { random: Device; urandom: Device } {
  const n = macroNumbers(kernel.native, ['linux/random.h'], [...NUMBERS], include) as Record<RandomNumber, number>;
  const ioctls = byNumber(n, RANDOM_IOCTLS);
  const fops: Device['fops'] = {
    // random_ioctl()'s default is -EINVAL, not -ENOTTY
    unlocked_ioctl: (_file, cmd, arg, task) => ioctls.get(cmd)?.(pool, arg, task) ?? -task.errno.EINVAL,
    compat_ioctl: compatPtrIoctl,
  };
  const random: Device = { name: 'random', kind: 'chr', major: 1, minor: 8, fops };
  const urandom: Device = { name: 'urandom', kind: 'chr', major: 1, minor: 9, fops };
  kernel.addDevice('/dev/random', random);
  kernel.addDevice('/dev/urandom', urandom);
  return { random, urandom };
}
