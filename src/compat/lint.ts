/**
 * Lint rules for new ioctl argument structs, each citing its source: the kernel's
 * Documentation/driver-api/ioctl.rst and the 2002 guidance "32bit ioctl support for 64bit
 * kernels". Findings carry a concrete fix.
 */
import type { Abi } from '../abi/types.js';
import {
  array,
  int,
  recordName,
  stripTypedefs,
  type CType,
  type Member,
  type RecordDecl,
  type SourceLoc,
} from '../cfront/types.js';
import { typeName } from '../cfront/print.js';
import type { IoctlEntry } from '../ioctl/catalogue.js';
import { maxIocSize } from '../ioctl/ioc.js';
import { flattenFields, type TypedField } from '../layout/fields.js';
import { enumUnderlying, type Layouter } from '../layout/layout.js';
import { LayoutError, type RecordLayout } from '../layout/types.js';
import { memberAt } from './members.js';

export type Level = 'error' | 'warning' | 'note';

export interface Rule {
  id: string;
  level: Level;
  summary: string;
  /** Where the rule comes from. */
  source: string;
  helpUri: string;
}

const IOCTL_RST = 'https://docs.kernel.org/driver-api/ioctl.html';

export const RULES: Record<string, Rule> = Object.fromEntries(
  (
    [
      [
        'long-or-pointer',
        'warning',
        'a long or pointer member has another size in 32-bit tasks',
        "ioctl.rst '32-bit compat mode'; 32bit ioctl support for 64bit kernels (2002): use fixed-size types",
        `${IOCTL_RST}#bit-compat-mode`,
      ],
      [
        'unaligned-u64',
        'warning',
        'a 64-bit integer is not at a multiple of 8 bytes on some ABI (i386 and m68k align it to 4 or 2)',
        "ioctl.rst '32-bit compat mode' (i386 aligns __u64 to 4)",
        `${IOCTL_RST}#bit-compat-mode`,
      ],
      [
        'implicit-padding',
        'warning',
        'implicit padding leaks kernel stack contents and differs between ABIs',
        "ioctl.rst 'Information leaks'",
        `${IOCTL_RST}#information-leaks`,
      ],
      [
        'bitfield',
        'warning',
        'bitfield layout is an ABI choice (bit order, units)',
        "ioctl.rst 'Bitfields and enums'",
        `${IOCTL_RST}#bitfields-and-enums`,
      ],
      [
        'enum',
        'warning',
        'enum size and signedness are ABI choices',
        "ioctl.rst 'Bitfields and enums'",
        `${IOCTL_RST}#bitfields-and-enums`,
      ],
      [
        'plain-char',
        'note',
        'plain char is signed on some ABIs and unsigned on others',
        "ioctl.rst 'Bitfields and enums' (types whose meaning differs between ABIs)",
        `${IOCTL_RST}#bitfields-and-enums`,
      ],
      [
        'too-large',
        'error',
        'the argument is larger than the command number can encode',
        "ioctl.rst 'Command number definitions' (13- or 14-bit size field)",
        `${IOCTL_RST}#command-number-definitions`,
      ],
      [
        'sizeof-size',
        'error',
        '_IOW(..., sizeof(T)) encodes the size of a size, not of T',
        "ioctl.rst 'Command number definitions' (the third argument is a type)",
        `${IOCTL_RST}#command-number-definitions`,
      ],
      [
        'kernel-typecheck',
        'error',
        "the argument type's size is no multiple of its alignment: the kernel's _IOC_TYPECHECK does not compile",
        'include/asm-generic/ioctl.h (Linux 6.1): _IOC_TYPECHECK(t) compares sizeof(t) with sizeof(t[1])',
        `${IOCTL_RST}#command-number-definitions`,
      ],
      [
        'duplicate-nr',
        'warning',
        'two ioctls in one header share type and nr',
        "ioctl.rst 'Command number definitions' (numbers must be unique)",
        `${IOCTL_RST}#command-number-definitions`,
      ],
      [
        'size-differs',
        'warning',
        'the argument has another size in 32-bit tasks, so another command number',
        "ioctl.rst '32-bit compat mode'",
        `${IOCTL_RST}#bit-compat-mode`,
      ],
    ] as const
  ).map(([id, level, summary, source, helpUri]) => [id, { id, level, summary, source, helpUri }]),
);

/** What a finding states about one ABI's layout: a compiler can confirm each one. */
export type Claim =
  | { what: 'member'; abi: string; path: string; offset: number; size: number }
  /** `size` bytes nobody owns from `offset`, before the member at `before` ('' = the record's end). */
  | { what: 'hole'; abi: string; before: string; offset: number; size: number }
  | { what: 'record'; abi: string; size: number }
  /** sizeof the ioctl's argument type. */
  | { what: 'argument'; abi: string; size: number };

