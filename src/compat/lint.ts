/**
 * Lint rules for new ioctl argument structs, each citing its source: the kernel's
 * Documentation/driver-api/ioctl.rst and the 2002 guidance "32bit ioctl support for 64bit
 * kernels". Findings carry a concrete fix.
 */
import { getAbi } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import type { CType, RecordDecl, SourceLoc } from '../cfront/types.js';
import type { IoctlEntry } from '../ioctl/catalogue.js';
import { maxIocSize } from '../ioctl/ioc.js';
import { flattenFields, type TypedField } from '../layout/fields.js';
import { Layouter } from '../layout/layout.js';
import { scalarClass } from './compare.js';

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
      ['long-or-pointer', 'warning', 'a long or pointer member has another size in 32-bit tasks', "ioctl.rst '32-bit compat mode'; 32bit ioctl support for 64bit kernels (2002): use fixed-size types", `${IOCTL_RST}#bit-compat-mode`],
      ['unaligned-u64', 'warning', 'a 64-bit member is not naturally aligned: it moves on i386 and m68k', "ioctl.rst '32-bit compat mode' (i386 aligns __u64 to 4)", `${IOCTL_RST}#bit-compat-mode`],
      ['implicit-padding', 'warning', 'implicit padding leaks kernel stack contents and differs between ABIs', "ioctl.rst 'Information leaks'", `${IOCTL_RST}#information-leaks`],
      ['bitfield', 'warning', 'bitfield layout is an ABI choice (bit order, units)', "ioctl.rst 'Bitfields and enums'", `${IOCTL_RST}#bitfields-and-enums`],
      ['enum', 'warning', 'enum size and signedness are ABI choices', "ioctl.rst 'Bitfields and enums'", `${IOCTL_RST}#bitfields-and-enums`],
      ['plain-char', 'note', 'plain char is signed on some ABIs and unsigned on others', "ioctl.rst 'Bitfields and enums' (types whose meaning differs between ABIs)", `${IOCTL_RST}#bitfields-and-enums`],
      ['too-large', 'error', 'the argument is larger than the command number can encode', "ioctl.rst 'Command number definitions' (13- or 14-bit size field)", `${IOCTL_RST}#command-number-definitions`],
      ['sizeof-size', 'error', '_IOW(..., sizeof(T)) encodes the size of a size, not of T', "ioctl.rst 'Command number definitions' (the third argument is a type)", `${IOCTL_RST}#command-number-definitions`],
      ['duplicate-nr', 'warning', 'two ioctls in one header share type and nr', "ioctl.rst 'Command number definitions' (numbers must be unique)", `${IOCTL_RST}#command-number-definitions`],
      ['size-differs', 'warning', 'the argument has another size in 32-bit tasks, so another command number', "ioctl.rst '32-bit compat mode'", `${IOCTL_RST}#bit-compat-mode`],
    ] as const
  ).map(([id, level, summary, source, helpUri]) => [id, { id, level, summary, source, helpUri }]),
);

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
}

export interface LintInput {
  /** Records used as ioctl arguments in the linted headers. */
  records: Array<{ name: string; decl: RecordDecl }>;
  /** The linted headers' ioctls (from the native ABI's catalogue). */
  ioctls: IoctlEntry[];
  /** The pair (or ABIs) whose layouts must agree. */
  abis: Abi[];
  displayName: (file: string) => string;
}

function padFor(bytes: number, index: number): string {
  if (bytes === 1 || bytes === 2 || bytes === 4 || bytes === 8) return `__u${bytes * 8} pad${index};`;
  return `__u8 pad${index}[${bytes}];`;
}

export function lint(input: LintInput): Finding[] {
  const out: Finding[] = [];
  const add = (rule: string, loc: SourceLoc | undefined, fields: Omit<Finding, 'rule' | 'level' | 'file' | 'line' | 'column'>) => {
    out.push({ rule, level: RULES[rule]!.level, file: loc ? input.displayName(loc.file) : '<unknown>', line: loc?.line ?? 0, column: loc?.column ?? 0, ...fields });
  };
  // i386 and m68k are where 8-byte members move; check them whatever the pair
  const abis = [...new Set([...input.abis, getAbi('i386'), getAbi('m68k')])];
  const layouters = abis.map((a) => new Layouter(a));
  for (const { name, decl } of input.records) {
    lintRecord(name, decl, layouters, input.abis.length, add);
  }
  lintIoctls(input, add);
  return out;
}

type Add = (rule: string, loc: SourceLoc | undefined, fields: Omit<Finding, 'rule' | 'level' | 'file' | 'line' | 'column'>) => void;

function memberLoc(decl: RecordDecl, path: string): SourceLoc | undefined {
  // walk the path through named and anonymous members
  let members = decl.members ?? [];
  let loc: SourceLoc | undefined = decl.loc;
  for (const part of path.split('.')) {
    const stack = [...members];
    let found;
    while (stack.length) {
      const m = stack.shift()!;
      if (m.name === part) {
        found = m;
        break;
      }
      let t: CType = m.type;
      while (t.kind === 'typedef') t = t.decl.type;
      if (m.name === undefined && t.kind === 'record') stack.push(...(t.decl.members ?? []));
    }
    if (!found) return loc;
    loc = found.loc ?? loc;
    let t: CType = found.type;
    while (t.kind === 'typedef') t = t.decl.type;
    members = t.kind === 'record' ? t.decl.members ?? [] : [];
  }
  return loc;
}

