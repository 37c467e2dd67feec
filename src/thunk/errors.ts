/**
 * Runtime errors of the thunk and the kernel model: a symbolic errno (`code`), numbered as the
 * ABI's kernel numbers it (EOVERFLOW is 75 on x86, 79 on mips, 92 on sparc, 72 on parisc).
 */
import type { Abi } from '../abi/types.js';
import { errnoOf, errnos, type ErrnoName } from '../abi/errno.js';
import { Ioctl32Error } from '../errors.js';

export type { ErrnoName } from '../abi/errno.js';

/**
 * The generic numbers by name (asm-generic's: x86, arm, riscv, s390, m68k). alpha, mips,
 * parisc, sparc and powerpc differ: `errnos(abi)` and `errnoOf(abi, name)` give theirs.
 */
export const ERRNO = errnos('generic');

export class ErrnoError extends Ioctl32Error {
  /** The number of `code` on this error's ABI; the generic number when it names none. */
  readonly errno: number;
  constructor(
    readonly code: ErrnoName,
    message: string,
    /** The member the error is about, when there is one. */
    readonly path?: string,
    /** The ABI whose kernel raises it (a converter's native ABI), when known. */
    readonly abi?: Abi,
  ) {
    super(`${code}: ${message}`);
    this.errno = errnoOf(abi ?? 'generic', code);
  }

  /** The number a kernel of `abi` returns for this error, as -errno. */
  errnoFor(abi: Abi): number {
    return errnoOf(abi, this.code);
  }

  /** This error as raised on `abi`: itself when it names an ABI already, else a copy that does. */
  raisedOn(abi: Abi): ErrnoError {
    if (this.abi) return this;
    const e = new ErrnoError(this.code, this.message.slice(this.code.length + 2), this.path, abi);
    // where it was thrown matters more than where the ABI was attached
    if (this.stack !== undefined) e.stack = this.stack;
    return e;
  }
}

export const efault = (message: string, path?: string) => new ErrnoError('EFAULT', message, path);
export const eoverflow = (message: string, path?: string) => new ErrnoError('EOVERFLOW', message, path);
export const einval = (message: string, path?: string) => new ErrnoError('EINVAL', message, path);