/**
 * A fix as an edit of the header text, at the positions the compiler reads (line and column,
 * from 1): `insert` puts `text` at the position (before a member's declaration, or before the `}`
 * that closes the record), `replace` puts it in place of the text from the position up to the end
 * position (a member's whole declaration, its `;` included). The edits of one rule apply together;
 * two rules may propose the same pad, so apply one rule's edits and lint again.
 */
export type FixEdit =
  | { op: 'insert'; file: string; line: number; column: number; text: string }
  | { op: 'replace'; file: string; line: number; column: number; endLine: number; endColumn: number; text: string };

export interface Finding {
  rule: string;
  level: Level;
  record?: string;
  ioctl?: string;
  path?: string;
  file: string;
  line: number;
  column: number;
  message: string;
  fix: string;
  /** The layout facts the message states, per ABI. */
  claims?: Claim[];
  /** The fix as an edit, where one edit does it. */
  edit?: FixEdit;
}

/** One ABI the findings must hold on, with its own reading of the headers. */
export interface LintSide {
  abi: Abi;
  layouter: Layouter;
  /** This ABI's catalogue: its own argument types (`__u64` is `unsigned long` on ppc64 only). */
  ioctls: ReadonlyMap<string, IoctlEntry>;
}

export interface LintInput {
  /** The linted headers' ioctls, from the first side's catalogue (names and locations). */
  ioctls: IoctlEntry[];
  /** Every ABI the findings must be true on, the native one first. */
  sides: LintSide[];
  displayName: (file: string) => string;
}

type Add = (
  rule: string,
  loc: SourceLoc | undefined,
  fields: Omit<Finding, 'rule' | 'level' | 'file' | 'line' | 'column'>,
) => void;

/** A pad member of `bytes` bytes; a __uN only where it lands at a multiple of N (adding no hole of its own). */
// `at` -1: always a byte array (a union's pad must not raise its alignment)
function padFor(bytes: number, name: string, at = 0): string {
  if ((bytes === 1 || bytes === 2 || bytes === 4 || bytes === 8) && at % bytes === 0) return `__u${bytes * 8} ${name};`;
  return `__u8 ${name}[${bytes}];`;
}

/** Names of pad members a record does not use yet: pad0, pad1, ... (its anonymous members' names count). */
function padNames(decl: RecordDecl): () => string {
  const used = new Set<string>();
  const collect = (members: readonly Member[]) => {
    for (const m of members) {
      if (m.name !== undefined) used.add(m.name);
      const t = stripTypedefs(m.type);
      if (m.name === undefined && t.kind === 'record' && t.decl.members) collect(t.decl.members);
    }
  };
  collect(decl.members ?? []);
  let i = 0;
  return () => {
    while (used.has(`pad${i}`)) i++;
    used.add(`pad${i}`);
    return `pad${i}`;
  };
}

/** Text inserted before a member's declaration, or before the record's closing brace. */
function insertAt(loc: SourceLoc | undefined, text: string): FixEdit | undefined {
  return loc ? { op: 'insert', file: loc.file, line: loc.line, column: loc.column, text: `${text} ` } : undefined;
}

/** A member's whole declaration replaced, where it declares that member alone. */
function replaceDeclaration(m: Member | undefined, text: string): FixEdit | undefined {
  if (!m?.declLoc || !m.declEnd || m.sharesDeclaration || m.declLoc.file !== m.declEnd.file) return undefined;
  const { file, line, column } = m.declLoc;
  return { op: 'replace', file, line, column, endLine: m.declEnd.line, endColumn: m.declEnd.column + 1, text };
}

/** "8 bytes on x86_64, 4 on i386, x32": ABIs grouped by a number. */
function byValue(rows: Array<{ abi: string; n: number }>, unit: (n: number) => string): string {
  const groups = new Map<number, string[]>();
  for (const r of rows) groups.set(r.n, [...(groups.get(r.n) ?? []), r.abi]);
  return [...groups].map(([n, abis], i) => `${i === 0 ? unit(n) : n} on ${abis.join(', ')}`).join(', ');
}

/** The argument record of an ioctl on one side: through typedefs and arrays. */
function argRecord(e: IoctlEntry | undefined): RecordDecl | undefined {
  const t = e?.argType && element(e.argType);
  return t?.kind === 'record' && t.decl.members ? t.decl : undefined;
}

