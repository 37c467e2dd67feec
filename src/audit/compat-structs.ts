/**
 * `compat-struct-differs`: the hand-written compat structs a driver defines for 32-bit tasks
 * (`struct compat_loop_info`, `struct fb_fix_screeninfo32`) compared member by member, by name,
 * with the compat ABI's own layout of the UAPI struct they mirror. The kernel's struct is laid out
 * as the kernel compiles it natively (compat_ulong_t, compat_uptr_t are 4 bytes there: the unit's
 * own typedefs say so); the UAPI struct as ioctl32 lays it out for the compat ABI (the catalogue's
 * layout, `dump` over the kernel tree's view of the header). A member that sits elsewhere or has
 * another size, or a member one side lacks, means the driver copies the wrong bytes: the UAPI grew
 * a member the kernel's copy never fills (fb_fix_screeninfo's `capabilities`), or the kernel's
 * struct was written wrong.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ABIS } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import type { RecordDecl } from '../cfront/types.js';
import { flattenFields, untypedField, type FlatField } from '../layout/fields.js';
import { Layouter } from '../layout/layout.js';
import { dump, type DumpResult } from '../scan/dump.js';
import type { AuditFinding } from './audit.js';
import { article } from './evidence.js';
import type { KernelBuild, KernelUnit } from './unit.js';

/** How a compat struct's name is derived from the UAPI struct's: each pattern's first group is the UAPI tag. */
const COMPAT_NAMES: readonly RegExp[] = [/^compat_(\w+)$/, /^(\w+?)_?32$/];

/**
 * A macro naming the compat number of an ioctl (`BTRFS_IOC_SEND_32`, `FBIOPUTCMAP32`): the native
 * macro's name is its first group. Its body names the compat struct, the native macro's the UAPI one.
 */
const COMPAT_NUMBER = /^(\w+?)_?32$/;

/**
 * Of the compat struct's named top-level members, the share the UAPI struct must have too for the
 * two to be taken as one struct's two layouts (a name that fits by chance shares few members).
 */
const SHARED_MEMBERS = 0.5;

export type MemberDifferenceKind = 'moved' | 'resized' | 'missing' | 'extra';

/** One member where the two layouts disagree (offsets and sizes in bytes; bit ones for bitfields). */
export interface MemberDifference {
  kind: MemberDifferenceKind;
  /** The member's dotted path (flattenFields' naming). */
  member: string;
  kernel?: { offset: number; size: number };
  uapi?: { offset: number; size: number };
}

export interface CompatStruct {
  /** `struct fb_fix_screeninfo32`, where the driver defines it (file relative to the tree). */
  kernel: string;
  file: string;
  line: number;
  /** The UAPI struct it mirrors, its header (include name), and how it was matched. */
  uapi: string;
  header: string;
  matchedBy: 'name' | 'ioctl';
  /** The ioctls of the header whose argument is the UAPI struct. */
  ioctls: string[];
  /**
   * The compat ABI whose layout it was compared with: the run's, or its 64-bit time_t flavour (i386+t64) where
   * that one agrees better — the kernel serves both kinds of task (v4l2_buffer32 and v4l2_buffer32_time32).
   */
  abi: string;
  /** The kernel's struct natively (as the kernel compiles it) and the UAPI's on the compat ABI. */
  kernelLayout: { size: number; fields: FlatField[] };
  compatLayout: { size: number; fields: FlatField[] };
  differences: MemberDifference[];
}

/** A unit the audit read, and its file relative to the tree. */
export interface ReadUnit {
  rel: string;
  unit: KernelUnit;
}

/**
 * The compat structs the units define in the tree's own files (not in the build's include
 * directories) that mirror a UAPI struct, each compared with the compat ABI's layout of it.
 */
