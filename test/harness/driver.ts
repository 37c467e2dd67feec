/**
 * Random driver headers as a driver author writes them: fixed-size types and their traps (longs,
 * pointers, 4-aligned u64s on i386, unions of a pointer and a u64, arrays, nested and anonymous
 * records, typedef chains, enums, plain char), ioctls on scalars and records, and legacy-style
 * annotations that name the argument the handler really copies. The generator knows what each
 * member is (pointer, integer, aggregate) by construction, so a test can compute the expected
 * verdict from the compiler's numbers alone, without reading a type's name.
 */
import fc from 'fast-check';

/** What a type is, structurally (never by its spelling). */
export type Kind = 'pointer' | 'int' | 'aggregate';

interface Scalar {
  text: string;
  kind: 'pointer' | 'int';
}

/** A member path of a record as offsetof names it, with what it is. */
export interface MemberInfo {
  path: string;
  kind: Kind;
}

export interface RecordInfo {
  /** `struct drv_N` */
  name: string;
  /** Every named member, depth first, through anonymous records (CONTRACT.md's `fields`). */
  members: MemberInfo[];
}

export interface IoctlInfo {
  name: string;
  /** The type the macro names, or null for _IO. */
  macroType: string | null;
  /** The argument the handler copies: an annotation's type where one is given. */
  arg: string | null;
  /** The argument's structure: a record's name, or a scalar. */
  argRecord: string | null;
}

export interface DriverHeader {
  text: string;
  records: RecordInfo[];
  ioctls: IoctlInfo[];
  /** The annotations sidecar (JSON): argument types the handler really copies. */
  annotations: { ioctls: Record<string, { arg: string }> };
}

const SCALARS: Scalar[] = [
  { text: '__u8', kind: 'int' },
  { text: '__s8', kind: 'int' },
  { text: '__u16', kind: 'int' },
  { text: '__s16', kind: 'int' },
  { text: '__u32', kind: 'int' },
  { text: '__s32', kind: 'int' },
  { text: '__u64', kind: 'int' },
  { text: '__s64', kind: 'int' },
  { text: '__aligned_u64', kind: 'int' },
  { text: 'int', kind: 'int' },
  { text: 'unsigned int', kind: 'int' },
  { text: 'long', kind: 'int' },
  { text: 'unsigned long', kind: 'int' },
  { text: 'long long', kind: 'int' },
  { text: '__kernel_long_t', kind: 'int' },
  { text: '__kernel_ulong_t', kind: 'int' },
  { text: 'size_t', kind: 'int' },
  { text: 'char', kind: 'int' },
  { text: 'enum drv_mode', kind: 'int' },
  { text: 'void *', kind: 'pointer' },
  { text: 'char *', kind: 'pointer' },
  { text: 'struct drv_opaque *', kind: 'pointer' },
  // typedef chains: what they are is what they end in
  { text: 'drv_u64_t', kind: 'int' },
  { text: 'drv_u64b_t', kind: 'int' },
  { text: 'drv_ulong_t', kind: 'int' },
  { text: 'drv_ptr_t', kind: 'pointer' },
];

const PRELUDE = [
  '#include <stddef.h>',
  '#include <linux/types.h>',
  '#include <linux/ioctl.h>',
  '',
  'enum drv_mode { DRV_OFF, DRV_ON };',
  'struct drv_opaque;',
  'typedef __u64 drv_u64_t;',
  'typedef drv_u64_t drv_u64b_t;',
  'typedef unsigned long drv_ulong_t;',
  'typedef void *drv_ptr_t;',
  '',
];

/** `void *name`, `__u32 name`. */
function declare(s: Scalar, name: string): string {
  return s.text.endsWith('*') ? `${s.text}${name}` : `${s.text} ${name}`;
}

type Pick = <T>(list: readonly T[]) => T;

