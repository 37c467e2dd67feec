import { UsageError } from '../errors.js';
import { ABIS } from './table.js';
import { ABI_NAMES, type Abi } from './types.js';

export * from './types.js';
export { ABIS } from './table.js';
export { errnos, errnoOf, KERNEL_ERRNO } from './errno.js';

const BY_NAME = new Map<string, Abi>(ABIS.map((a) => [a.name, a]));

/** The ABI called `name`; a UsageError that lists the valid names otherwise. */
export function getAbi(name: string): Abi {
  const abi = BY_NAME.get(name);
  if (!abi) throw new UsageError(`unknown ABI '${name}' (known: ${ABI_NAMES.join(' ')})`);
  return abi;
}

/**
 * `abi` as the library's functions take it: an ABI object (getAbi(name), or one of ABIS). A UsageError naming the
 * function and what it got otherwise (an ABI's name given as a string, say), not a TypeError deep inside.
 */
export function assertAbi(abi: unknown, where: string): asserts abi is Abi {
  const a = abi as Partial<Abi> | null;
  if (typeof a === 'object' && a !== null && typeof a.name === 'string' && typeof a.ioc === 'object') return;
  const got = typeof abi === 'string' ? `the string '${abi}' (getAbi('${abi}') gives the ABI)` : String(abi);
  throw new UsageError(`${where}: expected an ABI (getAbi(name), or one of ABIS), got ${got}`);
}

/** Every (native, compat) pair a 64-bit Linux kernel serves. */
export function compatPairs(): Array<{ native: Abi; compat: Abi }> {
  return ABIS.flatMap((native) => native.compat.map((c) => ({ native, compat: getAbi(c) })));
}

/** Why no compat pair has `native` as its kernel: none, or none ioctl32 models (Abi.compatUnmodelled says why). */
export function noCompatPairs(native: Abi): string {
  const why = native.compatUnmodelled !== undefined ? ` ioctl32 models: ${native.compatUnmodelled}` : '';
  return `${native.name} serves no compat ABI${why}`;
}

/** compat_ptr(): a 32-bit user pointer as the 64-bit kernel sees it. */
export function compatPtr(abi: Abi, uptr: number): number {
  return (uptr & abi.compatPtrMask) >>> 0;
}