export function lint(input: LintInput): Finding[] {
  const out: Finding[] = [];
  // a nested record shared by several arguments: its fix once, on the first finding that gives it
  const edits = new Set<string>();
  const add: Add = (rule, loc, fields) => {
    const where = {
      file: loc ? input.displayName(loc.file) : '<unknown>',
      line: loc?.line ?? 0,
      column: loc?.column ?? 0,
    };
    const f: Finding = { rule, level: RULES[rule]!.level, ...where, ...fields };
    if (f.edit) {
      const key = `${rule}|${JSON.stringify(f.edit)}`;
      if (edits.has(key)) delete f.edit;
      else {
        edits.add(key);
        f.edit = { ...f.edit, file: input.displayName(f.edit.file) };
      }
    }
    out.push(f);
  };
  // each argument record once, as every side's own headers declare it
  const seen = new Set<string>();
  for (const e of input.ioctls) {
    const decls = input.sides.map((s) => ({ side: s, decl: argRecord(s.ioctls.get(e.name)) }));
    const first = decls[0]?.decl;
    if (!first) continue;
    const name = recordName(first) ?? e.arg ?? 'anonymous record';
    if (seen.has(name)) continue;
    seen.add(name);
    const views = decls.filter((d) => d.decl).map(({ side, decl }) => view(side, decl!));
    lintRecord(name, views, add);
  }
  lintIoctls(input, add);
  return out;
}

/** One side's layout of a record, its members by path. */
interface View {
  abi: string;
  layouter: Layouter;
  decl: RecordDecl;
  layout: RecordLayout;
  fields: Map<string, TypedField>;
}

function view(side: Pick<LintSide, 'layouter'> & { abi: Abi | string }, decl: RecordDecl): View {
  const layout = side.layouter.layout(decl);
  const fields = new Map(flattenFields(layout, side.layouter).map((f) => [f.path, f]));
  const abi = typeof side.abi === 'string' ? side.abi : side.abi.name;
  return { abi, layouter: side.layouter, decl, layout, fields };
}

/** Strips typedefs and arrays: what a member holds. */
function element(t: CType): CType {
  let x = t;
  for (;;) {
    if (x.kind === 'typedef') x = x.decl.type;
    else if (x.kind === 'array') x = x.of;
    else return x;
  }
}

/** `name[4][2]` for an array member's declarator. */
function declarator(name: string, t: CType): string {
  let dims = '';
  let x = t;
  for (;;) {
    if (x.kind === 'typedef') x = x.decl.type;
    else if (x.kind === 'array') {
      dims += `[${x.length ?? ''}]`;
      x = x.of;
    } else return `${name}${dims}`;
  }
}

const SIGNED = new Set(['char', 'signed char', 'short', 'int', 'long', 'long long', '__int128']);

function lintRecord(name: string, views: View[], add: Add): void {
  const native = views[0]!;
  for (const f of native.fields.values()) {
    const on = views.flatMap((v) => {
      const g = v.fields.get(f.path);
      return g ? [{ v, g }] : [];
    });
    const m = memberAt(native.decl, f.path);
    const loc = m?.loc ?? native.decl.loc;
    const base = { record: name, path: f.path };
    // the member declared anew with a fixed-size type, arrays kept
    const retype = (fixed: string): { edit?: FixEdit } => {
      const edit = m && replaceDeclaration(m, `${fixed} ${declarator(f.path.split('.').pop()!, m.type)};`);
      return edit ? { edit } : {};
    };
    const el = element(f.ctype);
    const t = stripTypedefs(f.ctype);
    const sizes = on.map(({ v, g }) => ({ abi: v.abi, n: g.size }));
    const scalar = f.bitWidth === undefined && (el.kind === 'pointer' || el.kind === 'int');
    if (scalar && new Set(sizes.map((x) => x.n)).size > 1) {
      const claims: Claim[] = on.map(({ v, g }) => ({
        what: 'member',
        abi: v.abi,
        path: f.path,
        offset: g.offset,
        size: g.size,
      }));
      const bytes = Math.max(...on.map(({ v, g }) => v.layouter.typeLayout(element(g.ctype)).size));
      const signed = el.kind === 'int' && SIGNED.has(el.name);
      const fixed = el.kind === 'pointer' ? '__u64' : `__${signed ? 's' : 'u'}${bytes * 8}`;
      const what = el.kind === 'pointer' ? 'a pointer' : f.type;
      const fix =
        el.kind === 'pointer' ? `use __u64 and u64_to_user_ptr() for '${f.path}'` : `use ${fixed} for '${f.path}'`;
      const message = `'${f.path}' is ${what}: ${byValue(sizes, (n) => `${n} bytes`)}`;
      add('long-or-pointer', loc, { ...base, message, fix, claims, ...retype(fixed) });
    }
    if (f.bitWidth !== undefined) {
      const fix = `use a __u32 with explicit masks instead of '${f.path}'`;
      add('bitfield', loc, { ...base, message: `'${f.path}' is a bitfield`, fix });
    }
    if (f.bitWidth === undefined && t.kind === 'enum') {
      // the enum's own integer type, so the layout stays: a packed one's is a char or a short, one with a negative
      // value is signed
      const under = enumUnderlying(t.decl, native.layouter.abi);
      const fixed = `__${SIGNED.has(under) ? 's' : 'u'}${native.layouter.typeLayout(t).size * 8}`;
      const fix = `use ${fixed} for '${f.path}' and keep the enum for its values`;
      add('enum', loc, { ...base, message: `'${f.path}' has enum type`, fix, ...retype(fixed) });
    }
    if (f.bitWidth === undefined && t.kind === 'int' && t.name === 'char') {
      const fix = `use __u8 or __s8 for '${f.path}'`;
      add('plain-char', loc, { ...base, message: `'${f.path}' is plain char`, fix, ...retype('__u8') });
    }
  }
  unalignedU64(name, views, add);
  padding(name, views, add);
  const sizes = views.map((v) => ({ abi: v.abi, n: v.layout.size }));
  if (new Set(sizes.map((x) => x.n)).size > 1) {
    const claims: Claim[] = views.map((v) => ({ what: 'record', abi: v.abi, size: v.layout.size }));
    add('size-differs', native.decl.loc, {
      record: name,
      message: `${name} is ${byValue(sizes, (n) => `${n} bytes`)}`,
      fix: 'use only fixed-size types (__u8.. __u64, __aligned_u64) and explicit padding',
      claims,
    });
  }
}

