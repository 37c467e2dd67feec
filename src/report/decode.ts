import { ABIS } from '../abi/table.js';
import type { Abi, AbiName } from '../abi/types.js';
import { decodeIoc, parseCmd, typeChar, type IocDir } from '../ioctl/ioc.js';
import { table } from './abis.js';

/** CONTRACT.md's decode row: one number read on one ABI. */
export interface DecodeRow {
  abi: AbiName;
  cmd: number;
  hex: string;
  dir: IocDir | null;
  dirBits: number;
  type: number;
  typeChar?: string;
  nr: number;
  size: number;
  /** Catalogue names whose native or compat number this is (the catalogue fills it). */
  names: string[];
}

/**
 * Decodes each number on each ABI; numbers may be strings (decimal or 0x-hex). `names` gives the
 * catalogue's names per ABI (see ioctlNames).
 */
export function decodeCommands(cmds: Array<string | number>, abis: readonly Abi[] = ABIS, names?: (abi: Abi) => Map<number, string[]>): DecodeRow[] {
  const rows: DecodeRow[] = [];
  for (const c of cmds) {
    const cmd = typeof c === 'number' ? c : parseCmd(c);
    for (const abi of abis) {
      const d = decodeIoc(abi, cmd);
      const row: DecodeRow = { abi: abi.name, cmd, hex: `0x${cmd.toString(16).padStart(8, '0')}`, dir: d.dir, dirBits: d.dirBits, type: d.type, nr: d.nr, size: d.size, names: names?.(abi).get(cmd) ?? [] };
      const ch = typeChar(d.type);
      if (ch !== undefined) row.typeChar = ch;
      rows.push(row);
    }
  }
  return rows;
}

export function formatDecode(rows: DecodeRow[]): string {
  const out: string[] = [];
  const byCmd = new Map<number, DecodeRow[]>();
  for (const r of rows) byCmd.set(r.cmd, [...(byCmd.get(r.cmd) ?? []), r]);
  for (const [cmd, list] of byCmd) {
    out.push(`${list[0]!.hex} (${cmd})`);
    const head = ['  abi', 'dir', 'type', 'nr', 'size', 'names'];
    const body = list.map((r) => [
      `  ${r.abi}`,
      r.dir ?? `? (bits ${r.dirBits}: not _IOC-encoded)`,
      `${r.typeChar !== undefined ? `'${r.typeChar}' ` : ''}0x${r.type.toString(16).padStart(2, '0')}`,
      String(r.nr),
      String(r.size),
      r.names.join(' '),
    ]);
    out.push(table([head, ...body]));
  }
  return out.join('\n');
}
