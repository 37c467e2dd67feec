/** Runtime errors of the thunk and the kernel model, each with the errno a kernel would return. */
import { Ioctl32Error } from '../errors.js';

export const ERRNO = {
  EPERM: 1, ENOENT: 2, EIO: 5, ENXIO: 6, EBADF: 9, EFAULT: 14, EBUSY: 16, ENODEV: 19, EINVAL: 22, ENOTTY: 25, EFBIG: 27,
  ERANGE: 34, ENODATA: 61, EOVERFLOW: 75, ENOTSOCK: 88, EADDRNOTAVAIL: 99, ENOIOCTLCMD: 515,
} as const;

export type ErrnoName = keyof typeof ERRNO;

export class ErrnoError extends Ioctl32Error {
  readonly errno: number;
  constructor(
    readonly code: ErrnoName,
    message: string,
    /** The member the error is about, when there is one. */
    readonly path?: string,
  ) {
    super(`${code}: ${message}`);
    this.errno = ERRNO[code];
  }
}

export const efault = (message: string, path?: string) => new ErrnoError('EFAULT', message, path);
export const eoverflow = (message: string, path?: string) => new ErrnoError('EOVERFLOW', message, path);
export const einval = (message: string, path?: string) => new ErrnoError('EINVAL', message, path);