/** Whether a type holds an 8-byte integer (itself, an element, or a member at any depth). */
function holdsU64(t: CType, layouter: Layouter): boolean {
  const x = stripTypedefs(t);
  if (x.kind === 'int') return layouter.typeLayout(x).size === 8;
  if (x.kind === 'array') return holdsU64(x.of, layouter);
  if (x.kind === 'record')
    return (x.decl.members ?? []).some((m) => m.bitWidth === undefined && holdsU64(m.type, layouter));
  return false;
}

/** One struct of the argument, on every side: its declaration and where it starts in the argument. */
interface StructLevel {
  decls: RecordDecl[];
  starts: number[];
  /** Its path in the argument ('' for the argument itself, undefined for an anonymous one). */
  path: string | undefined;
  /** What its members' paths start with (an anonymous struct adds nothing to them). */
  prefix: string;
  /** The record whose member names a pad must not repeat (an anonymous one's names are its parent's). */
  scope: RecordDecl;
}

/**
 * A 64-bit integer, or a member that holds one, off a multiple of 8 inside its struct on some
 * side: one finding per struct and member, with padding before that member of that struct (a
 * union's members share its offset, so a union is looked through). Fixing each struct in place
 * puts every 64-bit integer of the argument at a multiple of 8.
 */
function unalignedU64(name: string, views: View[], add: Add): void {
  const seen = new Set<string>();
  const padNamesOf = new Map<RecordDecl, () => string>();
  /** Bytes the pads offered so far add before the next member of a struct: the edits go in together. */
  const shiftOf = new Map<RecordDecl, number>();
  const ids = new Map<RecordDecl, number>();
  const id = (d: RecordDecl): number => ids.get(d) ?? (ids.set(d, ids.size), ids.size - 1);
  const visit = (level: StructLevel): void => {
    const native = level.decls[0]!;
    if (level.decls.some((d) => d.members?.length !== native.members?.length)) return;
    const layouts = level.decls.map((d, i) => views[i]!.layouter.layout(d));
    (native.members ?? []).forEach((m, k) => {
      if (m.bitWidth !== undefined) return;
      const types = level.decls.map((d) => d.members![k]!.type);
      const rel = layouts.map((l) => l.members[k]!.offset);
      placed(level, layouts, k, types, rel, m.name === undefined ? undefined : m.name, types);
    });
  };
  /**
   * A member reached from struct member `k` of the level (itself, or inside a union there); `named` are the
   * types of what `local` names (an anonymous member of a union is named by the union).
   */
  const placed = (
    level: StructLevel,
    layouts: RecordLayout[],
    k: number,
    types: CType[],
    rel: number[],
    local: string | undefined,
    named: CType[],
  ): void => {
    const t = stripTypedefs(types[0]!);
    const path = local === undefined ? undefined : level.prefix ? `${level.prefix}.${local}` : local;
    if (types.every((x, i) => holdsU64(x, views[i]!.layouter)) && rel.some((r) => r % 8)) {
      // one finding per struct member on the way: a union and its members share one pad
      const key = `${id(level.decls[0]!)}:${k}`;
      if (!seen.has(key)) {
        seen.add(key);
        report(level, layouts, k, types, rel, path, local, named);
      }
    }
    if (t.kind !== 'record' || !t.decl.members) return;
    // the ABIs declare the member alike (kvm.h's arch-dependent structs may not): else no pad is offered in it
    const records = types.map((x) => stripTypedefs(x));
    const n = t.decl.members.length;
    if (!records.every((x) => x.kind === 'record' && x.decl.union === t.decl.union && x.decl.members?.length === n))
      return;
    const inner = records.map((x) => (x as { decl: RecordDecl }).decl);
    if (t.decl.union) {
      // a union's members sit at its own offset: still members of this struct
      t.decl.members.forEach((um, j) => {
        if (um.bitWidth !== undefined) return;
        const name = local === undefined ? um.name : um.name === undefined ? local : `${local}.${um.name}`;
        const memberTypes = inner.map((d) => d.members![j]!.type);
        placed(level, layouts, k, memberTypes, rel, name, um.name === undefined ? named : memberTypes);
      });
      return;
    }
    const scope = local === undefined ? level.scope : inner[0]!;
    // an anonymous struct in a union is no member `path` names: its members' paths still start with it
    const own = named === types ? path : undefined;
    const starts = level.starts.map((s, i) => s + rel[i]!);
    visit({ decls: inner, starts, path: own, prefix: path ?? level.prefix, scope });
  };
  const report = (
    level: StructLevel,
    layouts: RecordLayout[],
    k: number,
    types: CType[],
    rel: number[],
    path: string | undefined,
    local: string | undefined,
    named: CType[],
  ) => {
    const native = level.decls[0]!;
    const direct = native.members![k]!;
    const within =
      level.path === ''
        ? name
        : level.path
          ? `'${level.path}'`
          : (recordName(native) ?? 'the anonymous struct around it');
    const what = local ?? direct.name ?? 'the anonymous member';
    const where = byValue(
      views.map((v, i) => ({ abi: v.abi, n: rel[i]! })),
      (n) => `at offset ${n}`,
    );
    const claims: Claim[] = [];
    if (path !== undefined) {
      views.forEach((v, i) => {
        const size = v.layouter.typeLayout(named[i]!).size;
        claims.push({ what: 'member', abi: v.abi, path, offset: level.starts[i]! + rel[i]!, size });
      });
    }
    if (level.path) {
      views.forEach((v, i) => {
        claims.push({
          what: 'member',
          abi: v.abi,
          path: level.path!,
          offset: level.starts[i]!,
          size: layouts[i]!.size,
        });
      });
    }
    // padding before the struct's own member on the way, where the members before it agree
    const prefixSame = layouts.every((l) =>
      l.members
        .slice(0, k)
        .every((x, j) => x.bitOffset === layouts[0]!.members[j]!.bitOffset && x.bits === layouts[0]!.members[j]!.bits),
    );
    // from where the member before ends (the same on every side when the pad is offered) to a multiple of 8
    const prev = layouts[0]!.members[k - 1];
    const shift = shiftOf.get(native) ?? 0;
    const at = (prev ? Math.ceil((prev.bitOffset + prev.bits) / 8) : 0) + shift;
    const gap = (8 - (at % 8)) % 8 || Math.max(...rel.map((r) => (8 - ((r + shift) % 8)) % 8));
    let names = padNamesOf.get(level.scope);
    if (!names) padNamesOf.set(level.scope, (names = padNames(level.scope)));
    const text = padFor(gap, names(), at);
    const target = direct.name ?? 'the anonymous member';
    // in a packed struct every pad shifts all that follows: no single pad per member does it
    const packed = native.packed === true || native.maxFieldAlign !== undefined;
    // the pads offered before it may align it already: then it needs none of its own
    const edit = prefixSame && !packed && gap > 0 ? insertAt(direct.declLoc, text) : undefined;
    if (edit) shiftOf.set(native, shift + gap);
    let fix = `add \`${text}\` before '${target}' in ${within}, or use __aligned_u64`;
    if (prefixSame && !packed && gap === 0) fix = `the pads offered before '${target}' in ${within} align it`;
    if (packed) fix = `${within} is packed: order and pad its members so each 64-bit one starts at a multiple of 8`;
    else if (!edit && gap > 0)
      fix = `make the members before '${target}' fixed-size first, then pad it to a multiple of 8`;
    const holds = stripTypedefs(types[0]!).kind === 'int' ? 'a 64-bit integer' : 'holding a 64-bit integer';
    const message = `'${what}' (${holds}) is ${where} of ${within}`;
    add('unaligned-u64', direct.loc ?? native.loc, {
      record: name,
      ...(path !== undefined ? { path } : {}),
      message,
      fix,
      claims,
      ...(edit ? { edit } : {}),
    });
  };
  visit({ decls: views.map((v) => v.decl), starts: views.map(() => 0), path: '', prefix: '', scope: views[0]!.decl });
}