/** One header from a seed: `records` records, then `ioctls` ioctls over them and the scalars. */
export function driverHeader(seed: number, opts: { records: number; ioctls: number; prefix: string }): DriverHeader {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: deterministic from the seed fast-check gives
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  const pick: Pick = (list) => list[Math.floor(next() * list.length)]!;
  const chance = (p: number) => next() < p;
  const P = opts.prefix;
  const lines = [...PRELUDE];
  const records: RecordInfo[] = [];
  let uniq = 0;

  /** Members of one record body (lines), with their paths and kinds. */
  const body = (depth: number, indent: string, prefix: string): { lines: string[]; members: MemberInfo[] } => {
    const out: string[] = [];
    const members: MemberInfo[] = [];
    const count = 1 + Math.floor(next() * 5);
    for (let i = 0; i < count; i++) {
      const name = `m${uniq++}`;
      const r = next();
      if (r < 0.62) {
        const s = pick(SCALARS);
        const array = s.kind === 'int' && chance(0.15) ? 1 + Math.floor(next() * 4) : 0;
        out.push(`${indent}${declare(s, name)}${array ? `[${array}]` : ''};`);
        members.push({ path: prefix + name, kind: array ? 'aggregate' : s.kind });
      } else if (r < 0.75 && records.length) {
        // a record defined earlier, by value
        const inner = pick(records);
        out.push(`${indent}${inner.name} ${name};`);
        members.push({ path: prefix + name, kind: 'aggregate' });
        for (const m of inner.members) members.push({ path: `${prefix}${name}.${m.path}`, kind: m.kind });
      } else if (r < 0.85) {
        // the kvm_dirty_log idiom: a pointer sharing a union with a u64
        const anon = chance(0.5);
        const p = `p${uniq++}`;
        const u = `w${uniq++}`;
        const inner = anon ? prefix : `${prefix}${name}.`;
        const ptr = declare(pick(SCALARS.filter((s) => s.kind === 'pointer')), p);
        out.push(`${indent}union { ${ptr}; __u64 ${u}; }${anon ? '' : ` ${name}`};`);
        if (!anon) members.push({ path: prefix + name, kind: 'aggregate' });
        members.push({ path: inner + p, kind: 'pointer' }, { path: inner + u, kind: 'int' });
      } else if (depth < 2) {
        // an anonymous or named nested record
        const union = chance(0.4);
        const anon = chance(0.5);
        const nested = body(depth + 1, `${indent}\t`, anon ? prefix : `${prefix}${name}.`);
        out.push(`${indent}${union ? 'union' : 'struct'} {`, ...nested.lines, `${indent}}${anon ? '' : ` ${name}`};`);
        if (!anon) members.push({ path: prefix + name, kind: 'aggregate' });
        members.push(...nested.members);
      } else {
        out.push(`${indent}__u32 ${name};`);
        members.push({ path: prefix + name, kind: 'int' });
      }
    }
    return { lines: out, members };
  };

  for (let i = 0; i < opts.records; i++) {
    const name = `struct ${P}_r${i}`;
    const b = body(0, '\t', '');
    const attr = chance(0.05) ? ' __attribute__((packed))' : '';
    lines.push(`${name} {`, ...b.lines, `}${attr};`, '');
    records.push({ name, members: b.members });
  }

  const ioctls: IoctlInfo[] = [];
  const annotations: DriverHeader['annotations'] = { ioctls: {} };
  const dirs = ['_IOR', '_IOW', '_IOWR'];
  for (let i = 0; i < opts.ioctls; i++) {
    const name = `${P.toUpperCase()}_IOC${i}`;
    const nr = i % 256;
    const type = `0x${(0x40 + Math.floor(i / 256)).toString(16)}`;
    const r = next();
    if (r < 0.05) {
      lines.push(`#define ${name} _IO(${type}, ${nr})`);
      ioctls.push({ name, macroType: null, arg: null, argRecord: null });
      continue;
    }
    const dir = pick(dirs);
    if (r < 0.3) {
      const s = pick(SCALARS);
      lines.push(`#define ${name} ${dir}(${type}, ${nr}, ${s.text})`);
      // legacy style: the number says `long`, the handler copies an int (FS_IOC_GETFLAGS)
      if (chance(0.3)) {
        const arg = pick(['int', '__u32', '__u64', 'unsigned long', 'void *']);
        annotations.ioctls[name] = { arg };
        ioctls.push({ name, macroType: s.text, arg, argRecord: null });
      } else ioctls.push({ name, macroType: s.text, arg: s.text, argRecord: null });
      continue;
    }
    const rec = pick(records);
    lines.push(`#define ${name} ${dir}(${type}, ${nr}, ${rec.name})`);
    ioctls.push({ name, macroType: rec.name, arg: rec.name, argRecord: rec.name });
  }
  return { text: `${lines.join('\n')}\n`, records, ioctls, annotations };
}

/** Seeds for `runs` headers, from fast-check (IOCTL32_SEED replays a run). */
export function driverSeeds(runs: number, seed: number): number[] {
  return fc.sample(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { numRuns: runs, seed });
}
