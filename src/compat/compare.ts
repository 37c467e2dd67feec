/**
 * Comparing one argument type between a native and a compat ABI: from the two layouts alone,
 * what differs, and so what the kernel must do (CONTRACT.md's verdicts).
 */
import { typeName } from '../cfront/print.js';
import { stripTypedefs, type CType, type RecordDecl } from '../cfront/types.js';
import { flattenFields, type TypedField } from '../layout/fields.js';
import type { Layouter } from '../layout/layout.js';

/** In the order of the work they ask of a handler (CONTRACT.md). */
export const VERDICTS = ['no-arg', 'identical', 'renumber', 'pointer-inside', 'convert', 'unknown'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Place {
  offset: number;
  size: number;
  bitOffset?: number;
  bitWidth?: number;
}

export type ReasonRule =
  | 'size' // the argument's size differs
  | 'offset' // a member moved
  | 'member-size' // an aggregate member (array, record) changed size
  | 'bitfield' // a bitfield moved or changed width
  | 'missing' // a member exists on one side only
  | 'pointer' // a pointer whose size differs is stored inside: compat_ptr() needed
  | 'long' // an integer whose size differs (long, size_t) is stored inside: widening needed
  | 'user-pointer' // an annotated __u64 carries a user pointer
  | 'sigset' // an annotated signal mask: 64-bit words against compat's 32-bit ones
  | 'pointee' // an annotated pointer to an array whose elements differ: each element converted
  | 'unresolved'; // the type could not be resolved on a side

export interface Reason {
  rule: ReasonRule;
  path: string;
  native?: Place;
  compat?: Place;
  message?: string;
  /**
   * On a `size` reason: `tail-padding` when it is the only difference of the layouts — every member at
   * the same offset with the same size, only the record's size differs.
   */
  sub?: 'tail-padding';
  /** With `sub`: the kernel's dispatcher that tolerates the size difference for this ioctl (drm_ioctl). */
  dispatcher?: string;
}

/**
 * What a member is on one side, from its type's structure (never its spelling: `__u64` is
 * `unsigned long` on ppc64 and `unsigned long long` on ppc, and only the sizes tell).
 */
export type MemberClass = 'pointer' | 'scalar' | 'aggregate';

export function memberClass(t: CType): MemberClass {
  const x = stripTypedefs(t);
  if (x.kind === 'pointer') return 'pointer';
  if (x.kind === 'array' || x.kind === 'record') return 'aggregate';
  return 'scalar';
}

function place(f: TypedField): Place {
  const p: Place = { offset: f.offset, size: f.size };
  if (f.bitOffset !== undefined) {
    p.bitOffset = f.bitOffset;
    p.bitWidth = f.bitWidth!;
  }
  return p;
}

/** An argument laid out for one ABI: what the comparison needs, whoever computed it. */
export interface ArgShape {
  size: number;
  /**
   * `empty`: a member that holds no byte and is no array: an empty record (`struct { } __empty_entries`, what
   * __DECLARE_FLEX_ARRAY adds in newer headers). A flexible array has no size either, but the data after the record.
   */
  fields: Array<Place & { path: string; cls: MemberClass; empty?: true }>;
}

/** Whether a member holds no byte and is no (flexible) array. */
function holdsNothing(f: TypedField): boolean {
  return f.size === 0 && f.bitWidth === undefined && stripTypedefs(f.ctype).kind !== 'array';
}

/** The members of an argument type: a record's flattened members, or the scalar itself as ''. */
/** Flattened records per layouter: many ioctls share an argument type. */
const FLAT = new WeakMap<Layouter, WeakMap<RecordDecl, { size: number; fields: TypedField[] }>>();

function members(t: CType, layouter: Layouter): { size: number; fields: TypedField[] } {
  const x = stripTypedefs(t);
  if (x.kind === 'record') {
    let perLayouter = FLAT.get(layouter);
    if (!perLayouter) FLAT.set(layouter, (perLayouter = new WeakMap()));
    let m = perLayouter.get(x.decl);
    if (!m) {
      const l = layouter.layout(x.decl);
      perLayouter.set(x.decl, (m = { size: l.size, fields: flattenFields(l, layouter) }));
    }
    return m;
  }
  const tl = layouter.typeLayout(t);
  return { size: tl.size, fields: [{ path: '', offset: 0, size: tl.size, type: '', ctype: t }] };
}

function shapeFrom(m: { size: number; fields: TypedField[] }): ArgShape {
  return {
    size: m.size,
    fields: m.fields.map((f) => {
      const field: ArgShape['fields'][number] = { ...place(f), path: f.path, cls: memberClass(f.ctype) };
      if (holdsNothing(f)) field.empty = true;
      return field;
    }),
  };
}

/**
 * The comparison itself, on shapes: sizes and member places of both sides. A member that stays
 * put needs a value translation only when its size differs and it is a scalar (a pointer, or an
 * integer such as long), or an annotation says it carries a pointer; that alone is
 * "pointer-inside". Anything that moves or an aggregate that changes size means "convert".
 */
export function compareShapes(
  n: ArgShape,
  c: ArgShape,
  userPointers: ReadonlySet<string> = new Set(),
  sigsets: ReadonlySet<string> = new Set(),
  nativeBigEndian = false,
): Reason[] {
  const reasons: Reason[] = [];
  if (n.size !== c.size) {
    reasons.push({ rule: 'size', path: '', native: { offset: 0, size: n.size }, compat: { offset: 0, size: c.size } });
  }
  const cByPath = new Map(c.fields.map((f) => [f.path, f]));
  const nPaths = new Set(n.fields.map((f) => f.path));
  const strip = ({ path: _p, cls: _c, empty: _e, ...p }: ArgShape['fields'][number]): Place => p;
  for (const f of n.fields) {
    const g = cByPath.get(f.path);
    // a member that holds no byte converts nothing, wherever it is and whether the other side has it (two
    // versions of a header: __DECLARE_FLEX_ARRAY's empty struct in one, a plain flexible array in the other)
    if (f.empty && (!g || g.empty)) continue;
    if (!g) {
      reasons.push({ rule: 'missing', path: f.path, native: strip(f) });
      continue;
    }
    const [np, cp] = [strip(f), strip(g)];
    if (f.bitWidth !== undefined || g.bitWidth !== undefined) {
      if (f.bitOffset !== g.bitOffset || f.bitWidth !== g.bitWidth) {
        reasons.push({ rule: 'bitfield', path: f.path, native: np, compat: cp });
      }
    } else if (f.offset !== g.offset) {
      reasons.push({ rule: 'offset', path: f.path, native: np, compat: cp });
    } else if (f.size !== g.size) {
      reasons.push({ rule: resizedRule(f.cls, g.cls), path: f.path, native: np, compat: cp });
    }
    if (userPointers.has(f.path)) reasons.push({ rule: 'user-pointer', path: f.path, native: np, compat: cp });
    // compat_sigset_t is 32-bit words: on a big-endian kernel their order differs from a 64-bit mask
    if (sigsets.has(f.path) && nativeBigEndian) reasons.push({ rule: 'sigset', path: f.path, native: np, compat: cp });
  }
  for (const g of c.fields) {
    if (!nPaths.has(g.path) && !g.empty) reasons.push({ rule: 'missing', path: g.path, compat: strip(g) });
  }
  return reasons;
}

/** A member in place whose size differs: a value to translate, or an aggregate whose insides move. */
function resizedRule(n: MemberClass, c: MemberClass): ReasonRule {
  if (n === 'pointer' || c === 'pointer') return 'pointer';
  return n === 'scalar' && c === 'scalar' ? 'long' : 'member-size';
}

const MOVES: ReadonlySet<ReasonRule> = new Set([
  'size',
  'offset',
  'member-size',
  'bitfield',
  'missing',
  'sigset',
  'pointee',
]);

/**
 * The argument's `size` reason when the record's size is all that differs of the layouts: no member
 * moved or changed size (an annotated user pointer stays in place, so it may be there too).
 */
export function tailPaddingOnly(reasons: readonly Reason[]): Reason | undefined {
  const size = reasons.filter((r) => r.rule === 'size' && !r.path);
  if (size.length !== 1 || !reasons.every((r) => r === size[0] || r.rule === 'user-pointer')) return undefined;
  return size[0];
}

/** convert when something moves, pointer-inside when only values in place need care. */
export function verdictOf(reasons: Reason[]): Comparison['verdict'] {
  if (reasons.some((r) => MOVES.has(r.rule))) return 'convert';
  return reasons.length ? 'pointer-inside' : 'identical';
}

/** The element types of a flexible array member on both sides, when both are one and hold no records. */
function flexElements(n: CType, c: CType | undefined): [CType, CType] | undefined {
  const a = stripTypedefs(n);
  const b = c ? stripTypedefs(c) : undefined;
  if (a.kind !== 'array' || a.length !== null || b?.kind !== 'array' || b.length !== null) return undefined;
  return recordElement(a) ? undefined : [a.of, b.of];
}

/** The record type of an array's elements (through nested arrays and typedefs), if any. */
function recordElement(t: CType): CType | undefined {
  let x = t;
  let arrays = 0;
  for (;;) {
    if (x.kind === 'typedef') x = x.decl.type;
    else if (x.kind === 'array') {
      x = x.of;
      arrays++;
    } else break;
  }
  return arrays > 0 && x.kind === 'record' ? x : undefined;
}

function prefixed(paths: ReadonlySet<string>, prefix: string): Set<string> {
  return new Set([...paths].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)));
}