/**
 * The pads that make a record hole-free on every side, found as a person applying them one by
 * one would: lay the record out with the pads so far, take the first hole any side has, pad it
 * by the largest hole there (alignments are powers of two, so it suits every side) — as long as
 * the members before it agree on every side; where they do not, no pad fits all and it stops.
 * By original member index (the member count for the tail): the pad's size and where it starts.
 */
function simulatePads(views: View[]): Map<number, { bytes: number; at: number }> {
  const out = new Map<number, { bytes: number; at: number }>();
  const work = views.map((v) => ({
    v,
    members: [...(v.decl.members ?? [])],
    index: (v.decl.members ?? []).map((_, i) => i),
  }));
  const count = work[0]!.members.length;
  for (let k = 0; k <= count; k++) {
    let layouts: RecordLayout[];
    try {
      layouts = work.map((w) => w.v.layouter.layout({ ...w.v.decl, members: w.members }));
    } catch (e) {
      if (e instanceof LayoutError) break; // a pad after a flexible array: not ours to place
      throw e;
    }
    const holeAt = (l: RecordLayout, p: number): number => {
      if (p === l.members.length) return l.tailPaddingBits >= 8 ? Math.floor(l.tailPaddingBits / 8) : 0;
      const h = l.holes.find((x) => x.before === p && x.bits % 8 === 0);
      return h ? h.bits / 8 : 0;
    };
    const positions = layouts.map((l) => {
      for (let p = 0; p <= l.members.length; p++) if (holeAt(l, p)) return p;
      return Infinity;
    });
    const p = Math.min(...positions);
    if (p === Infinity) break;
    const first = layouts[0]!;
    const same = layouts.every((l) =>
      l.members
        .slice(0, p)
        .every((m, j) => m.bitOffset === first.members[j]!.bitOffset && m.bits === first.members[j]!.bits),
    );
    const orig = p === work[0]!.members.length ? count : work[0]!.index[p]!;
    if (!same || orig < 0) break;
    if (views[0]!.decl.union) {
      // a union's members overlap: only a member as large as the union fills its tail (a byte
      // array, which raises no alignment); `at` -1 asks padFor for one
      if (!layouts.every((l) => l.members.length === first.members.length)) break;
      out.set(orig, { bytes: Math.max(...layouts.map((l) => l.size)), at: -1 });
      break;
    }
    const bytes = Math.max(...layouts.map((l) => holeAt(l, p)));
    const last = first.members[p - 1];
    const at = last ? Math.ceil((last.bitOffset + last.bits) / 8) : 0;
    out.set(orig, { bytes, at });
    const pad = { name: `ioctl32_pad${k}`, type: array(int('unsigned char'), bytes) };
    for (const w of work) {
      w.members.splice(p, 0, pad);
      w.index.splice(p, 0, -1);
    }
  }
  return out;
}

