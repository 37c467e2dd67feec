import { ABIS } from '../abi/table.js';
import type { Abi, AbiName } from '../abi/types.js';
import { decodeIoc, parseCmd, typeChar, type IocDir } from '../ioctl/ioc.js';
import { table } from './abis.js';
import type { UnevaluatedName } from '../scan/names.js';

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
  /**
   * Catalogue macros with this type and nr whose number has no value on this ABI (a header that
   * needs what it does not include), with the reason: the number may be one of them.
   */
  unevaluated?: Array<{ name: string; reason: string }>;
  /**
   * Headers that may define the number but cannot be read on this ABI, each with its first error: a name they
   * define is missing from `names`.
   */
  unread?: Array<{ header: string; error: string }>;
  /** Why no name was looked up on this ABI: it has no headers here (the message says which package or option). */
  noHeaders?: string;
}

/** What decode asks of a catalogue's names on one ABI (a Map of cmd → names will do; ioctlNames gives more). */
export interface NameLookup {
  get(cmd: number): string[] | undefined;
  /** The macros without a value that the number may be (IoctlNames.unevaluated). */
  unevaluated?(cmd: number): UnevaluatedName[];
  /** Headers looked in that cannot be read, with their first error (IoctlNames.unread). */
  readonly unread?: Readonly<Record<string, string>>;
  /** Why the ABI has no headers to look in (IoctlNames.noHeaders). */
  readonly noHeaders?: string | undefined;
}

/**
 * Decodes each number on each ABI; numbers may be strings (decimal or 0x-hex). `names` gives the
 * catalogue's names per ABI (see ioctlNames).
 */
export function decodeCommands(
  cmds: Array<string | number>,
  abis: readonly Abi[] = ABIS,
  names?: (abi: Abi) => NameLookup,
): DecodeRow[] {
  const rows: DecodeRow[] = [];
  for (const c of cmds) {
    const cmd = typeof c === 'number' ? c : parseCmd(c);
    for (const abi of abis) {
      const d = decodeIoc(abi, cmd);
      const lookup = names?.(abi);
      const hex = `0x${cmd.toString(16).padStart(8, '0')}`;
      const { dir, dirBits, type, nr, size } = d;
      const row: DecodeRow = { abi: abi.name, cmd, hex, dir, dirBits, type, nr, size, names: lookup?.get(cmd) ?? [] };
      const unevaluated = lookup?.unevaluated?.(cmd) ?? [];
      if (unevaluated.length) row.unevaluated = unevaluated.map((u) => ({ name: u.name, reason: u.reason }));
      Object.assign(row, namesNotLookedUp(lookup));
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
      [...r.names, ...(r.unevaluated ?? []).map((u) => `${u.name} (number not evaluated)`)].join(' '),
    ]);
    out.push(table([head, ...body]));
    // each macro's reason once, with the ABIs it holds on
    const why = new Map<string, { name: string; reason: string; abis: string[] }>();
    for (const r of list) {
      for (const u of r.unevaluated ?? []) {
        const key = `${u.name}\0${u.reason}`;
        const w = why.get(key) ?? { ...u, abis: [] };
        w.abis.push(r.abi);
        why.set(key, w);
      }
    }
    for (const w of why.values()) out.push(`  ${w.name} (number not evaluated on ${w.abis.join(', ')}): ${w.reason}`);
    out.push(...namesMissing(list));
  }
  return out.join('\n');
}

/** Where a lookup's names may be missing, as a decode row (and explain's candidate) carries it: only what there is. */
export function namesNotLookedUp(
  lookup: Pick<NameLookup, 'unread' | 'noHeaders'> | undefined,
): Pick<DecodeRow, 'unread' | 'noHeaders'> {
  const out: Pick<DecodeRow, 'unread' | 'noHeaders'> = {};
  const unread = Object.entries(lookup?.unread ?? {});
  if (unread.length) out.unread = unread.map(([header, error]) => ({ header, error }));
  if (lookup?.noHeaders !== undefined) out.noHeaders = lookup.noHeaders;
  return out;
}

/**
 * Where the names column may lack a name: the ABIs whose headers are missing, and those where headers that may
 * define the number do not compile; each reason once, with the ABIs it holds on and (a few of) the headers.
 */
export function namesMissing(rows: readonly DecodeRow[]): string[] {
  const why = new Map<string, { abis: Set<string>; headers: Set<string> }>();
  const add = (reason: string, abi: string, header?: string) => {
    let w = why.get(reason);
    if (!w) why.set(reason, (w = { abis: new Set(), headers: new Set() }));
    w.abis.add(abi);
    if (header !== undefined) w.headers.add(header);
  };
  for (const r of rows) {
    if (r.noHeaders !== undefined) add(`no headers to read: ${r.noHeaders}`, r.abi);
    for (const u of r.unread ?? []) add(u.error, r.abi, u.header);
  }
  return [...why].map(([reason, { abis, headers }]) => {
    const on = `  names may be missing on ${[...abis].join(', ')}: `;
    return headers.size ? `${on}${headerList([...headers])} may define it but cannot be read: ${reason}` : on + reason;
  });
}

/** Headers named in a line: the first few, and how many more. */
export function headerList(headers: readonly string[], shown = 3): string {
  const more = headers.length - shown;
  return more > 0 ? `${headers.slice(0, shown).join(', ')} and ${more} more` : headers.join(', ');
}