export interface Comparison {
  verdict: Exclude<Verdict, 'no-arg' | 'renumber' | 'unknown'>;
  reasons: Reason[];
  nativeSize: number;
  compatSize: number;
}

/**
 * Compares an argument type laid out for both ABIs. `userPointers` are member paths an
 * annotation says carry a user pointer in an integer.
 */
export function compareArgument(
  native: { type: CType; layouter: Layouter },
  compat: { type: CType; layouter: Layouter },
  userPointers: ReadonlySet<string> = new Set(),
  sigsets: ReadonlySet<string> = new Set(),
): Comparison {
  const nativeBigEndian = native.layouter.abi.endian === 'big';
  const n = members(native.type, native.layouter);
  const c = members(compat.type, compat.layouter);
  const cByPath = new Map(c.fields.map((f) => [f.path, f]));
  const reasons = compareShapes(shapeFrom(n), shapeFrom(c), userPointers, sigsets, nativeBigEndian);
  // array elements are not members of their own: compare an element of each record array
  for (const f of n.fields) {
    const g = cByPath.get(f.path);
    // a flexible array's elements lie past the record's size: compare one of each (records below)
    const flex = flexElements(f.ctype, g?.ctype);
    if (flex) {
      const [ns, cs] = [native.layouter.typeLayout(flex[0]).size, compat.layouter.typeLayout(flex[1]).size];
      if (ns !== cs) {
        const rule = resizedRule(memberClass(flex[0]), memberClass(flex[1]));
        reasons.push({
          rule,
          path: `${f.path}[]`,
          native: { offset: f.offset, size: ns },
          compat: { offset: g!.offset, size: cs },
        });
      }
    }
    const ne = recordElement(f.ctype);
    const ce = g && recordElement(g.ctype);
    if (!ne || !ce) continue;
    const inner = compareArgument(
      { type: ne, layouter: native.layouter },
      { type: ce, layouter: compat.layouter },
      prefixed(userPointers, `${f.path}[].`),
      prefixed(sigsets, `${f.path}[].`),
    );
    for (const r of inner.reasons) reasons.push({ ...r, path: `${f.path}[]${r.path ? `.${r.path}` : ''}` });
  }
  const verdict = verdictOf(reasons);
  return { verdict, reasons, nativeSize: n.size, compatSize: c.size };
}