/** A record inside the argument on every side: where it starts, and its path ('' the argument itself). */
interface Nested {
  views: View[];
  starts: number[];
  /** Its own path, undefined for an anonymous record; `prefix` is what its members' paths start with. */
  path: string | undefined;
  prefix: string;
  /** The record whose member names its own must not repeat (an anonymous record's names are its parent's). */
  scope: RecordDecl;
}

/** The argument and every record nested in it by value (not array elements), each once. */
function nestedRecords(views: View[]): Nested[] {
  const out: Nested[] = [];
  const seen = new Set<RecordDecl>();
  const walk = (n: Nested) => {
    const first = n.views[0]!.decl;
    if (seen.has(first)) return;
    seen.add(first);
    out.push(n);
    // members matched by index: the ABIs must declare the record alike (kvm.h's arch-dependent ones may not)
    if (n.views.some((v) => v.decl.members?.length !== first.members?.length)) return;
    first.members?.forEach((m, k) => {
      const t = stripTypedefs(m.type);
      if (m.bitWidth !== undefined || t.kind !== 'record' || !t.decl.members) return;
      const types = n.views.map((v) => stripTypedefs(v.decl.members![k]!.type));
      if (!types.every((x) => x.kind === 'record' && x.decl.members)) return;
      const decls = types as Array<{ decl: RecordDecl }>;
      const path = m.name === undefined ? undefined : n.prefix ? `${n.prefix}.${m.name}` : m.name;
      walk({
        views: n.views.map((v, i) => view({ abi: v.abi, layouter: v.layouter }, decls[i]!.decl)),
        starts: n.starts.map((s, i) => s + n.views[i]!.layout.members[k]!.offset),
        path,
        prefix: path ?? n.prefix,
        scope: m.name === undefined ? n.scope : decls[0]!.decl,
      });
    });
  };
  walk({ views, starts: views.map(() => 0), path: '', prefix: '', scope: views[0]!.decl });
  return out;
}

