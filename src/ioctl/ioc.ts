/**
 * `_IOC` command numbers per ABI, as each arch's asm/ioctl.h computes them
 * (asm-generic/ioctl.h, with the powerpc/mips/alpha, sparc and parisc variants).
 */
import { assertAbi } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import { Ioctl32Error } from '../errors.js';

export type IocDir = 'none' | 'r' | 'w' | 'rw';
const IOC_DIRS: readonly IocDir[] = ['none', 'r', 'w', 'rw'];

export interface IocFields {
  dir: IocDir;
  type: number;
  nr: number;
  size: number;
}

export interface DecodedIoc {
  cmd: number;
  /** null when the direction bits are no valid combination on this ABI (a legacy number). */
  dir: IocDir | null;
  /** The direction bits as _IOC_DIR() returns them. */
  dirBits: number;
  type: number;
  nr: number;
  /** _IOC_SIZE(): on sparc 14 bits when READ or WRITE is set, 0 otherwise. */
  size: number;
}

/** A number or field that cannot be an ioctl command on the ABI. */
export class IocError extends Ioctl32Error {}

function shifts(abi: Abi) {
  const { nrBits, typeBits, sizeBits } = abi.ioc;
  return { typeShift: nrBits, sizeShift: nrBits + typeBits, dirShift: nrBits + typeBits + sizeBits };
}

function dirValue(abi: Abi, dir: IocDir): number {
  const { none, read, write } = abi.ioc;
  return dir === 'none' ? none : dir === 'r' ? read : dir === 'w' ? write : read | write;
}

/** The largest argument size the size field can carry for `dir` (sparc: 14 bits with R/W). */
export function maxIocSize(abi: Abi, dir: IocDir): number {
  if (abi.ioc.variant === 'sparc') return dir === 'none' ? 0 : 2 ** (abi.ioc.sizeBits + 1) - 1;
  return 2 ** abi.ioc.sizeBits - 1;
}

/** _IOC(dir, type, nr, size) as an unsigned 32-bit number. */
export function encodeIoc(abi: Abi, f: IocFields): number {
  assertAbi(abi, 'encodeIoc');
  // a direction the encoding has no bits for would become one it has (rw)
  if (!IOC_DIRS.includes(f.dir)) {
    throw new IocError(`direction '${String(f.dir)}' is none of ${IOC_DIRS.map((d) => `'${d}'`).join(', ')}`);
  }
  const check = (what: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 0 || v > max)
      throw new IocError(`${what} ${v} does not fit the ${abi.name} ioctl encoding (0..${max})`);
  };
  check('type', f.type, 255);
  check('nr', f.nr, 255);
  check(`size for direction '${f.dir}'`, f.size, maxIocSize(abi, f.dir));
  const s = shifts(abi);
  return ((dirValue(abi, f.dir) << s.dirShift) | (f.size << s.sizeShift) | (f.type << s.typeShift) | f.nr) >>> 0;
}

/** Parses a command number as decimal or 0x-hex; a UsageError-grade IocError otherwise. */
export function parseCmd(text: string): number {
  const t = text.trim();
  const ok = /^0[xX][0-9a-fA-F]+$/.test(t) || /^[0-9]+$/.test(t);
  const n = ok ? Number(BigInt(t)) : NaN;
  if (!ok || !Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) {
    throw new IocError(`'${text}' is not an ioctl command number (an unsigned 32-bit integer, decimal or 0x-hex)`);
  }
  return n;
}

/** _IOC_DIR/_IOC_TYPE/_IOC_NR/_IOC_SIZE of a number, as the ABI's header macros compute them. */
export function decodeIoc(abi: Abi, cmd: number): DecodedIoc {
  assertAbi(abi, 'decodeIoc');
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0xffffffff)
    throw new IocError(`${cmd} is not an unsigned 32-bit ioctl number`);
  const { nrBits, typeBits, sizeBits, dirBits, none, read, write } = abi.ioc;
  const s = shifts(abi);
  const rawDir = Math.floor(cmd / 2 ** s.dirShift) & ((1 << dirBits) - 1);
  const type = (cmd >>> s.typeShift) & ((1 << typeBits) - 1);
  const nr = cmd & ((1 << nrBits) - 1);
  let dirBitsValue = rawDir;
  let size = (cmd >>> s.sizeShift) & ((1 << sizeBits) - 1);
  if (abi.ioc.variant === 'sparc') {
    // The NONE bit doubles as the 14th size bit when READ or WRITE is set.
    const rw = rawDir & (read | write);
    dirBitsValue = rw !== 0 ? rw : rawDir;
    size = rw !== 0 ? (cmd >>> s.sizeShift) & ((1 << (sizeBits + 1)) - 1) : 0;
  }
  const names: Array<[number, IocDir]> = [
    [none, 'none'],
    [read, 'r'],
    [write, 'w'],
    [read | write, 'rw'],
  ];
  const dir = names.find(([v]) => v === dirBitsValue)?.[1] ?? null;
  return { cmd, dir, dirBits: dirBitsValue, type, nr, size };
}

/** The type field as a character where it is printable ASCII ('K' for 0x4b). */
export function typeChar(type: number): string | undefined {
  return type >= 0x21 && type <= 0x7e ? String.fromCharCode(type) : undefined;
}