/**
 * The two layouts differ in pointers' sizes alone (check would call the type pointer-inside): its own size may differ
 * with the pointer's (a union member beside others of one size), nothing moves.
 */
export function onlyPointersDiffer(
  native: { type: CType; layouter: Layouter },
  compat: { type: CType; layouter: Layouter },
): boolean {
  const { reasons } = compareArgument(native, compat);
  return reasons.some((r) => r.rule === 'pointer') && reasons.every((r) => r.rule === 'pointer' || !r.path);
}

/**
 * Integers, or arrays of them: a union member of such bytes beside one that differs only in pointers pads the union
 * to one size (kvm_dirty_log's `__u64 padding2`, btrfs_ioctl_vol_args_v2's `__u64 unused[4]`), so the pointers are
 * the value. A record beside a pointer is data the pointer only aligns (struct __kernel_sockaddr_storage's `__align`).
 */
export function integerFiller(t: CType): boolean {
  const s = stripTypedefs(t);
  return s.kind === 'int' || s.kind === 'enum' || (s.kind === 'array' && integerFiller(s.of));
}

/**
 * The arrays annotated pointers point at (array-pointer annotations: member path → its count member and unit) whose
 * elements are laid out otherwise: one `pointee` reason each, with an element's size on both sides. The handler
 * converts each element, and a count in bytes is rescaled (SIOCGIFCONF's ifc_len over its ifreq slots).
 */
export function pointeeReasons(
  native: { type: CType; layouter: Layouter },
  compat: { type: CType; layouter: Layouter },
  arrays: ReadonlyMap<string, { count: string; unit: 'elements' | 'bytes' }>,
): Reason[] {
  const out: Reason[] = [];
  const nf = members(native.type, native.layouter).fields;
  const cf = members(compat.type, compat.layouter).fields;
  for (const [path, { count, unit }] of arrays) {
    const [a, b] = [nf.find((f) => f.path === path), cf.find((f) => f.path === path)];
    const [pa, pb] = [a && stripTypedefs(a.ctype), b && stripTypedefs(b.ctype)];
    if (pa?.kind !== 'pointer' || pb?.kind !== 'pointer') continue;
    const elements = compareArgument(
      { type: pa.to, layouter: native.layouter },
      { type: pb.to, layouter: compat.layouter },
    );
    if (elements.verdict === 'identical') continue;
    const [ns, cs] = [elements.nativeSize, elements.compatSize];
    const rescaled = unit === 'bytes' && ns !== cs ? `; ${count}, in bytes, rescaled` : '';
    out.push({
      rule: 'pointee',
      path,
      native: { offset: a!.offset, size: ns },
      compat: { offset: b!.offset, size: cs },
      message:
        `each ${typeName(pa.to)} of the array it points at (${count} ${unit}): ${cs} bytes for the task, ` +
        `${ns} native, ${elements.verdict === 'convert' ? 'converted' : 'its pointers converted'}${rescaled}`,
    });
  }
  return out;
}