/**
 * Holes and tail padding of the argument and of every record in it (a hole anywhere leaks
 * kernel stack), one finding per place, with the pad that fills it.
 */
/** A member as a message names it: `'len'`, `the anonymous union`, `the unnamed bit-field`. */
function describeMember(m: Member): string {
  if (m.name !== undefined) return `'${m.name}'`;
  if (m.bitWidth !== undefined) return 'the unnamed bit-field';
  const t = stripTypedefs(m.type);
  return t.kind === 'record' && t.decl.union ? 'the anonymous union' : 'the anonymous struct';
}

function padding(name: string, views: View[], add: Add): void {
  const names = new Map<RecordDecl, () => string>();
  for (const n of nestedRecords(views)) {
    if (!names.has(n.scope)) names.set(n.scope, padNames(n.scope));
    paddingOf(name, n, names.get(n.scope)!, add);
  }
}

function paddingOf(name: string, n: Nested, names: () => string, add: Add): void {
  const native = n.views[0]!;
  const members = native.layout.members;
  const within =
    n.path === '' ? '' : ` in ${n.path ? `'${n.path}'` : (recordName(native.decl) ?? 'an anonymous record')}`;
  const named = (i: number) => members[i]?.member.name;
  const full = (p: string) => (n.prefix && p ? `${n.prefix}.${p}` : p);
  // the path of the member at index i (through an anonymous one: its first named member)
  const firstPath = (i: number, v: View): string => {
    const m = v.layout.members[i];
    if (!m) return '';
    if (m.member.name !== undefined) return full(m.member.name);
    const inner = [...v.fields.values()].find((f) => f.offset === m.offset && f.bitWidth === undefined);
    return inner ? full(inner.path) : '';
  };
  const places = new Map<number, Array<{ v: View; i: number; offset: number; bits: number }>>();
  const at = (p: number) => places.get(p) ?? (places.set(p, []), places.get(p)!);
  n.views.forEach((v, i) => {
    for (const h of v.layout.holes) {
      if (h.bits % 8) continue; // bit gaps between bitfields are the bitfield rule's business
      at(h.before).push({ v, i, offset: h.bitOffset / 8, bits: h.bits });
    }
    if (v.layout.tailPaddingBits >= 8) {
      const bits = v.layout.tailPaddingBits - (v.layout.tailPaddingBits % 8);
      at(members.length).push({ v, i, offset: v.layout.size - bits / 8, bits });
    }
  });
  const pads = simulatePads(n.views);
  for (const [before, holes] of [...places].sort((a, b) => a[0] - b[0])) {
    const tail = before === members.length;
    // the member right before it, named or not (an anonymous union, an unnamed bit-field)
    const prev = members[before - 1]?.member;
    const after = prev !== undefined;
    const afterText = prev === undefined ? 'the previous member' : describeMember(prev);
    const kind = tail ? 'bytes of tail padding' : 'byte hole';
    const sizes = holes.map((h) => ({ abi: h.v.abi, n: h.bits / 8 }));
    const where = byValue(sizes, (x) => `${x}${tail ? ' ' : '-'}${kind}`);
    const claims: Claim[] = [];
    for (const h of holes) {
      const offset = n.starts[h.i]! + h.offset;
      if (!tail) {
        // `before` names the member after the hole ('' is tail padding's): none for an unnamed bit-field
        const next = firstPath(before, h.v);
        if (next !== '') claims.push({ what: 'hole', abi: h.v.abi, before: next, offset, size: h.bits / 8 });
      } else if (n.path === '') claims.push({ what: 'hole', abi: h.v.abi, before: '', offset, size: h.bits / 8 });
      else if (n.path)
        claims.push({ what: 'member', abi: h.v.abi, path: n.path, offset: n.starts[h.i]!, size: h.v.layout.size });
    }
    const pad = pads.get(before);
    const text = pad ? padFor(pad.bytes, names(), pad.at) : '';
    const next = members[before]?.member;
    // `__u32 a : 3, b : 5, : 0, c : 7;`: the hole is inside one declaration, which a pad cannot go into
    const inside = !tail && next !== undefined && prev !== undefined && next.declLoc === prev.declLoc;
    const edit = pad && !inside ? insertAt(tail ? native.decl.endLoc : next?.declLoc, text) : undefined;
    const place = after ? `after ${afterText}` : `before '${named(before) ?? 'the first member'}'`;
    const fix = edit
      ? `add \`${text}\` ${place}${within}`
      : inside
        ? `end the declaration ${place}, then add \`${text || 'a pad'}\` before the rest${within}`
        : 'make the members before it fixed-size first, then pad explicitly';
    const message = `${where} ${tail ? `after ${afterText}` : place}${within}`;
    const loc = tail ? native.decl.loc : (next?.loc ?? native.decl.loc);
    const path = full(named(before) ?? '');
    add('implicit-padding', loc, { record: name, path, message, fix, claims, ...(edit ? { edit } : {}) });
  }
}

