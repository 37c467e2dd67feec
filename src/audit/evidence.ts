/** How a finding states its numbers: each side's command number, with its size field where it has one. */
import type { Abi } from '../abi/types.js';
import type { IoctlVerdict } from '../compat/check.js';
import { decodeIoc } from '../ioctl/ioc.js';

/** The article before an ABI's name as it is said: an i386, an x32, a mips. */
export function article(word: string): string {
  return /^([aeiou]|x\d)/i.test(word) ? 'an' : 'a';
}

export function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** `x86_64 0x401054d5 (size 16), i386 0x400854d5 (size 8), argument struct sock_fprog`. */
export function numbers(entry: IoctlVerdict, nativeCmd: number, opts: { native: Abi; compat: Abi }): string {
  // the size field, where the number has one (a legacy number such as 0x4c03 has none)
  const size = (abi: Abi, n: number) => {
    try {
      const d = decodeIoc(abi, n);
      return d.dir === null || d.dir === 'none' ? '' : ` (size ${d.size})`;
    } catch {
      return '';
    }
  };
  const c = entry.compatCmd;
  return (
    `${opts.native.name} 0x${hex(nativeCmd)}${size(opts.native, nativeCmd)}, ` +
    `${opts.compat.name} ${c === null ? '?' : `0x${hex(c)}${size(opts.compat, c)}`}` +
    (entry.arg ? `, argument ${entry.arg}` : '')
  );
}