export function compatStructs(units: readonly ReadUnit[], kb: KernelBuild, root: string, compat: Abi): CompatStruct[] {
  const dumps = new Map<string, DumpResult | null>();
  const compatDump = (abi: Abi, header: string): DumpResult | null => {
    const key = `${abi.name}\0${header}`;
    if (!dumps.has(key)) {
      let d: DumpResult | null = null;
      try {
        d = dump({ abi, headers: [header], kernelTree: kb.uapiTree });
      } catch {
        d = null;
      }
      dumps.set(key, d);
    }
    return dumps.get(key)!;
  };
  const candidates = [compat, ...ABIS.filter((a) => a.flavourOf === compat.name)];
  const own = (file: string) =>
    (file === root || file.startsWith(`${root}/`)) && !kb.includeDirs.some((d) => file.startsWith(`${d}/`));
  const out: CompatStruct[] = [];
  const seen = new Set<string>();
  for (const { unit } of units) {
    const byIoctl = ioctlPairs(unit, own);
    for (const tag of definedTags(unit, own)) {
      const decl = unit.record(tag);
      if (!decl?.loc || decl.members === null || !own(decl.loc.file)) continue;
      const where = `${decl.loc.file}:${decl.loc.line}`;
      if (seen.has(where)) continue;
      seen.add(where);
      const uapiDecl = counterpart(unit, tag, byIoctl, kb);
      if (!uapiDecl) continue;
      const { decl: u, key, matchedBy } = uapiDecl;
      if (!sharesMembers(decl, u)) continue;
      const dir = kb.uapiDirs.find((d) => u.loc!.file.startsWith(`${d}/`))!;
      const header = relative(dir, u.loc!.file);
      const layouter = new Layouter(kb.abi);
      const l = layouter.layout(decl);
      const kernelFields = flattenFields(l, layouter).map(untypedField);
      // the compat ABI, or its flavour, whose layout the kernel's struct follows best
      const compared = candidates
        .map((abi) => ({ abi, d: compatDump(abi, header) }))
        .map(({ abi, d }) => ({ abi, d, rec: d?.records[key] }))
        .filter((c): c is { abi: Abi; d: DumpResult; rec: NonNullable<typeof c.rec> } => !!c.d && !!c.rec)
        .map((c) => ({ ...c, differences: compareFields(kernelFields, c.rec.fields, c.abi.endian === 'little') }))
        .sort((a, b) => a.differences.length - b.differences.length);
      const best = compared[0];
      if (!best) continue;
      const { d, rec } = best;
      // the compat case's number carries the kernel struct's size: where every ioctl of the struct carries its
      // size and the ABI's differs, this ABI's tasks never reach the struct (x32's BTRFS_IOC_SEND is the native
      // number, not BTRFS_IOC_SEND_32) — what they reach instead is judged by the dispatch, not here
      const tied = Object.values(d.ioctls).filter((i) => i.arg === key);
      if (l.size !== rec.size && tied.length > 0 && tied.every((i) => i.size === rec.size)) continue;
      out.push({
        abi: best.abi.name,
        kernel: tag,
        file: relative(root, decl.loc.file),
        line: decl.loc.line,
        uapi: key,
        header,
        matchedBy,
        ioctls: Object.entries(d.ioctls)
          .filter(([, i]) => i.arg === key)
          .map(([n]) => n)
          .sort(),
        kernelLayout: { size: l.size, fields: kernelFields },
        compatLayout: { size: rec.size, fields: rec.fields },
        differences: best.differences,
      });
    }
  }
  return out;
}

/** `struct TAG` / `union TAG` the unit's own files define whose tag reads as a compat struct's. */
function definedTags(unit: KernelUnit, own: (file: string) => boolean): string[] {
  const out = new Set<string>();
  const t = unit.tokens;
  for (let i = 0; i + 2 < t.length; i++) {
    const x = t[i]!;
    if ((x.text !== 'struct' && x.text !== 'union') || x.origin !== null || !own(x.file)) continue;
    const tag = t[i + 1]!;
    if (tag.kind !== 'ident' || t[i + 2]!.text !== '{') continue;
    if (COMPAT_NAMES.some((re) => re.test(tag.text))) out.add(`${x.text} ${tag.text}`);
  }
  return [...out];
}

/**
 * Compat struct tag → the UAPI struct its ioctl's native number names: for each `#define NAME32
 * _IOx(..., struct K)` of the unit's own files whose native `NAME` has `struct U` in its body.
 */
function ioctlPairs(unit: KernelUnit, own: (file: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(unit.path, 'latin1');
  } catch {
    return out;
  }
  if (!own(unit.path)) return out;
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]/gm)) {
    const native = COMPAT_NUMBER.exec(m[1]!)?.[1];
    if (!native) continue;
    const kernel = structNamed(unit.macros(m[1]!)?.body);
    const uapi = structNamed(unit.macros(native)?.body);
    if (kernel && uapi && kernel !== uapi && !out.has(kernel)) out.set(kernel, uapi);
  }
  return out;
}