function lintIoctls(input: LintInput, add: Add): void {
  const byHeader = new Map<string, IoctlEntry[]>();
  for (const e of input.ioctls) byHeader.set(e.file, [...(byHeader.get(e.file) ?? []), e]);
  for (const e of input.ioctls) {
    if (e.sizeofArg)
      add('sizeof-size', e.loc, {
        ioctl: e.name,
        message: `${e.name} passes sizeof(...) as the type: the number encodes sizeof(size_t)`,
        fix: `pass the type itself: _IOW(type, nr, ${e.sizeofArg})`,
      });
    if (!e.argType || e.dir === 'none') continue;
    const sides = input.sides.flatMap((s) => {
      const own = s.ioctls.get(e.name);
      if (!own?.argType) return [];
      const l = s.layouter.typeLayout(own.argType);
      return [{ abi: s.abi, size: l.size, align: l.align, dir: own.dir }];
    });
    // an over-aligned typedef (`typedef __u32 t __attribute__((aligned(8)))`): user space takes sizeof(t), but the
    // kernel's own _IOC_TYPECHECK(t) also forms t[1], an array whose elements cannot be that aligned
    const misfit = sides.filter((x) => x.size % x.align !== 0);
    if (misfit.length && !e.byValue && !e.legacy) {
      const groups = new Map<string, string[]>();
      for (const x of misfit) {
        const k = `${x.size} bytes aligned to ${x.align}`;
        groups.set(k, [...(groups.get(k) ?? []), x.abi.name]);
      }
      const what = [...groups].map(([k, abis]) => `${k} on ${abis.join(', ')}`).join(', ');
      add('kernel-typecheck', e.loc, {
        ioctl: e.name,
        message: `${e.name}'s argument ${e.arg ?? ''} is ${what}: the kernel's _IOC_TYPECHECK (sizeof(t[1])) rejects it`,
        fix: 'name a type whose size is a multiple of its alignment (a struct holding it, or no aligned attribute)',
        claims: misfit.map((x) => ({ what: 'argument', abi: x.abi.name, size: x.size })),
      });
    }
    for (const { abi, size, dir } of sides) {
      // a size past the field spills into the direction bits: no direction decodes (ppc, mips), or another one
      const max = maxIocSize(abi, dir === null || dir === 'none' ? 'r' : dir);
      if (size > max)
        add('too-large', e.loc, {
          ioctl: e.name,
          message: `${e.name}'s argument is ${size} bytes on ${abi.name}; the size field holds at most ${max}`,
          fix: 'pass a small header struct with a __u64 pointer to the bulk data',
          claims: [{ what: 'argument', abi: abi.name, size }],
        });
    }
    // the argument itself a long or a pointer: its size, and so the number, differs
    const t = stripTypedefs(e.argType);
    if ((t.kind === 'int' || t.kind === 'pointer') && new Set(sides.map((x) => x.size)).size > 1) {
      const macro = e.dir === 'rw' ? '_IOWR' : e.dir === 'r' ? '_IOR' : e.dir === 'w' ? '_IOW' : '_IOWR';
      const sizes = byValue(
        sides.map((x) => ({ abi: x.abi.name, n: x.size })),
        (n) => `${n} bytes`,
      );
      const claims: Claim[] = sides.map((x) => ({ what: 'argument', abi: x.abi.name, size: x.size }));
      add('long-or-pointer', e.loc, {
        ioctl: e.name,
        message: `${e.name}'s argument ${e.arg ?? ''} is ${sizes}, so its number differs too`,
        // a pointer to a struct: the number names the pointer, the handler copies the struct (check's reading)
        fix:
          t.kind === 'pointer' && stripTypedefs(t.to).kind === 'record'
            ? `name the struct the handler copies, not a pointer to it: ${macro}(..., ${typeName(t.to)})`
            : `name a fixed-size type: ${macro}(..., __u64) or __u32, as the handler copies`,
        claims,
      });
    }
  }
  for (const list of byHeader.values()) {
    const byKey = new Map<string, IoctlEntry[]>();
    for (const e of list) byKey.set(`${e.type}:${e.nr}`, [...(byKey.get(`${e.type}:${e.nr}`) ?? []), e]);
    for (const same of byKey.values()) {
      if (same.length < 2) continue;
      const [first, ...rest] = same;
      for (const e of rest)
        add('duplicate-nr', e.loc, {
          ioctl: e.name,
          message: `${e.name} has the type and nr of ${first!.name} (0x${e.type.toString(16)}, ${e.nr})`,
          fix: `give ${e.name} a free nr`,
        });
    }
  }
}
