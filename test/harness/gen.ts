/**
 * fast-check generators of random C programs: typedefs (with raising and lowering `aligned`),
 * enums, and records with nesting, unions, arrays, flexible arrays, bitfields of every integer
 * type (named, unnamed, :0), packed/aligned on records and members and #pragma pack.
 */
import fc from 'fast-check';
import type { CType, EnumDecl, IntName, Member, RecordDecl, TypedefDecl, FloatName } from '../../src/cfront/types.js';
import type { Program, TopDecl } from './probe.js';

export interface GenOptions {
  /** Whether __int128 exists on the ABI. */
  int128: boolean;
  /** Tagged records per program. */
  records: number;
}

type Draw = fc.GeneratorValue;

const INTS: IntName[] = [
  '_Bool',
  'char',
  'signed char',
  'unsigned char',
  'short',
  'unsigned short',
  'int',
  'unsigned int',
  'long',
  'unsigned long',
  'long long',
  'unsigned long long',
];
const FLOATS: FloatName[] = ['float', 'double', 'long double'];
const INT_BITS: Record<IntName, number> = {
  _Bool: 1,
  char: 8,
  'signed char': 8,
  'unsigned char': 8,
  short: 16,
  'unsigned short': 16,
  int: 32,
  'unsigned int': 32,
  long: 32,
  'unsigned long': 32,
  'long long': 64,
  'unsigned long long': 64,
  __int128: 128,
  'unsigned __int128': 128,
};
const ALIGNS = [1, 2, 4, 8, 16, 32];

interface Ctx {
  g: Draw;
  opts: GenOptions;
  decls: TopDecl[];
  names: number;
  typedefs: Array<{ type: CType; arrayOk: boolean }>;
  enums: EnumDecl[];
  /** Complete tagged records without a flexible array: usable as members and elements. */
  records: RecordDecl[];
}

const pick = <T>(c: Ctx, list: readonly T[]): T => list[c.g(fc.nat, { max: list.length - 1 })]!;
const chance = (c: Ctx, percent: number): boolean => c.g(fc.nat, { max: 99 }) < percent;
const int = (c: Ctx, min: number, max: number): number => c.g(fc.integer, { min, max });

function intNames(c: Ctx): IntName[] {
  return c.opts.int128 ? [...INTS, '__int128', 'unsigned __int128'] : INTS;
}

function scalar(c: Ctx): CType {
  return chance(c, 80) ? { kind: 'int', name: pick(c, intNames(c)) } : { kind: 'float', name: pick(c, FLOATS) };
}

function pointerType(c: Ctx): CType {
  const k = int(c, 0, 4);
  if (k === 4) return { kind: 'pointer', to: { kind: 'array', of: scalar(c), length: int(c, 1, 3) } };
  if (k === 0) return { kind: 'pointer', to: { kind: 'void' } };
  if (k === 1 && c.records.length) return { kind: 'pointer', to: { kind: 'record', decl: pick(c, c.records) } };
  if (k === 2)
    return {
      kind: 'pointer',
      to: {
        kind: 'function',
        result: { kind: 'int', name: 'int' },
        params: [{ kind: 'int', name: 'long' }],
        variadic: false,
      },
    };
  return { kind: 'pointer', to: scalar(c) };
}

/** A type usable as an array element (its size is a multiple of its alignment). */
function elementType(c: Ctx, depth: number): CType {
  const k = int(c, 0, 5);
  if (k === 0 && c.records.length) return { kind: 'record', decl: pick(c, c.records) };
  if (k === 1) {
    const ok = c.typedefs.filter((t) => t.arrayOk);
    if (ok.length) return pick(c, ok).type;
  }
  if (k === 2 && c.enums.length) return { kind: 'enum', decl: pick(c, c.enums) };
  if (k === 3) return pointerType(c);
  if (k === 4 && depth < 2) return { kind: 'array', of: elementType(c, depth + 1), length: int(c, 1, 3) };
  return scalar(c);
}

function memberType(c: Ctx, depth: number, pack: number | undefined): CType {
  const k = int(c, 0, 9);
  if (k <= 2) return scalar(c);
  if (k === 3) return pointerType(c);
  if (k === 4 && c.typedefs.length) return pick(c, c.typedefs).type;
  if (k === 5 && c.enums.length) return { kind: 'enum', decl: pick(c, c.enums) };
  if (k === 6) return { kind: 'array', of: elementType(c, depth), length: int(c, 0, 4) };
  if (k === 7 && c.records.length) return { kind: 'record', decl: pick(c, c.records) };
  if (k === 8 && depth < 2) return { kind: 'record', decl: recordBody(c, undefined, depth + 1, pack) };
  return scalar(c);
}

function bitfieldMember(c: Ctx): Member {
  const useEnum = c.enums.length > 0 && chance(c, 10);
  const type: CType = useEnum ? { kind: 'enum', decl: pick(c, c.enums) } : { kind: 'int', name: pick(c, intNames(c)) };
  // a packed enum may be a single byte
  const bits = type.kind === 'int' ? INT_BITS[type.name] : 8;
  const named = chance(c, 75);
  // Small widths are the interesting ones; keep full-width fields possible.
  const width = named
    ? int(c, 1, chance(c, 70) ? Math.min(bits, 9) : bits)
    : int(c, 0, Math.min(bits, chance(c, 50) ? 0 : bits));
  const m: Member = { type, bitWidth: width };
  if (named) m.name = `f${c.names++}`;
  if (chance(c, 8)) m.packed = true;
  return m;
}