function structNamed(body: ReadonlyArray<{ text: string; kind: string }> | undefined): string | null {
  if (!body) return null;
  const i = body.findIndex((t, j) => (t.text === 'struct' || t.text === 'union') && body[j + 1]?.kind === 'ident');
  return i < 0 ? null : `${body[i]!.text} ${body[i + 1]!.text}`;
}

/** The UAPI record the compat struct mirrors: by its name, else by its ioctl's native number. */
function counterpart(
  unit: KernelUnit,
  tag: string,
  byIoctl: Map<string, string>,
  kb: KernelBuild,
): { decl: RecordDecl; key: string; matchedBy: 'name' | 'ioctl' } | null {
  const inUapi = (d: RecordDecl | undefined): d is RecordDecl =>
    !!d?.loc && d.members !== null && kb.uapiDirs.some((u) => d.loc!.file.startsWith(`${u}/`));
  const [word, name] = tag.split(' ') as [string, string];
  for (const re of COMPAT_NAMES) {
    const base = re.exec(name)?.[1];
    if (!base) continue;
    const key = `${word} ${base}`;
    const d = unit.record(key);
    if (inUapi(d)) return { decl: d, key, matchedBy: 'name' };
  }
  const key = byIoctl.get(tag);
  const d = key ? unit.record(key) : undefined;
  return key && inUapi(d) ? { decl: d, key, matchedBy: 'ioctl' } : null;
}

/** Whether the two records share enough top-level member names to be one struct's two layouts. */
function sharesMembers(kernel: RecordDecl, uapi: RecordDecl): boolean {
  const names = (d: RecordDecl) => new Set((d.members ?? []).flatMap((m) => (m.name === undefined ? [] : [m.name])));
  const k = names(kernel);
  const u = names(uapi);
  if (!k.size) return false;
  return [...k].filter((n) => u.has(n)).length >= k.size * SHARED_MEMBERS;
}

/**
 * Member by member, by dotted path: a member whose parent already differs is not listed again.
 * Bitfields compare by bit offset and width.
 */
export function compareFields(
  kernel: readonly FlatField[],
  uapi: readonly FlatField[],
  littleEndian = false,
): MemberDifference[] {
  const k = new Map(kernel.map((f) => [f.path, f]));
  const u = new Map(uapi.map((f) => [f.path, f]));
  // a union's members are alternatives over the same bytes, which the kernel copies whole (its own names for
  // them, snd_ctl_elem_value32's `value`): a union in the same place and size on both sides is compared as one
  const isUnion = (f: FlatField) => /^union\b/.test(f.type);
  const unions = uapi
    .filter((f) => isUnion(f) && k.has(f.path) && isUnion(k.get(f.path)!))
    .filter((f) => k.get(f.path)!.offset === f.offset && k.get(f.path)!.size === f.size)
    .map((f) => `${f.path}.`);
  const inUnion = (path: string) => unions.some((p) => path.startsWith(p));
  kernel = kernel.filter((f) => !inUnion(f.path));
  uapi = uapi.filter((f) => !inUnion(f.path));
  const bits = (f: FlatField): [start: number, width: number] =>
    f.bitWidth !== undefined ? [f.bitOffset!, f.bitWidth] : [f.offset * 8, f.size * 8];
  const place = (f: FlatField) =>
    f.bitWidth !== undefined ? { offset: f.bitOffset!, size: f.bitWidth } : { offset: f.offset, size: f.size };
  const out: MemberDifference[] = [];
  const listed = new Set<string>();
  const parentListed = (path: string) => {
    for (let i = path.lastIndexOf('.'); i > 0; i = path.lastIndexOf('.', i - 1))
      if (listed.has(path.slice(0, i))) return true;
    return false;
  };
  const add = (d: MemberDifference) => {
    listed.add(d.member);
    if (!parentListed(d.member)) out.push(d);
  };
  // members present on both sides in the same place; a UAPI member the kernel lacks whose bytes they cover is
  // another name in an anonymous union (v4l2_ext_control's p_u8 over `value`): the bytes are copied
  const agreed = uapi.filter((f) => {
    const g = k.get(f.path);
    return g !== undefined && g.offset === f.offset && g.size === f.size;
  });
  const covered = (f: FlatField) =>
    agreed.some((a) => a.path !== f.path && a.offset <= f.offset && f.offset + f.size <= a.offset + a.size);
  for (const f of uapi) {
    const g = k.get(f.path);
    if (!g) {
      if (!covered(f)) add({ kind: 'missing', member: f.path, uapi: place(f) });
      continue;
    }
    const a = place(g);
    const b = place(f);
    if ((g.bitWidth === undefined) !== (f.bitWidth === undefined)) {
      // a bitfield on one side, an integer holding its bits on the other (rawmidi's `no_active_sensing; /* avoid
      // bit-field */`): the handler copies the value, the bits are in place
      const [[ps, pw], [bs, bw]] = g.bitWidth === undefined ? [bits(g), bits(f)] : [bits(f), bits(g)];
      if (bs >= ps && bs + bw <= ps + pw) continue;
      add({ kind: 'moved', member: f.path, kernel: a, uapi: b });
      continue;
    }
    // wider over the UAPI member and the padding after it (v4l2_event32's compat_s64 tv_nsec over i386+t64's long
    // and its pad): on a little-endian task the member gets the low bytes, the value it holds
    const widened =
      littleEndian &&
      g.bitWidth === undefined &&
      a.offset === b.offset &&
      a.size > b.size &&
      !uapi.some(
        (x) =>
          x !== f &&
          !f.path.startsWith(`${x.path}.`) &&
          x.offset < a.offset + a.size &&
          b.offset + b.size < x.offset + x.size,
      );
    if (widened) continue;
    if (a.offset !== b.offset) add({ kind: 'moved', member: f.path, kernel: a, uapi: b });
    else if (a.size !== b.size || (g.bitWidth === undefined) !== (f.bitWidth === undefined))
      add({ kind: 'resized', member: f.path, kernel: a, uapi: b });
  }
  // an explicit pad where the UAPI struct has implicit padding (compat_cdrom_generic_command's pad[3]) holds nothing
  const inHole = (f: FlatField) => !uapi.some((x) => x.offset < f.offset + f.size && f.offset < x.offset + x.size);
  for (const f of kernel) {
    if (!u.has(f.path) && !covered(f) && !inHole(f)) add({ kind: 'extra', member: f.path, kernel: place(f) });
  }
  return out;
}

