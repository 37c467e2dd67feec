/**
 * Asks a real compiler for the layout of records: sizeof, _Alignof and offsetof of every
 * member go into a data array; each bitfield gets a union image with only its bits set, so its
 * bit offset and width are read from the bytes the compiler emitted.
 */
import type { Abi } from '../../src/abi/types.js';
import { printEnum, printRecord, printTypedef } from '../../src/cfront/print.js';
import { stripTypedefs as strip, type EnumDecl, type RecordDecl, type TypedefDecl } from '../../src/cfront/types.js';
import { flattenFields } from '../../src/layout/fields.js';
import { Layouter } from '../../src/layout/layout.js';
import { compileObject } from './compile.js';
import { u32Array } from './elf.js';

export type TopDecl =
  { kind: 'record'; decl: RecordDecl } | { kind: 'typedef'; decl: TypedefDecl } | { kind: 'enum'; decl: EnumDecl };

/** Declarations in dependency order, as a header would have them. */
export interface Program {
  decls: TopDecl[];
}

export function printProgram(p: Program): string {
  return p.decls
    .map((d) =>
      d.kind === 'record' ? printRecord(d.decl) : d.kind === 'typedef' ? printTypedef(d.decl) : printEnum(d.decl),
    )
    .join('\n\n');
}

interface MemberPath {
  path: string;
  bitfield?: { kind: 'bool' | 'other' };
}

/** The members CONTRACT.md lists, from the graph alone (no layout needed). */
export function memberPaths(decl: RecordDecl, prefix = ''): MemberPath[] {
  const out: MemberPath[] = [];
  for (const m of decl.members ?? []) {
    const t = strip(m.type);
    if (m.name === undefined) {
      if (t.kind === 'record' && m.bitWidth === undefined) out.push(...memberPaths(t.decl, prefix));
      continue;
    }
    const path = prefix + m.name;
    if (m.bitWidth !== undefined) {
      out.push({ path, bitfield: { kind: t.kind === 'int' && t.name === '_Bool' ? 'bool' : 'other' } });
      continue;
    }
    out.push({ path });
    if (t.kind === 'record') out.push(...memberPaths(t.decl, `${path}.`));
  }
  return out;
}

export interface CompilerLayout {
  size: number;
  align: number;
  /** path → byte offset, or bit offset/width for a bitfield. */
  fields: Map<string, { offset: number } | { bitOffset: number; bitWidth: number }>;
}

function recordRef(decl: RecordDecl): string {
  if (decl.tag === undefined) throw new Error('probed records need a tag');
  return `${decl.union ? 'union' : 'struct'} ${decl.tag}`;
}

/** The probe source: the program, then one data array per record and one image per bitfield. */
export function probeSource(program: Program, records: RecordDecl[]): string {
  const lines = [printProgram(program), ''];
  records.forEach((r, i) => {
    const ref = recordRef(r);
    const paths = memberPaths(r);
    const words = [`sizeof(${ref})`, `_Alignof(${ref})`];
    paths.forEach((p, j) => {
      if (!p.bitfield) {
        words.push(`__builtin_offsetof(${ref}, ${p.path})`);
        return;
      }
      lines.push(
        `const union { ${ref} s; unsigned char b[sizeof(${ref})]; } ` +
          `ioctl32_bf_${i}_${j} = { .s = { .${p.path} = ${p.bitfield.kind === 'bool' ? 1 : -1} } };`,
      );
    });
    lines.push(`const unsigned int ioctl32_rec_${i}[] = { ${words.join(', ')} };`);
  });
  return `${lines.join('\n')}\n`;
}

/** Bit offset (allocation order) and width of the set bits of a bitfield image. */
export function bitsOf(bytes: Uint8Array, endian: 'little' | 'big'): { bitOffset: number; bitWidth: number } {
  const set: number[] = [];
  bytes.forEach((b, i) => {
    for (let k = 0; k < 8; k++) if (b & (1 << k)) set.push(i * 8 + (endian === 'little' ? k : 7 - k));
  });
  set.sort((a, b) => a - b);
  return { bitOffset: set[0] ?? -1, bitWidth: set.length };
}

export async function compilerLayouts(
  abi: Abi,
  program: Program,
  records: RecordDecl[],
  cache = true,
): Promise<CompilerLayout[]> {
  const obj = await compileObject(abi, probeSource(program, records), [], { cache });
  return records.map((r, i) => {
    const words = u32Array(obj, `ioctl32_rec_${i}`);
    const fields: CompilerLayout['fields'] = new Map();
    let w = 2;
    memberPaths(r).forEach((p, j) => {
      if (p.bitfield) fields.set(p.path, bitsOf(obj.symbols.get(`ioctl32_bf_${i}_${j}`)!, obj.endian));
      else fields.set(p.path, { offset: words[w++]! });
    });
    return { size: words[0]!, align: words[1]!, fields };
  });
}

export interface Disagreement {
  abi: string;
  record: string;
  what: string;
  ours: unknown;
  compiler: unknown;
}

/** Compares ioctl32's layouts with the compiler's; an empty list is full agreement. */
/** `cache: false` for random programs: caching what will never be asked again only fills the disk. */
export async function compareWithCompiler(
  abi: Abi,
  program: Program,
  records: RecordDecl[],
  cache = true,
): Promise<{ disagreements: Disagreement[]; members: number }> {
  return compareLayouts(abi, records, await compilerLayouts(abi, program, records, cache));
}

/** Compares ioctl32's layouts with compiler answers given (asked now, or recorded before). */
export function compareLayouts(
  abi: Abi,
  records: RecordDecl[],
  theirs: CompilerLayout[],
): { disagreements: Disagreement[]; members: number } {
  const layouter = new Layouter(abi);
  const out: Disagreement[] = [];
  let members = 0;
  records.forEach((r, i) => {
    const c = theirs[i]!;
    const record = recordRef(r);
    const note = (what: string, ours: unknown, compiler: unknown) =>
      out.push({ abi: abi.name, record, what, ours, compiler });
    let ours;
    try {
      ours = layouter.layout(r);
    } catch (e) {
      note('layout', (e as Error).message, { size: c.size, align: c.align });
      return;
    }
    if (ours.size !== c.size) note('size', ours.size, c.size);
    if (ours.align !== c.align) note('align', ours.align, c.align);
    const flat = new Map(flattenFields(ours, layouter).map((f) => [f.path, f]));
    for (const [path, cf] of c.fields) {
      members++;
      const f = flat.get(path);
      const mine =
        f === undefined
          ? undefined
          : 'bitOffset' in cf
            ? { bitOffset: f.bitOffset, bitWidth: f.bitWidth }
            : { offset: f.offset };
      if (JSON.stringify(mine) !== JSON.stringify(cf)) note(`member ${path}`, mine, cf);
    }
  });
  return { disagreements: out, members };
}
