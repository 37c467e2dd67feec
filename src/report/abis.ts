import { ABIS } from '../abi/table.js';
import type { Abi, AbiName, ScalarTable } from '../abi/types.js';

/** CONTRACT.md's `ioctl32 abis --json` row, plus the facts beyond it. */
export interface AbiFacts {
  name: AbiName;
  /** A flavour's base ABI (`i386` for `i386+t64`); absent on a base ABI. */
  flavourOf?: AbiName;
  endian: 'little' | 'big';
  bits: 32 | 64;
  charSigned: boolean;
  sizes: ScalarTable;
  aligns: ScalarTable;
  typeAligns: ScalarTable;
  ioc: { variant: string; sizeBits: number; dirBits: number; none: number; write: number; read: number };
  compat: AbiName[];
  compatKconfig: Partial<Record<AbiName, string>>;
  /** Abi.compatUnmodelled. */
  compatUnmodelled?: string;
  compatPtrMask: string;
  bitfields: Abi['bitfields'];
  triple: string;
  kernelArch: string;
  debianPackage: string;
  reference: string;
}

export function abiFacts(abi: Abi): AbiFacts {
  const { variant, sizeBits, dirBits, none, write, read } = abi.ioc;
  return {
    name: abi.name,
    ...(abi.flavourOf ? { flavourOf: abi.flavourOf } : {}),
    endian: abi.endian,
    bits: abi.bits,
    charSigned: abi.charSigned,
    sizes: abi.sizes,
    aligns: abi.aligns,
    typeAligns: abi.typeAligns,
    ioc: { variant, sizeBits, dirBits, none, write, read },
    compat: abi.compat,
    compatKconfig: abi.compatKconfig,
    ...(abi.compatUnmodelled !== undefined ? { compatUnmodelled: abi.compatUnmodelled } : {}),
    compatPtrMask: `0x${abi.compatPtrMask.toString(16)}`,
    bitfields: abi.bitfields,
    triple: abi.headerTriple,
    kernelArch: abi.kernelArch,
    debianPackage: `linux-libc-dev-${abi.debianArch}-cross`,
    reference: (abi.clangTarget
      ? `clang --target=${abi.clangTarget} ${abi.cflags.join(' ')}`
      : `${abi.gcc!.command} ${[...abi.gcc!.flags, ...abi.cflags].join(' ')}`
    ).trim(),
  };
}

export function abisReport(): AbiFacts[] {
  return ABIS.map(abiFacts);
}

function sa(t: ScalarTable, a: ScalarTable, k: keyof ScalarTable): string {
  const size = t[k];
  return size === undefined ? '-' : `${size}/${a[k]}`;
}

/** The facts table as text: one line per ABI, then the compat pairs. */
export function formatAbis(rows: AbiFacts[] = abisReport()): string {
  const head = ['abi', 'bits', 'endian', 'char', 'long', 'ptr', 'll', 'double', 'ldouble', 'int128', '_IOC', 'headers'];
  const body = rows.map((r) => [
    r.name,
    String(r.bits),
    r.endian,
    r.charSigned ? 'signed' : 'unsigned',
    sa(r.sizes, r.aligns, 'long'),
    sa(r.sizes, r.aligns, 'pointer'),
    sa(r.sizes, r.aligns, 'longLong'),
    sa(r.sizes, r.aligns, 'double'),
    sa(r.sizes, r.aligns, 'longDouble'),
    sa(r.sizes, r.aligns, 'int128'),
    `${r.ioc.variant === 'sparc' ? 'sparc' : `${r.ioc.sizeBits}/${r.ioc.dirBits}`} ` +
      `n${r.ioc.none}w${r.ioc.write}r${r.ioc.read}`,
    r.triple,
  ]);
  const lines = [
    table([head, ...body]),
    '',
    'size/alignment-in-record in bytes; _IOC: size/dir bits and the NONE/WRITE/READ values',
    '',
    'compat pairs (64-bit kernel <- 32-bit task):',
  ];
  for (const r of rows) {
    for (const c of r.compat) {
      const compat = rows.find((x) => x.name === c)!;
      lines.push(
        `  ${r.name} <- ${c}  CONFIG_${r.compatKconfig[c] ?? '?'}  ` +
          `compat_ptr: ${compat.compatPtrMask === '0xffffffff' ? 'zero-extend' : `& ${compat.compatPtrMask}`}  ` +
          `u64 align in compat structs: ${compat.aligns.longLong}`,
      );
    }
    if (r.compatUnmodelled !== undefined) lines.push(`  ${r.name} <- none modelled: ${r.compatUnmodelled}`);
  }
  return lines.join('\n');
}

/** SGR escape sequences (colours): they take no column on a terminal. */
const SGR = /\x1b\[[0-9;]*m/g;

/** The columns a string takes on a terminal: its length without colour codes. */
export function visibleWidth(s: string): number {
  return s.replace(SGR, '').length;
}

/** Left-aligned columns separated by two spaces; colour codes in a cell do not count in its width. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(c))));
  const pad = (c: string, w: number) => c + ' '.repeat(Math.max(0, w - visibleWidth(c)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : pad(c, widths[i]!))).join('  ')).join('\n');
}

/**
 * Whether to colour text for a stream: only on a terminal, and never when NO_COLOR is set to
 * anything but the empty string (https://no-color.org).
 */
export function colorFor(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}