/** A difference in words: `capabilities: the UAPI's at 68 (2 bytes), the kernel's struct has none`. */
export function describeDifference(d: MemberDifference, compatName: string): string {
  const at = (p: { offset: number; size: number }) => `offset ${p.offset} size ${p.size}`;
  switch (d.kind) {
    case 'missing':
      return `${d.member}: ${compatName}'s at ${at(d.uapi!)}, not in the kernel's struct`;
    case 'extra':
      return `${d.member}: the kernel's at ${at(d.kernel!)}, not in the UAPI struct`;
    default:
      return `${d.member}: kernel ${at(d.kernel!)} vs ${compatName} ${at(d.uapi!)}`;
  }
}

/**
 * The findings: one per compat struct whose layout disagrees, at its definition. `hookOf` names the
 * ops structure and compat hook of the file that defines it (the ones the copy serves).
 */
export function compatStructFindings(
  structs: readonly CompatStruct[],
  hookOf: (file: string) => { ops: string; hook: string },
): AuditFinding[] {
  return structs
    .filter((s) => s.differences.length)
    .map((s) => {
      const lacks = s.differences.filter((d) => d.kind === 'missing').map((d) => d.member);
      const sizes =
        s.kernelLayout.size === s.compatLayout.size
          ? `both ${s.kernelLayout.size} bytes`
          : `${s.kernelLayout.size} bytes vs ${s.compatLayout.size}`;
      return {
        kind: 'compat-struct-differs' as const,
        level: 'error' as const,
        ioctl: s.ioctls.join(' ') || s.uapi,
        file: s.file,
        line: s.line,
        ...hookOf(s.file),
        message:
          `${s.kernel} is not ${s.uapi} (${s.header}) as ${article(s.abi)} ${s.abi} task lays it out: ` +
          s.differences.map((d) => `${d.member} ${d.kind}`).join(', ') +
          (lacks.length ? ` — the copy never fills ${lacks.join(', ')}` : ''),
        evidence: `${sizes}; ${s.differences.map((d) => describeDifference(d, s.abi)).join('; ')}`,
        fix:
          `make ${s.kernel} follow ${s.uapi} member by member (ioctl32 gen c ${s.header} writes the ` +
          `${s.abi} twin) and copy the members it lacked`,
      };
    });
}