function lintRecord(name: string, decl: RecordDecl, layouters: Layouter[], pairCount: number, add: Add): void {
  const layouts = layouters.map((l) => ({ abi: l.abi.name, layout: l.layout(decl), fields: new Map(flattenFields(l.layout(decl), l).map((f) => [f.path, f])) }));
  const native = layouts[0]!;
  const fields: TypedField[] = [...native.fields.values()];
  for (const f of fields) {
    const loc = memberLoc(decl, f.path);
    let t: CType = f.ctype;
    while (t.kind === 'typedef') t = t.decl.type;
    const cls = scalarClass(f.ctype);
    if (cls === 'pointer') add('long-or-pointer', loc, { record: name, path: f.path, message: `'${f.path}' is a pointer: 8 bytes in 64-bit tasks, 4 in 32-bit ones`, fix: `use __u64 and u64_to_user_ptr() for '${f.path}'` });
    else if (cls === 'long') add('long-or-pointer', loc, { record: name, path: f.path, message: `'${f.path}' is a long: 8 bytes in 64-bit tasks, 4 in 32-bit ones`, fix: `use __s64 or __u64 for '${f.path}'` });
    if (f.bitWidth !== undefined) add('bitfield', loc, { record: name, path: f.path, message: `'${f.path}' is a bitfield`, fix: `use a __u32 with explicit masks instead of '${f.path}'` });
    if (t.kind === 'enum') add('enum', loc, { record: name, path: f.path, message: `'${f.path}' has enum type`, fix: `use __u32 for '${f.path}' and keep the enum for its values` });
    if (t.kind === 'int' && t.name === 'char') add('plain-char', loc, { record: name, path: f.path, message: `'${f.path}' is plain char`, fix: `use __u8 or __s8 for '${f.path}'` });
    if (f.bitWidth === undefined && t.kind === 'int' && f.size === 8) {
      const moved = layouts.filter((l) => l.fields.get(f.path)?.offset !== f.offset).map((l) => l.abi);
      if (f.offset % 8 !== 0 || moved.length) {
        const gap = (8 - (f.offset % 8)) % 8 || 4;
        add('unaligned-u64', loc, { record: name, path: f.path, message: `'${f.path}' is at offset ${f.offset} on ${native.abi}${moved.length ? `, elsewhere on ${moved.join(', ')}` : ''}`, fix: `add \`${padFor(gap, 0)}\` before '${f.path}' or use __aligned_u64` });
      }
    }
  }
  // holes and tail padding, on every ABI checked (only explicit padding is the same everywhere)
  const seen = new Set<string>();
  for (const l of layouts) {
    const members = l.layout.members;
    l.layout.holes.forEach((h, i) => {
      if (h.bits % 8) return; // bit gaps between bitfields are the bitfield rule's business
      const after = members[h.before - 1]?.member.name ?? 'the previous member';
      const key = `${after}:${h.bits}`;
      if (seen.has(key)) return;
      seen.add(key);
      add('implicit-padding', members[h.before]?.member.loc ?? decl.loc, { record: name, path: members[h.before]?.member.name ?? '', message: `${h.bits / 8}-byte hole after '${after}' on ${l.abi}`, fix: `add \`${padFor(h.bits / 8, i)}\` after '${after}'` });
    });
    if (l.layout.tailPaddingBits >= 8 && !seen.has(`tail:${l.layout.tailPaddingBits}`)) {
      seen.add(`tail:${l.layout.tailPaddingBits}`);
      const last = [...members].reverse().find((m) => m.member.name !== undefined)?.member.name ?? 'the last member';
      add('implicit-padding', decl.loc, { record: name, message: `${Math.floor(l.layout.tailPaddingBits / 8)} bytes of tail padding on ${l.abi}`, fix: `add \`${padFor(Math.floor(l.layout.tailPaddingBits / 8), members.length)}\` after '${last}'` });
    }
  }
  const pair = layouts.slice(0, pairCount);
  const sizes = new Set(pair.map((l) => l.layout.size));
  if (sizes.size > 1) {
    add('size-differs', decl.loc, { record: name, message: `${name} is ${pair.map((l) => `${l.layout.size} bytes on ${l.abi}`).join(', ')}`, fix: 'use only fixed-size types (__u8.. __u64, __aligned_u64) and explicit padding' });
  }
}

function lintIoctls(input: LintInput, add: Add): void {
  const byHeader = new Map<string, IoctlEntry[]>();
  for (const e of input.ioctls) byHeader.set(e.file, [...(byHeader.get(e.file) ?? []), e]);
  for (const e of input.ioctls) {
    if (e.sizeofArg) add('sizeof-size', e.loc, { ioctl: e.name, message: `${e.name} passes sizeof(...) as the type: the number encodes sizeof(size_t)`, fix: `pass the type itself: _IOW(type, nr, ${e.sizeofArg})` });
    if (!e.argType || !e.dir || e.dir === 'none') continue;
    for (const abi of input.abis) {
      const size = new Layouter(abi).typeLayout(e.argType).size;
      if (size > maxIocSize(abi, e.dir)) add('too-large', e.loc, { ioctl: e.name, message: `${e.name}'s argument is ${size} bytes on ${abi.name}; the size field holds at most ${maxIocSize(abi, e.dir)}`, fix: 'pass a small header struct with a __u64 pointer to the bulk data' });
    }
  }
  for (const list of byHeader.values()) {
    const byKey = new Map<string, IoctlEntry[]>();
    for (const e of list) byKey.set(`${e.type}:${e.nr}`, [...(byKey.get(`${e.type}:${e.nr}`) ?? []), e]);
    for (const same of byKey.values()) {
      if (same.length < 2) continue;
      const [first, ...rest] = same;
      for (const e of rest) add('duplicate-nr', e.loc, { ioctl: e.name, message: `${e.name} has the type and nr of ${first!.name} (0x${e.type.toString(16)}, ${e.nr})`, fix: `give ${e.name} a free nr` });
    }
  }
}
