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
import { ERRNO } from '../thunk/errors.js';
import { compatPtrIoctl, type Device, type Kernel } from './kernel.js';
import { macroNumbers } from './numbers.js';

const NUMBERS = ['RNDGETENTCNT', 'RNDADDTOENTCNT', 'RNDADDENTROPY', 'RNDZAPENTCNT', 'RNDCLEARPOOL', 'RNDRESEEDCRNG'] as const;

export interface EntropyPool {
  /** input_pool.init_bits: what /proc/sys/kernel/random/entropy_avail shows. */
  initBits: number;
  /** POOL_READY_BITS: where crediting stops and the pool counts as ready (256 in 5.18+). */
  readyBits: number;
}

/** Adds /dev/random and /dev/urandom (major 1, minors 8 and 9) sharing one input pool. */
export function installRandom(kernel: Kernel, pool: EntropyPool, include: IncludeOptions = {}): { random: Device; urandom: Device } {
  const n = macroNumbers(kernel.native, ['linux/random.h'], [...NUMBERS], include) as Record<(typeof NUMBERS)[number], number>;
  // credit_init_bits(): the count only grows, up to the ready mark
  const credit = (bits: number) => {
    pool.initBits = Math.min(pool.readyBits, pool.initBits + bits);
  };
  const fops: Device['fops'] = {
    unlocked_ioctl(_file, cmd, arg, task) {
      switch (cmd) {
        case n.RNDGETENTCNT:
          return task.putUser(arg, 4, pool.initBits);
        case n.RNDADDTOENTCNT: {
          const count = task.getUserInt(arg);
          if (count === null) return -ERRNO.EFAULT;
          if (count < 0) return -ERRNO.EINVAL;
          credit(count);
          return 0;
        }
        case n.RNDADDENTROPY: {
          // the kernel steps an int pointer over struct rand_pool_info: count, size, bytes
          const count = task.getUserInt(arg);
          if (count === null) return -ERRNO.EFAULT;
          if (count < 0) return -ERRNO.EINVAL;
          const size = task.getUserInt(arg + 4n);
          if (size === null) return -ERRNO.EFAULT;
          // write_pool_user() must take all `size` bytes (a negative size is a huge one): else -EFAULT
          if (size < 0 || (size > 0 && task.memory.read(arg + 8n, size) === null)) return -ERRNO.EFAULT;
          credit(count);
          return 0;
        }
        case n.RNDZAPENTCNT:
        case n.RNDCLEARPOOL:
          return 0;
        case n.RNDRESEEDCRNG:
          return pool.initBits >= pool.readyBits ? 0 : -ERRNO.ENODATA;
      }
      return -ERRNO.EINVAL;
    },
    compat_ioctl: compatPtrIoctl,
  };
  const random: Device = { name: 'random', kind: 'chr', major: 1, minor: 8, fops };
  const urandom: Device = { name: 'urandom', kind: 'chr', major: 1, minor: 9, fops };
  kernel.addDevice('/dev/random', random);
  kernel.addDevice('/dev/urandom', urandom);
  return { random, urandom };
}