function recordBody(c: Ctx, tag: string | undefined, depth: number, pack: number | undefined): RecordDecl {
  const union = chance(c, 25);
  const decl: RecordDecl = { union, members: [] };
  if (tag !== undefined) decl.tag = tag;
  if (pack !== undefined) decl.maxFieldAlign = pack;
  if (chance(c, 10)) decl.packed = true;
  if (chance(c, 8)) decl.align = pick(c, ALIGNS);
  const count = int(c, depth === 0 ? 1 : 1, depth === 0 ? 8 : 4);
  for (let i = 0; i < count; i++) {
    if (chance(c, 25)) {
      decl.members!.push(bitfieldMember(c));
      continue;
    }
    const type = memberType(c, depth, pack);
    const anonymousRecord = type.kind === 'record' && type.decl.tag === undefined && chance(c, 50);
    const m: Member = { type };
    decl.members!.push(m);
    // An anonymous member has no declarator for attributes to attach to.
    if (anonymousRecord) continue;
    m.name = `f${c.names++}`;
    if (chance(c, 8)) m.packed = true;
    if (chance(c, 8)) m.align = pick(c, ALIGNS);
  }
  return decl;
}

/**
 * The smallest sizeof of a scalar over all ABIs: an alignment up to it divides the size on
 * every ABI (GCC rejects arrays whose element size is not a multiple of their alignment).
 * long double is 12 bytes on i386 and m68k, so only 4 divides it everywhere.
 */
function minSize(t: CType): number {
  if (t.kind === 'pointer') return 4;
  if (t.kind === 'float') return t.name === 'float' ? 4 : t.name === 'double' ? 8 : 4;
  if (t.kind === 'int') return Math.max(1, INT_BITS[t.name] / 8);
  return 1;
}

function typedefDecl(c: Ctx): TypedefDecl {
  const base = chance(c, 75) ? scalar(c) : pointerType(c);
  const decl: TypedefDecl = { name: `t${c.names++}`, type: base };
  if (chance(c, 60)) decl.align = pick(c, ALIGNS.slice(0, 5));
  return decl;
}

function enumDecl(c: Ctx): EnumDecl {
  const n = int(c, 1, 4);
  const wide = chance(c, 20);
  const negative = chance(c, 30);
  const values = Array.from({ length: n }, () => {
    const v = BigInt(int(c, negative ? -1000 : 0, 1000));
    return { name: `E${c.names++}`, value: wide && chance(c, 50) ? v * 0x100000000n : v };
  });
  const decl: EnumDecl = { tag: `e${c.names++}`, values };
  if (chance(c, 20)) decl.packed = true;
  return decl;
}

function buildProgram(g: Draw, opts: GenOptions): { program: Program; records: RecordDecl[] } {
  const c: Ctx = { g, opts, decls: [], names: 0, typedefs: [], enums: [], records: [] };
  const probed: RecordDecl[] = [];
  for (let i = 0; i < opts.records; i++) {
    if (chance(c, 15)) {
      const td = typedefDecl(c);
      c.decls.push({ kind: 'typedef', decl: td });
      c.typedefs.push({
        type: { kind: 'typedef', decl: td },
        arrayOk: td.align === undefined || td.align <= minSize(td.type),
      });
    }
    if (chance(c, 8)) {
      const e = enumDecl(c);
      c.decls.push({ kind: 'enum', decl: e });
      c.enums.push(e);
    }
    const pack = chance(c, 5) ? pick(c, [1, 2, 4, 8, 16]) : undefined;
    const r = recordBody(c, `r${i}`, 0, pack);
    // A flexible array member ends some structs that have another named member.
    const flexible = !r.union && r.members!.some((m) => m.name !== undefined) && chance(c, 8);
    if (flexible)
      r.members!.push({ name: `f${c.names++}`, type: { kind: 'array', of: elementType(c, 1), length: null } });
    c.decls.push({ kind: 'record', decl: r });
    probed.push(r);
    if (!flexible && !containsFlexible(r)) c.records.push(r);
  }
  return { program: { decls: c.decls }, records: probed };
}

function containsFlexible(r: RecordDecl): boolean {
  return (r.members ?? []).some((m) => {
    let t = m.type;
    while (t.kind === 'typedef') t = t.decl.type;
    return (
      (t.kind === 'array' && t.length === null) ||
      (t.kind === 'record' && t.decl.tag === undefined && containsFlexible(t.decl))
    );
  });
}

/** An arbitrary program of `opts.records` tagged records (and the typedefs/enums they use). */
export function programArbitrary(opts: GenOptions): fc.Arbitrary<{ program: Program; records: RecordDecl[] }> {
  return fc.gen().map((g) => buildProgram(g, opts));
}
