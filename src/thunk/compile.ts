/**
 * Compiled converters between a compat and a native layout of one argument type. The type
 * graph is walked once per converter and JavaScript is generated (no interpreter walks the graph
 * per call): member copies, integer widening with sign or zero extension, narrowing with
 * EOVERFLOW, compat_ptr()/ptr_to_compat(), loops for arrays, a switch for selected union members,
 * flexible arrays whose length is another member, and optional deep copies through a Memory.
 */
import type { Abi } from '../abi/types.js';
import { recordName, stripTypedefs as strip, type CType, type RecordDecl } from '../cfront/types.js';
import { isUnsigned } from '../cfront/constants.js';
import { enumUnderlying, Layouter } from '../layout/layout.js';
import type { MemberLayout, RecordLayout } from '../layout/types.js';
import type { Annotations, HandlerMembers, MemberAnnotation } from '../compat/annotations.js';
import { integerFiller, onlyPointersDiffer } from '../compat/compare.js';
import { choiceNames, unionChoiceErrors } from '../compat/members.js';
import { UNION_BYTES } from '../ioctl/catalogue.js';
import { efault, einval, eoverflow, ErrnoError } from './errors.js';

/** Guest memory as an emulator sees it (for deep copies of pointed-to buffers). */
export interface Memory {
  /** Bytes at a (side-specific) address; throw or return fewer bytes when unmapped. */
  read(addr: bigint, length: number): Uint8Array;
  write(addr: bigint, bytes: Uint8Array): void;
  /** A compat (guest) address as the native side sees it: the emulator's guest-to-host mapping. */
  translate?(compatAddr: bigint): bigint;
  /** The inverse, for native → compat. */
  untranslate?(nativeAddr: bigint): bigint;
  /** Room for `length` bytes on the other side (deep copies put converted buffers there). */
  alloc?(length: number): bigint;
}

export interface ConvertOptions {
  /** Follow pointers to known types and convert what they point at (needs `memory.alloc`). */
  deep?: boolean;
  memory?: Memory;
  /** At most this many bytes copied through pointers in one call (cycles and absurd graphs end here). */
  maxDeepBytes?: number;
  /** Shared by the nested conversions of one deep copy: addresses done, bytes so far. */
  deepState?: { bytes: number; seen: Map<bigint, bigint> };
}

export interface Converter {
  readonly nativeSize: number;
  readonly compatSize: number;
  /**
   * The argument `src` converted, in a new buffer. Bytes past the record are its flexible array's where an annotation
   * counts it, an EINVAL where nothing does (they would be dropped), and else not looked at.
   */
  compatToNative(src: Uint8Array, opts?: ConvertOptions): Uint8Array;
  /** The other way (see `compatToNative`). */
  nativeToCompat(src: Uint8Array, opts?: ConvertOptions): Uint8Array;
  /**
   * Converts the record at `src[srcOffset..]` into `dst[dstOffset..]` (not overlapping it) and returns the bytes
   * written: every byte of the output is written or zeroed, so a reused buffer ends as `compatToNative` would
   * return it. Give the same views again (of fixed length: they are measured once) and nothing is allocated per
   * call; a value that does not fit raises as `compatToNative` does, and leaves the output partly written.
   */
  compatToNativeInto(
    src: Uint8Array | DataView,
    dst: Uint8Array | DataView,
    srcOffset?: number,
    dstOffset?: number,
    opts?: ConvertOptions,
  ): number;
  /** The other way (see `compatToNativeInto`). */
  nativeToCompatInto(
    src: Uint8Array | DataView,
    dst: Uint8Array | DataView,
    srcOffset?: number,
    dstOffset?: number,
    opts?: ConvertOptions,
  ): number;
  /** The generated JavaScript, for the curious and for tests. */
  readonly source: { compatToNative: string; nativeToCompat: string };
}

export interface CompileOptions {
  /** Active union members by path: `{ 'ifr_ifru': 'ifru_flags' }`. */
  members?: Record<string, string>;
  /** Member names chosen wherever a union has one (anonymous unions have no path). */
  choose?: readonly string[];
  /**
   * The members the kernel's handler uses, by the union's path (an ioctl's IoctlEntry.members): taken where
   * `members` and `choose` name none.
   */
  handlerMembers?: Readonly<HandlerMembers>;
  annotations?: Annotations;
  /** The record's name (for annotations): `struct my_req`. */
  recordName?: string;
}

interface Side {
  abi: Abi;
  layouter: Layouter;
  le: boolean;
}

/**
 * The record a member belongs to: annotations are looked up by its name; a member that names
 * another (an array-pointer's count) is found from its offsets, and rewritten at its end.
 */
interface RecordContext {
  decl?: RecordDecl;
  toDecl?: RecordDecl;
  name?: string;
  fromBase?: string;
  toBase?: string;
  /** Its path from the argument ('' for the argument itself), and the record holding it. */
  at?: string;
  outer?: RecordContext;
  /** Code to run once the record's members are converted (lengths a deep copy rescales). */
  after?: string[];
}

/** Why a deep copy through a union of pointers to other types needs one named. */
const UNION_DEEP = "the union's members point at different types: choose one to copy through (members)";

/** A string literal of generated code (a message). */
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;

/** ` at 'path'` for a message about a member; nothing for the argument itself. */
const at = (path: string): string => (path ? ` at '${path}'` : '');

/** Generates one direction's function body. */
class Emitter {
  private lines: string[] = [];
  private tmp = 0;
  /** Values referenced by the generated code (sub-converters for deep copies). */
  readonly refs: unknown[] = [];
  /**
   * Which bytes of the destination's fixed part the code always writes whole: the rest (padding, a union's bytes
   * past its chosen member, bit-field storage) is zeroed first, so a reused destination ends as a fresh one.
   */
  private readonly covered: Uint8Array;
  /** Loop variables in scope and their trip counts (a covered offset names them). */
  private readonly loops = new Map<string, number>();
  /** Writes under a condition (a selector's cases) cover nothing by themselves. */
  private quiet = 0;
  /** Coverage unknown (a flexible array's count comes from the input): the caller zeroes the whole output. */
  dynamic = false;
  /** A byte copy not yet emitted: adjacent copies merge into one. */
  private pending: { fromOff: string; toOff: string; f: Offset | null; t: Offset | null; size: number } | null = null;

  constructor(
    readonly from: Side,
    readonly to: Side,
    readonly toNative: boolean,
    readonly opts: CompileOptions,
    toSize: number,
    /** The pre-optimisation code: BigInt for every non-trivial value, bytes copied one by one (tests compare). */
    readonly reference = false,
    /**
     * Code for input and output that start on 4-byte boundaries: 32-bit values in the host's byte order are
     * read and written through Int32Array views (`s32[S + k]`, S = s >>> 2), which V8 runs faster than DataView
     * calls on views it cannot treat as constants.
     */
    readonly words = false,
  ) {
    this.covered = new Uint8Array(toSize);
  }

  private v(): string {
    return `v${this.tmp++}`;
  }

  /**
   * The code `gen` emits, and what it would change undone: two members whose code is the same convert alike (a deep
   * copy's sub-converter aside: `deep` says it makes one). Null when it cannot be generated.
   */
  private trial(gen: () => void): { code: string; deep: boolean } | null {
    this.flush();
    const lines = this.lines.length;
    const tmp = this.tmp;
    const refs = this.refs.length;
    const covered = this.covered.slice();
    const loops = new Map(this.loops);
    const { dynamic, quiet } = this;
    let code: { code: string; deep: boolean } | null = null;
    try {
      gen();
      this.flush();
      // string literals are messages (the member's path): two members that convert alike may be named apart
      const text = this.lines
        .slice(lines)
        .join('\n')
        .replace(STRING_LITERAL, '""')
        .replace(/R\.deep\(\d+/g, 'R.deep(');
      code = { code: text, deep: this.refs.length !== refs };
    } catch (e) {
      if (!(e instanceof ErrnoError)) throw e;
    }
    this.lines.length = lines;
    this.tmp = tmp;
    this.refs.length = refs;
    this.covered.set(covered);
    this.loops.clear();
    for (const [k, n] of loops) this.loops.set(k, n);
    this.dynamic = dynamic;
    this.quiet = quiet;
    this.pending = null;
    return code;
  }

  emit(line: string): void {
    this.flush();
    this.lines.push(line);
  }

  code(): string {
    this.flush();
    return this.lines.join('\n');
  }

  /** Records that the code writes `size` whole bytes at `toOff` (every trip of the loops it names). */
  private cover(toOff: string, size: number): void {
    if (this.quiet > 0 || this.dynamic) return;
    const o = parseOffset(toOff);
    if (!o || o.terms.some(([v]) => !this.loops.has(v))) {
      this.dynamic = true;
      return;
    }
    let budget = 1 << 22;
    const walk = (k: number, base: number): void => {
      if (this.dynamic) return;
      if (k === o.terms.length) {
        if ((budget -= size) < 0) this.dynamic = true;
        else this.covered.fill(1, Math.min(base, this.covered.length), Math.min(base + size, this.covered.length));
        return;
      }
      const [v, stride] = o.terms[k]!;
      for (let i = 0; i < this.loops.get(v)!; i++) walk(k + 1, base + i * stride);
    };
    walk(0, o.c);
  }

  /**
   * A 32-bit access at `off` as an index of the word views (`S + 17 + v2`), or null (a DataView call): in words
   * mode, for an offset of whole words from the base, in the host's byte order (`le` null: bytes moved as they
   * are, which any order keeps).
   */
  private wordIndex(off: string, base: 'S' | 'D', le: boolean | null): string | null {
    if (!this.words || (le !== null && le !== HOST_LE)) return null;
    const o = parseOffset(off);
    if (!o || o.c % 4 !== 0 || o.terms.some(([, k]) => k % 4 !== 0)) return null;
    const terms = o.terms.map(([v, k]) => (k === 4 ? v : `${v} * ${k / 4}`));
    return [base, ...(o.c ? [String(o.c / 4)] : []), ...terms].join(' + ');
  }

  /** Reads 32 bits at `off` of the input (int32, or uint32 when `signed` is false). */
  private get32(off: string, signed: boolean, le: boolean | null): string {
    const i = this.wordIndex(off, 'S', le);
    if (i) return signed ? `s32[${i}]` : `(s32[${i}] >>> 0)`;
    return `sv.get${signed ? 'Int' : 'Uint'}32(${off}, ${le ?? true})`;
  }

  /** Writes 32 bits at `off` of the output (`v` an int32 or a uint32: the same bits either way). */
  private set32(off: string, v: string, le: boolean | null, call: 'Int' | 'Uint' = 'Uint'): string {
    const i = this.wordIndex(off, 'D', le);
    if (i) return `d32[${i}] = ${v}`;
    return `dv.set${call}32(${off}, ${v}, ${le ?? true})`;
  }

  /** Statements zeroing what the code does not write (run before it). */
  zeroing(): string[] {
    if (this.dynamic) return [];
    const out: string[] = [];
    const c = this.covered;
    for (let a = 0; a < c.length; a++) {
      if (c[a]) continue;
      let b = a;
      while (b < c.length && !c[b]) b++;
      if (b - a > 8) out.push(`dst.fill(0, d + ${a}, d + ${b});`);
      else {
        let k = a;
        for (; k + 4 <= b; k += 4) out.push(`${this.set32(`d + ${k}`, '0', null)};`);
        for (; k < b; k++) out.push(`dst[d + ${k}] = 0;`);
      }
      a = b;
    }
    return out;
  }

  /** Emits the pending copy: 32-bit words (no view allocated), a subarray only for long runs. */
  private flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const { fromOff: f, toOff: t, size } = p;
    const out = this.lines;
    if (size > 256) {
      out.push(`dst.set(src.subarray(${f}, ${f} + ${size}), ${t});`);
      return;
    }
    const words = size >> 2;
    const word = (from: string, to: string) => `${this.set32(to, this.get32(from, true, null), null, 'Int')};`;
    if (words > 8) {
      const k = this.v();
      // words mode counts words (offsets `k * 4`, which wordIndex reads); the DataView code counts bytes
      out.push(
        this.wordIndex(`${f} + ${k} * 4`, 'S', null) && this.wordIndex(`${t} + ${k} * 4`, 'D', null)
          ? `for (let ${k} = 0; ${k} < ${words}; ${k}++) ${word(`${f} + ${k} * 4`, `${t} + ${k} * 4`)}`
          : `for (let ${k} = 0; ${k} < ${words * 4}; ${k} += 4) ${word(`${f} + ${k}`, `${t} + ${k}`)}`,
      );
    } else for (let k = 0; k < words * 4; k += 4) out.push(word(`${f} + ${k}`, `${t} + ${k}`));
    let k = words * 4;
    if (size - k >= 2) {
      out.push(`dv.setUint16(${t} + ${k}, sv.getUint16(${f} + ${k}, true), true);`);
      k += 2;
    }
    if (k < size) out.push(`dst[${t} + ${k}] = src[${f} + ${k}];`);
  }

  /** `to[toOff..] = convert(from[fromOff..])` for a value of type (fromType, toType). */
  value(ft: CType, tt: CType, fromOff: string, toOff: string, path: string, record: RecordContext): void {
    const f = strip(ft);
    const t = strip(tt);
    const fl = this.from.layouter.typeLayout(ft);
    const tl = this.to.layouter.typeLayout(tt);
    const sameBytes = fl.size === tl.size && this.from.le === this.to.le;
    if (this.annotated(record, path)?.ann.kind === 'sigset') return this.sigset(fromOff, toOff, fl.size, tl.size, path);
    if (f.kind === 'int' || f.kind === 'enum') {
      if (t.kind !== 'int' && t.kind !== 'enum') throw einval(`member types differ between the ABIs${at(path)}`, path);
      if (sameBytes && !this.userPointer(record, path)) return this.copy(fromOff, toOff, fl.size);
      return this.integer(f, t, fl.size, tl.size, fromOff, toOff, path, record);
    }
    if (f.kind === 'pointer') {
      if (t.kind !== 'pointer') throw einval(`member types differ between the ABIs${at(path)}`, path);
      return this.pointer(f, t, fl.size, tl.size, fromOff, toOff, path, record);
    }
    if (f.kind === 'float') {
      if (sameBytes) return this.copy(fromOff, toOff, fl.size);
      if (fl.size === tl.size) {
        this.cover(toOff, fl.size);
        return this.emit(
          `for (let i = 0; i < ${fl.size}; i++) dst[${toOff} + i] = src[${fromOff} + ${fl.size - 1} - i];`,
        );
      }
      // x87 extended precision: 10 significant bytes, padded to 12 (i386) or 16 (x86_64)
      if (
        f.name === 'long double' &&
        this.from.le &&
        this.to.le &&
        Math.min(fl.size, tl.size) >= 10 &&
        this.from.abi.kernelArch === 'x86'
      )
        return this.copy(fromOff, toOff, 10);
      throw einval(`${f.name} has no common format on ${this.from.abi.name} and ${this.to.abi.name}`, path);
    }
    if (f.kind === 'array') {
      // a flexible array against a sized one (or none): no common shape
      if (t.kind !== 'array' || (f.length !== t.length && (f.length === null || t.length === null)))
        throw einval(
          `array lengths differ between the ABIs${at(path)}: ${f.length ?? '[]'} against ` +
            `${t.kind === 'array' ? (t.length ?? '[]') : 'no array'}`,
          path,
        );
      const fe = this.from.layouter.typeLayout(f.of).size;
      const te = this.to.layouter.typeLayout(t.of).size;
      // lengths that follow the ABI (asound.h's pad1[sizeof(time_t) - sizeof(int)]): the elements both have are
      // converted, the target's others zeroed; the source's others must be zero (EOVERFLOW), as a narrowed integer
      const n = Math.min(f.length ?? 0, t.length ?? 0);
      if (f.length! > n) {
        const [a, b] = [`${fromOff} + ${n * fe}`, `${fromOff} + ${f.length! * fe}`];
        const what = `an array of ${t.length} on ${this.to.abi.name} (${f.length} on ${this.from.abi.name})`;
        this.emit(
          `for (let k = ${a}; k < ${b}; k++) if (src[k] !== 0) ` +
            `throw R.overflow(${JSON.stringify(path)} + '[' + Math.floor((k - (${fromOff})) / ${fe}) + ']', ` +
            `BigInt(src[k]), ${JSON.stringify(what)});`,
        );
      }
      if (n === 0) return;
      if (this.bytewiseEqual(f.of, t.of, path)) return this.copy(fromOff, toOff, fe * n);
      // one element is converted as itself: void *reserved[1] converts as a void * would (a union's members alike)
      if (n === 1) return this.value(f.of, t.of, fromOff, toOff, `${path}[]`, {});
      const i = this.v();
      this.emit(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
      this.loops.set(i, n);
      this.value(f.of, t.of, `${fromOff} + ${i} * ${fe}`, `${toOff} + ${i} * ${te}`, `${path}[]`, {});
      this.loops.delete(i);
      this.emit('}');
      return;
    }
    if (f.kind === 'record') {
      if (t.kind !== 'record') throw einval(`member types differ between the ABIs${at(path)}`, path);
      return f.decl.union
        ? this.union(f.decl, t.decl, fromOff, toOff, path, record)
        : this.struct(f.decl, t.decl, fromOff, toOff, path, record);
    }
    throw einval(`cannot convert a ${f.kind}`, path);
  }

  private copy(fromOff: string, toOff: string, size: number): void {
    if (size === 0) return;
    this.cover(toOff, size);
    if (this.reference) {
      if (size <= 8) for (let k = 0; k < size; k++) this.emit(`dst[${toOff} + ${k}] = src[${fromOff} + ${k}];`);
      else this.emit(`dst.set(src.subarray(${fromOff}, ${fromOff} + ${size}), ${toOff});`);
      return;
    }
    const f = parseOffset(fromOff);
    const t = parseOffset(toOff);
    const p = this.pending;
    if (
      p?.f &&
      p.t &&
      f &&
      t &&
      sameTerms(p.f, f) &&
      sameTerms(p.t, t) &&
      f.c === p.f.c + p.size &&
      t.c === p.t.c + p.size
    ) {
      p.size += size;
      return;
    }
    this.flush();
    this.pending = { fromOff, toOff, f, t, size };
  }

  /**
   * Whether a value converts by copying its bytes (same layout, no pointer or long inside). `tailPadding`: a record's
   * size may differ (its members may not), for a union member inside a union of one size.
   */
  bytewiseEqual(ft: CType, tt: CType, path: string, tailPadding = false): boolean {
    const f = strip(ft);
    const t = strip(tt);
    const fl = this.from.layouter.typeLayout(ft);
    const tl = this.to.layouter.typeLayout(tt);
    if (this.from.le !== this.to.le) return false;
    if (fl.size !== tl.size && !(tailPadding && f.kind === 'record' && t.kind === 'record' && !f.decl.union))
      return false;
    if (f.kind === 'int' || f.kind === 'enum' || f.kind === 'float') return true;
    if (f.kind === 'pointer')
      return (
        this.from.abi.sizes.pointer === this.to.abi.sizes.pointer &&
        this.from.abi.compatPtrMask === this.to.abi.compatPtrMask
      );
    if (f.kind === 'array' && t.kind === 'array') return f.length === t.length && this.bytewiseEqual(f.of, t.of, path);
    if (f.kind === 'record' && t.kind === 'record') {
      // an annotated record's members are converted as annotated wherever it is (an array's elements too)
      const name = recordName(f.decl);
      if (name !== undefined && this.opts.annotations?.records.get(name)?.size) return false;
      const a = this.from.layouter.layout(f.decl);
      const b = this.to.layouter.layout(t.decl);
      if (a.members.length !== b.members.length) return false;
      return a.members.every((m, i) => {
        const o = b.members[i]!;
        return (
          m.bitOffset === o.bitOffset && m.bits === o.bits && this.bytewiseEqual(m.member.type, o.member.type, path)
        );
      });
    }
    return false;
  }

  private userPointer(record: RecordContext, path: string): boolean {
    return this.annotated(record, path)?.ann.kind === 'user-pointer';
  }

  private integer(
    f: CType & { kind: 'int' | 'enum' },
    t: CType & { kind: 'int' | 'enum' },
    fs: number,
    ts: number,
    fromOff: string,
    toOff: string,
    path: string,
    record: { name?: string },
  ): void {
    const fName = f.kind === 'int' ? f.name : enumUnderlying(f.decl, this.from.abi);
    const tName = t.kind === 'int' ? t.name : enumUnderlying(t.decl, this.to.abi);
    const signed = !isUnsigned(fName, this.from.abi);
    const toSigned = !isUnsigned(tName, this.to.abi);
    this.cover(toOff, ts);
    if (
      !this.reference &&
      !this.userPointer(record, path) &&
      this.fastInteger(fs, ts, signed, toSigned, fromOff, toOff, path, tName)
    )
      return;
    const x = this.v();
    this.emit(`const ${x} = R.read(sv, ${fromOff}, ${fs}, ${signed}, ${this.from.le});`);
    if (this.userPointer(record, path) && !this.toNative) {
      this.emit(`if (${x} > 0xffffffffn) throw R.overflow(${JSON.stringify(path)}, ${x}, 'a 32-bit user pointer');`);
    }
    if (ts < fs || signed !== toSigned) {
      const bits = BigInt(ts * 8);
      const [lo, hi] = toSigned ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
      this.emit(
        `if (${x} < ${lo}n || ${x} > ${hi}n) ` +
          `throw R.overflow(${JSON.stringify(path)}, ${x}, '${tName} on ${this.to.abi.name}');`,
      );
    }
    this.emit(`R.write(dv, ${toOff}, ${ts}, ${x}, ${this.to.le});`);
  }

  /**
   * Integers of 1, 2, 4 and 8 bytes without BigInt: 32-bit halves, sign or zero extended when
   * widening, both halves checked when narrowing. False where the generic path is needed.
   */
  private fastInteger(
    fs: number,
    ts: number,
    signed: boolean,
    toSigned: boolean,
    fromOff: string,
    toOff: string,
    path: string,
    tName: string,
  ): boolean {
    const get = (n: number, s: boolean, off: string, le: boolean) =>
      n === 1
        ? `sv.get${s ? 'Int8' : 'Uint8'}(${off})`
        : n === 4
          ? this.get32(off, s, le)
          : `sv.get${s ? 'Int' : 'Uint'}${n * 8}(${off}, ${le})`;
    const set = (n: number, off: string, v: string, le: boolean) =>
      n === 1
        ? `dv.setUint8(${off}, ${v})`
        : n === 4
          ? this.set32(off, v, le)
          : `dv.setUint${n * 8}(${off}, ${v}, ${le})`;
    const fle = this.from.le;
    const tle = this.to.le;
    const overBig = (v: string) => `throw R.overflow(${JSON.stringify(path)}, ${v}, '${tName} on ${this.to.abi.name}')`;
    const over = (v: string) => overBig(`BigInt(${v})`);
    const x = this.v();
    if (fs <= 4 && ts <= 4) {
      this.emit(`const ${x} = ${get(fs, signed, fromOff, fle)};`);
      if (ts < fs || signed !== toSigned) {
        const bits = ts * 8;
        const [lo, hi] = toSigned ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
        this.emit(`if (${x} < ${lo} || ${x} > ${hi}) ${over(x)};`);
      }
      this.emit(`${set(ts, toOff, x, tle)};`);
      return true;
    }
    if (fs <= 4 && ts === 8) {
      // widen: the high half is the sign (or zero); a negative value has no unsigned 64-bit form. The halves are
      // written as int32 (the same bits; a uint32 above 2^31 would be a heap double in V8)
      this.emit(`const ${x} = ${get(fs, signed || fs === 4, fromOff, fle)};`);
      if (signed && !toSigned) this.emit(`if (${x} < 0) ${over(x)};`);
      const high = signed ? `${x} >> 31` : '0';
      const set32 = (off: string, v: string) => this.set32(off, v, tle, 'Int');
      this.emit(`${set32(`${toOff} + ${tle ? 0 : 4}`, x)}; ${set32(`${toOff} + ${tle ? 4 : 0}`, high)};`);
      return true;
    }
    if (fs === 8 && ts === 8) {
      // another byte order, or another signedness: the halves move, the high one says whether it fits
      const lo = this.v();
      const hi = this.v();
      this.emit(
        `const ${lo} = ${this.get32(`${fromOff} + ${fle ? 0 : 4}`, false, fle)}; ` +
          `const ${hi} = ${this.get32(`${fromOff} + ${fle ? 4 : 0}`, signed, fle)};`,
      );
      const exact = `(BigInt(${hi}) << 32n) | BigInt(${lo})`;
      if (signed && !toSigned) this.emit(`if (${hi} < 0) ${overBig(exact)};`);
      if (!signed && toSigned) this.emit(`if (${hi} > 0x7fffffff) ${overBig(exact)};`);
      this.emit(
        `${set(4, `${toOff} + ${tle ? 0 : 4}`, lo, tle)}; ${set(4, `${toOff} + ${tle ? 4 : 0}`, `${hi} >>> 0`, tle)};`,
      );
      return true;
    }
    if (fs === 8 && ts <= 4) {
      const lo = this.v();
      const hi = this.v();
      this.emit(
        `const ${lo} = ${this.get32(`${fromOff} + ${fle ? 0 : 4}`, false, fle)}; ` +
          `const ${hi} = ${this.get32(`${fromOff} + ${fle ? 4 : 0}`, true, fle)};`,
      );
      // fits when the high half only repeats the sign (signed target) or is zero (unsigned); the value
      // a message names is exact (a double rounds above 2^53): BigInt, on the throwing path only
      const bits = ts * 8;
      const value = `(${hi} * 4294967296 + ${lo})`;
      const exact = `(BigInt(${signed ? hi : `${hi} >>> 0`}) << 32n) + BigInt(${lo})`;
      if (toSigned) {
        const [mn, mx] = [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
        this.emit(
          `if (${signed ? `${value} < ${mn} || ${value} > ${mx}` : `${hi} !== 0 || ${lo} > ${mx}`}) ` +
            `${overBig(exact)};`,
        );
      } else {
        const mx = 2 ** bits - 1;
        this.emit(`if (${hi} !== 0 || ${lo} > ${mx}) ${overBig(exact)};`);
      }
      this.emit(`${set(ts, toOff, `${lo}`, tle)};`);
      return true;
    }
    return false;
  }

  private pointer(
    f: CType & { kind: 'pointer' },
    t: CType & { kind: 'pointer' },
    fs: number,
    ts: number,
    fromOff: string,
    toOff: string,
    path: string,
    record: RecordContext,
  ): void {
    this.cover(toOff, ts);
    const sizes = [4, 8];
    if (this.reference || !sizes.includes(fs) || !sizes.includes(ts)) {
      this.pointerGeneric(f, t, fs, ts, fromOff, toOff, path, record);
      return;
    }
    // without a Memory to translate through or copy into, a pointer is a 32/64-bit number in two halves:
    // compat_ptr() on the way in keeps the low half under the compat mask (s390 clears bit 31); on the way out
    // the value is kept as is and must fit
    const [fle, tle] = [this.from.le, this.to.le];
    const lo = this.v();
    const hi = this.v();
    let code = `if (!mem && !deep) { let ${lo} = ${this.get32(`${fromOff} + ${fle || fs === 4 ? 0 : 4}`, false, fle)}; `;
    code += `let ${hi} = ${fs === 8 ? this.get32(`${fromOff} + ${fle ? 4 : 0}`, false, fle) : '0'}; `;
    if (this.toNative) code += `${lo} = ${lo} & ${this.from.abi.compatPtrMask}; ${hi} = 0; `;
    else if (ts < fs)
      code +=
        `if (${hi} !== 0) throw R.overflow(${JSON.stringify(path)}, (BigInt(${hi}) << 32n) | BigInt(${lo}), ` +
        `'a 32-bit pointer on ${this.to.abi.name}'); `;
    // setInt32 takes the int32 the mask leaves (the same bits as the uint32)
    code += `${this.set32(`${toOff} + ${tle || ts === 4 ? 0 : 4}`, lo, tle, this.toNative ? 'Int' : 'Uint')}; `;
    if (ts === 8) code += `${this.set32(`${toOff} + ${tle ? 4 : 0}`, hi, tle)}; `;
    this.emit(code + '} else {');
    this.pointerGeneric(f, t, fs, ts, fromOff, toOff, path, record);
    this.emit('}');
  }

  private pointerGeneric(
    f: CType & { kind: 'pointer' },
    t: CType & { kind: 'pointer' },
    fs: number,
    ts: number,
    fromOff: string,
    toOff: string,
    path: string,
    record: RecordContext,
  ): void {
    const x = this.v();
    this.emit(`let ${x} = R.read(sv, ${fromOff}, ${fs}, false, ${this.from.le});`);
    // compat_ptr(): s390 clears bit 31 of a 31-bit task's pointer
    const mask = this.toNative ? this.from.abi.compatPtrMask : this.to.abi.compatPtrMask;
    if (this.toNative) this.emit(`${x} = ${x} & ${mask}n; if (mem && mem.translate) ${x} = mem.translate(${x});`);
    else this.emit(`if (mem && mem.untranslate) ${x} = mem.untranslate(${x});`);
    const pointee = strip(f.to);
    const found = this.annotated(record, path);
    if (found?.ann.kind === 'array-pointer') this.arrayPointee(f, t, x, found.ann, path, found.ctx);
    else if (
      pointee.kind === 'record' ||
      pointee.kind === 'int' ||
      pointee.kind === 'float' ||
      pointee.kind === 'array'
    ) {
      // deep copy of a pointee whose size both sides know
      const id = this.refs.length;
      this.refs.push({ from: f.to, to: t.to, path });
      this.emit(`if (deep && ${x} !== 0n) ${x} = R.deep(${id}, ${x}, ${JSON.stringify(path)});`);
    }
    if (ts < fs)
      this.emit(
        `if (${x} > ${(1n << BigInt(ts * 8)) - 1n}n) ` +
          `throw R.overflow(${JSON.stringify(path)}, ${x}, 'a ${ts * 8}-bit pointer on ${this.to.abi.name}');`,
      );
    this.emit(`R.write(dv, ${toOff}, ${ts}, ${x}, ${this.to.le});`);
  }

  /**
   * A deep copy of the array a pointer points at, its length read from another member; a
   * length in bytes is rewritten for the other side's elements once the record is done.
   */
  private arrayPointee(
    f: CType & { kind: 'pointer' },
    t: CType & { kind: 'pointer' },
    x: string,
    ann: MemberAnnotation & { kind: 'array-pointer' },
    path: string,
    record: RecordContext,
  ): void {
    if (!record.decl || !record.toDecl || record.fromBase === undefined || record.toBase === undefined)
      throw einval('an array-pointer annotation needs the record that holds the count', path);
    const count = this.memberOffset(record.decl, this.from.layouter, ann.count);
    const toCount = this.memberOffset(record.toDecl, this.to.layouter, ann.count);
    // void * points at bytes
    const isVoid = strip(f.to).kind === 'void';
    const fe = isVoid ? 1 : this.from.layouter.typeLayout(f.to).size;
    const te = isVoid ? 1 : this.to.layouter.typeLayout(t.to).size;
    const same = isVoid || this.bytewiseEqual(f.to, t.to, path);
    const id = this.refs.length;
    this.refs.push({ from: f.to, to: t.to, path, array: { fe, te, same } });
    const per = ann.unit === 'bytes' ? fe : 1;
    const n = this.v();
    const ct = strip(count.type);
    const signed = ct.kind === 'int' && !isUnsigned(ct.name, this.from.abi);
    const readCount =
      `R.count(sv, ${record.fromBase} + ${count.offset}, ${count.size}, ${signed}, ${this.from.le}, ${per}, ` +
      `${JSON.stringify(ann.count)})`;
    this.emit(
      `if (deep) { const ${n} = ${readCount}; ` +
        `if (${x} !== 0n && ${n} > 0) ${x} = R.deepArray(${id}, ${x}, ${n}, ${JSON.stringify(path)}); }`,
    );
    if (ann.unit === 'bytes' && fe !== te) {
      (record.after ??= []).push(
        `if (deep) R.write(dv, ${record.toBase} + ${toCount.offset}, ${toCount.size}, ` +
          `BigInt(${readCount} * ${te}), ${this.to.le});`,
      );
    }
  }

  /**
   * A struct's members on both ABIs side by side: in order where both have as many (the same names, or other names
   * for the same places: renamed padding); else by name where every member has one (asm/mtrr.h's struct
   * mtrr_gentry: regnum first for i386, base first and a _pad more for x86_64, as arch/x86/kernel/cpu/mtrr/if.c
   * converts mtrr_gentry32 by name). Unnamed bit-fields are padding on either side.
   */
  private memberPairs(a: RecordLayout, b: RecordLayout, path: string): Array<{ m?: MemberLayout; o?: MemberLayout }> {
    const padding = (x: MemberLayout) => x.member.bitWidth !== undefined && x.member.name === undefined;
    const [as, bs] = [a.members.filter((x) => !padding(x)), b.members.filter((x) => !padding(x))];
    const names = (l: MemberLayout[]) => l.map((x) => x.member.name);
    const [an, bn] = [names(as), names(bs)];
    const inOrder = as.length === bs.length && an.every((n, i) => n === bn[i]);
    const sameNames = an.length === bn.length && an.every((n) => bn.includes(n)) && bn.every((n) => an.includes(n));
    if (a.members.length === b.members.length && (inOrder || !sameNames))
      return a.members.map((m, i) => ({ m, o: b.members[i]! }));
    if (![...an, ...bn].every((n) => n !== undefined))
      throw einval('the record has other members on the two ABIs', path || undefined);
    const theirs = new Map(bs.map((o) => [o.member.name!, o]));
    const pairs: Array<{ m?: MemberLayout; o?: MemberLayout }> = as.map((m) => ({ m, o: theirs.get(m.member.name!) }));
    for (const o of bs) if (!an.includes(o.member.name)) pairs.push({ o });
    return pairs;
  }

  private struct(
    fd: RecordDecl,
    td: RecordDecl,
    fromOff: string,
    toOff: string,
    path: string,
    outer: RecordContext,
  ): void {
    const a = this.from.layouter.layout(fd);
    const b = this.to.layouter.layout(td);
    const name = recordName(fd) ?? (path === '' ? outer.name : undefined);
    const record: RecordContext = {
      decl: fd,
      toDecl: td,
      fromBase: fromOff,
      toBase: toOff,
      at: path,
      ...(name ? { name } : {}),
      ...(path !== '' && outer.decl ? { outer } : {}),
    };
    this.memberPairs(a, b, path).forEach(({ m, o }) => {
      // the target's own member: left zero
      if (!m) return;
      const mpath = m.member.name === undefined ? path : path ? `${path}.${m.member.name}` : m.member.name;
      if (!o) {
        if (m.member.bitWidth !== undefined) return;
        // the source's own member: its value has nowhere to go, so it must be zero (as an array's extra elements)
        const what = `${this.to.abi.name}'s ${recordName(td) ?? 'record'}, which has no such member`;
        this.emit(
          `for (let k = ${fromOff} + ${m.offset}; k < ${fromOff} + ${m.offset + m.size}; k++) if (src[k] !== 0) ` +
            `throw R.overflow(${JSON.stringify(mpath)}, BigInt(src[k]), ${JSON.stringify(what)});`,
        );
        return;
      }
      if (m.member.bitWidth !== undefined) {
        if (m.member.name === undefined || m.member.bitWidth === 0) return; // padding
        const signed = !isUnsigned(
          strip(m.member.type).kind === 'int'
            ? (strip(m.member.type) as { name: import('../cfront/types.js').IntName }).name
            : 'int',
          this.from.abi,
        );
        this.bits(fromOff, toOff, m, o, signed);
        return;
      }
      const flexible = m.member.type.kind === 'array' && m.member.type.length === null;
      if (flexible)
        return this.flexible(
          m.member.type,
          o.member.type,
          `${fromOff} + ${m.offset}`,
          `${toOff} + ${o.offset}`,
          mpath,
          record,
        );
      this.value(m.member.type, o.member.type, `${fromOff} + ${m.offset}`, `${toOff} + ${o.offset}`, mpath, record);
    });
    for (const line of record.after ?? []) this.emit(line);
  }

  /**
   * A bit-field: its bits move one by one (the storage's other bits are another member's). Of equal widths up to
   * 32 the value is a number: only the low `bits` bits are written, so the sign of the read does not matter.
   */
  private bits(
    fromOff: string,
    toOff: string,
    m: { bitOffset: number; bits: number },
    o: { bitOffset: number; bits: number },
    signed: boolean,
  ): void {
    const x = this.v();
    const [fle, tle] = [this.from.le, this.to.le];
    if (!this.reference && m.bits === o.bits && m.bits <= 32) {
      this.emit(`const ${x} = R.getBits32(src, ${fromOff}, ${m.bitOffset}, ${m.bits}, ${fle});`);
      this.emit(`R.setBits32(dst, ${toOff}, ${o.bitOffset}, ${o.bits}, ${tle}, ${x});`);
      return;
    }
    this.emit(`const ${x} = R.getBits(src, ${fromOff}, ${m.bitOffset}, ${m.bits}, ${fle}, ${signed});`);
    this.emit(`R.setBits(dst, ${toOff}, ${o.bitOffset}, ${o.bits}, ${tle}, ${x});`);
  }

  /**
   * A signal mask of `size` bytes: the bytes as they are, but on a big-endian 64-bit kernel compat_sigset_t's 32-bit
   * words swap within each 64-bit word (get_compat_sigset and put_compat_sigset, include/linux/compat.h).
   */
  private sigset(fromOff: string, toOff: string, fs: number, ts: number, path: string): void {
    if (fs !== ts || fs % 8 !== 0)
      throw einval(`a signal mask of ${fs} bytes on one ABI and ${ts} on the other${at(path)}`, path);
    this.copy(fromOff, toOff, fs);
    if (this.swapsSigset()) this.emit(`R.swapWords(dst, ${toOff}, ${fs});`);
  }

  /** compat_sigset_t's words are ordered otherwise than the native mask's: a big-endian kernel of 64-bit longs. */
  private swapsSigset(): boolean {
    const [native, compat] = this.toNative ? [this.to, this.from] : [this.from, this.to];
    return !native.le && native.abi.sizes.long === 8 && compat.abi.sizes.long === 4;
  }

  /**
   * The annotation of the member at `path` and the record it is the annotation of (its selector's and count's paths
   * are from that record): a record's annotations hold wherever it is, the argument or a member of another (struct
   * v4l2_format's `fmt` in struct v4l2_create_buffers' `format`), and an outer record's, by a path into it, first.
   */
  private annotated(record: RecordContext, path: string): { ann: MemberAnnotation; ctx: RecordContext } | undefined {
    const records = this.opts.annotations?.records;
    if (!records) return undefined;
    const chain: RecordContext[] = [];
    for (let r: RecordContext | undefined = record; r; r = r.outer) chain.unshift(r);
    for (const ctx of chain) {
      const at = ctx.at ?? '';
      const rel = at === '' ? path : path.startsWith(`${at}.`) ? path.slice(at.length + 1) : null;
      const name = ctx.name ?? (at === '' ? this.opts.recordName : undefined);
      const ann = rel !== null && name !== undefined ? records.get(name)?.get(rel) : undefined;
      if (ann) return { ann, ctx };
    }
    return undefined;
  }

  private flexible(ft: CType, tt: CType, fromOff: string, toOff: string, path: string, record: RecordContext): void {
    const found = this.annotated(record, path);
    const ann = found?.ann;
    if (!countedFlexible(ann) || !found?.ctx.decl || found.ctx.fromBase === undefined) return; // no length known
    const f = strip(ft) as CType & { kind: 'array' };
    const t = strip(tt) as CType & { kind: 'array' };
    const count = this.memberOffset(found.ctx.decl, this.from.layouter, ann.count);
    const recFrom = found.ctx.fromBase;
    const fe = this.from.layouter.typeLayout(f.of).size;
    const te = this.to.layouter.typeLayout(t.of).size;
    const n = this.v();
    this.emit(`const ${n} = Number(R.read(sv, ${recFrom} + ${count.offset}, ${count.size}, false, ${this.from.le}));`);
    this.emit(`R.flex(${n}, ${fromOff}, ${fe}, ${toOff}, ${te}, ${JSON.stringify(path)});`);
    if (ann.kind === 'sigset') {
      // `count` bytes of a mask (an array of bytes: annotations.ts checks it), whole 64-bit words of it
      this.emit(`if (${n} % 8 !== 0) throw R.einval(${JSON.stringify(path)}, 'a signal mask of ' + ${n} + ' bytes');`);
      this.emit(`dst.set(src.subarray(${fromOff}, ${fromOff} + ${n}), ${toOff});`);
      if (this.swapsSigset()) this.emit(`R.swapWords(dst, ${toOff}, ${n});`);
      return;
    }
    const i = this.v();
    this.emit(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
    this.value(f.of, t.of, `${fromOff} + ${i} * ${fe}`, `${toOff} + ${i} * ${te}`, `${path}[]`, {});
    this.emit('}');
  }

  /** Offset, size and type of a (possibly nested, dotted) member of a record. */
  memberOffset(decl: RecordDecl, layouter: Layouter, path: string): { offset: number; size: number; type: CType } {
    let offset = 0;
    let cur: RecordDecl = decl;
    const parts = path.split('.');
    for (let p = 0; p < parts.length; p++) {
      const found = findMember(cur, layouter, parts[p]!);
      if (!found) throw einval(`no member '${path}'`, path);
      offset += found.offset;
      if (p === parts.length - 1) return { offset, size: layouter.typeLayout(found.type).size, type: found.type };
      const next = strip(found.type);
      if (next.kind !== 'record') throw einval(`'${parts[p]}' is not a record`, path);
      cur = next.decl;
    }
    throw einval(`no member '${path}'`, path);
  }

  private union(
    fd: RecordDecl,
    td: RecordDecl,
    fromOff: string,
    toOff: string,
    path: string,
    record: RecordContext,
  ): void {
    const a = this.from.layouter.layout(fd);
    const b = this.to.layouter.layout(td);
    const members = a.members
      .map((m, i) => ({ m, o: b.members[i]! }))
      .filter((x) => x.m.member.bitWidth === undefined || x.m.member.name !== undefined);
    // own entries only: a union member path may be named `toString`
    // the handler's choice may name the argument itself ("": DRM_IOCTL_WAIT_VBLANK's union drm_wait_vblank)
    // a handler's null names no member: the union's annotation (its selector) decides
    const named = (table: Readonly<HandlerMembers> | undefined) =>
      ((path || table === this.opts.handlerMembers) && table && Object.hasOwn(table, path) ? table[path] : undefined) ??
      undefined;
    const chosen =
      named(this.opts.members) ??
      members.flatMap((x) => choiceNames(x.m.member)).find((n) => this.opts.choose?.includes(n)) ??
      named(this.opts.handlerMembers);
    const convertOne = (x: (typeof members)[number]) => {
      const mpath = x.m.member.name === undefined ? path : path ? `${path}.${x.m.member.name}` : x.m.member.name;
      if (x.m.member.bitWidth !== undefined) {
        this.bits(fromOff, toOff, x.m, x.o, false);
        return;
      }
      this.value(x.m.member.type, x.o.member.type, fromOff, toOff, mpath, record);
    };
    // the union's bytes as the other side laid them (get_user_ifreq's copy of struct compat_ifreq): what both hold
    if (chosen === UNION_BYTES) return this.copy(fromOff, toOff, Math.min(a.size, b.size));
    if (chosen !== undefined) {
      // a member's name, or one of an anonymous struct's in it (ss_family of struct __kernel_sockaddr_storage)
      const x = members.find((y) => choiceNames(y.m.member).includes(chosen));
      if (!x) throw einval(`union has no member '${chosen}'`, path);
      return convertOne(x);
    }
    const found = this.annotated(record, path);
    const ann = found?.ann;
    if (found && ann?.kind === 'union' && found.ctx.decl) {
      const decl = found.ctx.decl;
      const recordBase = found.ctx.fromBase ?? fromOff.replace(/ \+ \d+$/, '');
      const le = this.from.le;
      /** The selector's value, read once: a number up to 32 bits (a case it cannot hold never matches). */
      const selector = (name: string) => {
        const sel = this.memberOffset(decl, this.from.layouter, name);
        const s = this.v();
        const small = !this.reference && sel.size <= 4 && sel.size !== 3;
        const at = `${recordBase} + ${sel.offset}`;
        const read = !small
          ? `R.read(sv, ${at}, ${sel.size}, false, ${le})`
          : sel.size === 1
            ? `sv.getUint8(${at})`
            : `sv.getUint${sel.size * 8}(${at}, ${le})`;
        this.emit(`const ${s} = ${read};`);
        return { s, small, bits: BigInt(sel.size * 8) };
      };
      /** One case per value of `cases` its selector can hold, each converting its member. */
      const cases = (table: Record<string, string>, sel: ReturnType<typeof selector>) => {
        for (const [value, name] of Object.entries(table)) {
          const x = members.find((y) => y.m.member.name === name);
          if (!x) throw einval(`union has no member '${name}'`, path);
          const v = BigInt(value);
          if (sel.small && (v < 0n || v >= 1n << sel.bits)) continue;
          this.emit(sel.small ? `case ${v}: {` : `case ${v}n: {`);
          convertOne(x);
          this.emit('break; }');
        }
      };
      // which member is written depends on the input: the union's bytes are zeroed first
      if (!this.reference) this.emit(`dst.fill(0, ${toOff}, ${toOff} + ${b.size});`);
      // a selector asked first (struct v4l2_buffer's multiplanar `type`): its cases, else the other's switch
      if (ann.first) {
        const first = selector(ann.first.selector);
        this.emit(`switch (${first.s}) {`);
        this.quiet++;
        cases(ann.first.cases, first);
        this.quiet--;
        this.emit('default: {');
      }
      const sel = selector(ann.selector);
      this.emit(`switch (${sel.s}) {`);
      this.quiet++;
      cases(ann.cases, sel);
      // other values: the default member, none ("": the union's bytes stay zero), else EINVAL
      const other = ann.default ? members.find((y) => y.m.member.name === ann.default) : undefined;
      if (ann.default && !other) throw einval(`union has no member '${ann.default}'`, path);
      if (other) {
        this.emit('default: {');
        convertOne(other);
        this.emit('break; }');
      }
      this.quiet--;
      if (ann.default === '') this.emit('default: break;');
      else if (!other)
        this.emit(
          `default: throw R.einval(${JSON.stringify(path)}, 'selector value ' + ${sel.s} + ' names no member of union ' + ${JSON.stringify(path || 'the argument')});`,
        );
      this.emit('}');
      if (ann.first) this.emit('} }');
      this.cover(toOff, b.size);
      return;
    }
    // no choice needed when every member converts by copying bytes, a record's tail padding aside (v4l2_event's ctrl:
    // 40 bytes natively, 36 for the task, in 64 either way; put_v4l2_event32 copies them): every member's data lies in
    // the smaller side's bytes, so those are copied and the rest is padding (btrfs_ioctl_dev_replace_args' start:
    // 2066 bytes of data, 2072 with its padding natively, 2068 for an i386 task)
    if (members.every((x) => this.bytewiseEqual(x.m.member.type, x.o.member.type, path, true)))
      return this.copy(fromOff, toOff, Math.min(a.size, b.size));
    if (members.length === 1) return convertOne(members[0]!);
    // one member whose only difference is pointers, and integers of the same bytes on both ABIs beside it that pad
    // it to one size (kvm_dirty_log's dirty_bitmap and __u64 padding2; btrfs_ioctl_vol_args_v2's qgroup_inherit and
    // unused[4]): the pointers are the values, as check's action has it (compat_ptr() on them)
    const differ = members.filter((x) => !this.bytewiseEqual(x.m.member.type, x.o.member.type, path));
    if (
      a.size === b.size &&
      differ.length === 1 &&
      members.every((x) => x === differ[0] || integerFiller(x.m.member.type)) &&
      onlyPointersDiffer(
        { type: differ[0]!.m.member.type, layouter: this.from.layouter },
        { type: differ[0]!.o.member.type, layouter: this.to.layouter },
      )
    )
      return convertOne(differ[0]!);
    // no choice needed when every member converts alike (struct ifconf's char * and struct ifreq *, one pointer
    // each), each under its own path (its annotations): the code of the first
    const trials = members.map((x) => this.trial(() => convertOne(x)));
    if (trials.length > 1 && trials.every((x) => x !== null && x.code === trials[0]!.code)) {
      // a deep copy would follow pointers to other types: that needs the member named
      if (trials.some((x) => x!.deep))
        this.emit(`if (deep) throw R.einval(${JSON.stringify(path)}, ${JSON.stringify(UNION_DEEP)});`);
      return convertOne(members[0]!);
    }
    const names = members.map((x) => x.m.member.name).filter((n) => n !== undefined);
    const how = path ? `--member ${path}=NAME` : `--member NAME (one of ${names.join(', ')})`;
    throw einval(`the union's members convert differently: choose one with ${how}`, path || names.join('|'));
  }
}

function findMember(decl: RecordDecl, layouter: Layouter, name: string): { type: CType; offset: number } | null {
  for (const p of layouter.layout(decl).members) {
    if (p.member.name === name) return { type: p.member.type, offset: p.offset };
    const t = strip(p.member.type);
    if (p.member.name === undefined && t.kind === 'record') {
      const inner = findMember(t.decl, layouter, name);
      if (inner) return { type: inner.type, offset: p.offset + inner.offset };
    }
  }
  return null;
}

/** An offset the emitter built: `d + 72 + v1 * 8 + 0` is 72 plus 8 per trip of loop v1. */
interface Offset {
  c: number;
  terms: Array<[string, number]>;
}

function parseOffset(text: string): Offset | null {
  const out: Offset = { c: 0, terms: [] };
  for (const part of text.split(' + ')) {
    if (/^\d+$/.test(part)) out.c += Number(part);
    else if (part !== 's' && part !== 'd') {
      const m = /^(v\d+) \* (\d+)$/.exec(part);
      if (!m) return null;
      out.terms.push([m[1]!, Number(m[2])]);
    }
  }
  return out;
}

function sameTerms(a: Offset, b: Offset): boolean {
  return (
    a.terms.length === b.terms.length && a.terms.every(([v, k], i) => b.terms[i]![0] === v && b.terms[i]![1] === k)
  );
}

/** The byte order of this machine's typed arrays (words mode reads values only in this order). */
const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Helpers the generated code calls (kept out of the hot loops' text). */
const RUNTIME = {
  /** Swaps the 32-bit halves of each 64-bit word of `bytes` bytes at `off` (a signal mask, big-endian). */
  swapWords(dst: Uint8Array, off: number, bytes: number): void {
    for (let w = off; w < off + bytes; w += 8)
      for (let k = 0; k < 4; k++) [dst[w + k], dst[w + 4 + k]] = [dst[w + 4 + k]!, dst[w + k]!];
  },
  /** An array-pointer's element count: its count member, in elements or bytes (`per` bytes each). */
  count(view: DataView, off: number, size: number, signed: boolean, le: boolean, per: number, path: string): number {
    const v = RUNTIME.read(view, off, size, signed, le);
    if (v < 0n) throw einval(`'${path}' holds a negative length (${v})`, path);
    // a tail shorter than one element is no element (dev_ifconf fills whole slots only)
    return Number(v / BigInt(per));
  },
  read(view: DataView, off: number, size: number, signed: boolean, le: boolean): bigint {
    switch (size) {
      case 1:
        return BigInt(signed ? view.getInt8(off) : view.getUint8(off));
      case 2:
        return BigInt(signed ? view.getInt16(off, le) : view.getUint16(off, le));
      case 4:
        return BigInt(signed ? view.getInt32(off, le) : view.getUint32(off, le));
      case 8:
        return signed ? view.getBigInt64(off, le) : view.getBigUint64(off, le);
      default: {
        const lo = view.getBigUint64(off + (le ? 0 : 8), le);
        const hi = view.getBigUint64(off + (le ? 8 : 0), le);
        const v = (hi << 64n) | lo;
        return signed ? BigInt.asIntN(128, v) : v;
      }
    }
  },
  write(view: DataView, off: number, size: number, v: bigint, le: boolean): void {
    switch (size) {
      case 1:
        return view.setUint8(off, Number(BigInt.asUintN(8, v)));
      case 2:
        return view.setUint16(off, Number(BigInt.asUintN(16, v)), le);
      case 4:
        return view.setUint32(off, Number(BigInt.asUintN(32, v)), le);
      case 8:
        return view.setBigUint64(off, BigInt.asUintN(64, v), le);
      default: {
        const u = BigInt.asUintN(128, v);
        view.setBigUint64(off + (le ? 0 : 8), BigInt.asUintN(64, u), le);
        view.setBigUint64(off + (le ? 8 : 0), u >> 64n, le);
      }
    }
  },
  /** A bitfield's value; allocation order is LSB-first on little-endian ABIs, MSB-first on big. */
  getBits(buf: Uint8Array, base: number, bitOffset: number, width: number, le: boolean, signed: boolean): bigint {
    let v = 0n;
    for (let k = 0; k < width; k++) {
      const bit = bitOffset + k;
      const byte = buf[base + (bit >> 3)]!;
      const set = le ? (byte >> (bit & 7)) & 1 : (byte >> (7 - (bit & 7))) & 1;
      // LE: the first allocated bit is the least significant; BE: the most significant
      if (set) v |= le ? 1n << BigInt(k) : 1n << BigInt(width - 1 - k);
    }
    return signed && width > 0 ? BigInt.asIntN(width, v) : v;
  },
  /** getBits of up to 32 bits as an unsigned number (no BigInt). */
  getBits32(buf: Uint8Array, base: number, bitOffset: number, width: number, le: boolean): number {
    let v = 0;
    for (let k = 0; k < width; k++) {
      const bit = bitOffset + k;
      const set = le ? (buf[base + (bit >> 3)]! >> (bit & 7)) & 1 : (buf[base + (bit >> 3)]! >> (7 - (bit & 7))) & 1;
      if (set) v |= le ? 1 << k : 1 << (width - 1 - k);
    }
    return v >>> 0;
  },
  setBits32(buf: Uint8Array, base: number, bitOffset: number, width: number, le: boolean, v: number): void {
    for (let k = 0; k < width; k++) {
      const bit = bitOffset + k;
      const set = le ? (v >>> k) & 1 : (v >>> (width - 1 - k)) & 1;
      const i = base + (bit >> 3);
      const mask = le ? 1 << (bit & 7) : 1 << (7 - (bit & 7));
      buf[i] = set ? buf[i]! | mask : buf[i]! & ~mask;
    }
  },
  setBits(buf: Uint8Array, base: number, bitOffset: number, width: number, le: boolean, value: bigint): void {
    const v = BigInt.asUintN(width, value);
    for (let k = 0; k < width; k++) {
      const bit = bitOffset + k;
      const set = le ? (v >> BigInt(k)) & 1n : (v >> BigInt(width - 1 - k)) & 1n;
      const i = base + (bit >> 3);
      const mask = le ? 1 << (bit & 7) : 1 << (7 - (bit & 7));
      buf[i] = set ? buf[i]! | mask : buf[i]! & ~mask;
    }
  },
  overflow(path: string, v: bigint, what: string): ErrnoError {
    return eoverflow(`${path ? `'${path}'` : 'the value'} = ${v} does not fit ${what}`, path);
  },
  einval(path: string, message: string): ErrnoError {
    return einval(message, path);
  },
};

/**
 * One direction's generated code. `src`, `sv` (and `dst`, `dv`) view the whole ArrayBuffer; `s` and `d` are where
 * the record starts in it, so a caller's buffers are viewed once, not once per call.
 */
type Fn = (
  src: Uint8Array,
  sv: DataView,
  s: number,
  dst: Uint8Array,
  dv: DataView,
  d: number,
  R: unknown,
  mem: Memory | undefined,
  deep: boolean,
) => void;

interface DirectionPlan {
  fn: Fn;
  source: string;
  /**
   * The code for a 4-byte aligned input and output (Emitter's words mode), zeroing included; absent where it
   * would be `source` (no 32-bit value in the host's order) or where the caller zeroes the output (dynamic).
   */
  wordSource?: string;
  /** Whether the caller zeroes the whole output first (the code does not know which bytes it writes). */
  dynamic: boolean;
  refs: Array<{ from: CType; to: CType; path: string; array?: { fe: number; te: number; same: boolean } }>;
}

/** Converter.compatToNativeInto's shape. */
type IntoFn = Converter['compatToNativeInto'];

/**
 * Whole-buffer views of the last view a caller gave, and where that view starts and ends: a caller that gives the
 * same view again allocates nothing and reads none of its getters (`.buffer` alone costs more than a small record).
 */
class Views {
  private view: Uint8Array | DataView | undefined;
  private buffer: ArrayBufferLike | undefined;
  u8: Uint8Array = new Uint8Array(0);
  dv: DataView = new DataView(this.u8.buffer);
  offset = 0;
  length = 0;
  /**
   * The buffer's whole 32-bit words (words mode), made on first use: an allocating call never needs it. Made again
   * when the buffer's length changed (a resizable ArrayBuffer: u8 follows its length, a word view has a fixed one).
   */
  private i32: Int32Array | null = null;
  words(): Int32Array {
    if (this.i32 !== null && !this.tracking) return this.i32;
    const words = Math.floor(this.u8.byteLength / 4);
    if (this.i32 === null || this.i32.length !== words) this.i32 = new Int32Array(this.u8.buffer, 0, words);
    return this.i32;
  }
  /**
   * The buffer can change its length (a resizable ArrayBuffer, a growable SharedArrayBuffer): the same view's length
   * is read again at every call.
   */
  tracking = false;
  of(view: Uint8Array | DataView): this {
    if (view !== this.view || this.tracking) {
      // a number, null, an ArrayBuffer, a Buffer's parent: no bytes to convert where the caller thinks
      if (!ArrayBuffer.isView(view)) throw einval(`a buffer is a Uint8Array or a DataView, not ${describe(view)}`);
      this.view = view;
      this.offset = view.byteOffset;
      this.length = view.byteLength;
      if (view.buffer !== this.buffer) {
        this.buffer = view.buffer;
        this.u8 = new Uint8Array(view.buffer);
        this.dv = new DataView(view.buffer);
        this.i32 = null;
        const b = view.buffer as ArrayBufferLike & { resizable?: boolean; growable?: boolean };
        this.tracking = b.resizable === true || b.growable === true;
      }
    }
    return this;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return `a ${typeof v}`;
  return `a ${v.constructor?.name ?? 'object'}`;
}

/**
 * Compiles both directions for a type laid out on a native and a compat ABI. A `members` choice that names no union
 * member of the type is EINVAL, as convertArgument says it (`choose` is a preference for whichever unions a type has:
 * one list serves many types).
 */
export function compileConverter(
  nativeType: CType,
  compatType: CType,
  native: Abi,
  compat: Abi,
  opts: CompileOptions = {},
): Converter {
  checkChoices(nativeType, native, opts);
  return build(nativeType, compatType, native, compat, opts, false);
}

/** The `members` choices of `opts` fit the type (a deep copy's pointee converters are built past this). */
function checkChoices(type: CType, native: Abi, opts: CompileOptions): void {
  const m: unknown = opts.members;
  if (m !== undefined && (typeof m !== 'object' || m === null || Array.isArray(m) || m instanceof Map))
    throw einval('members is an object of union paths and member names ({ ifr_ifru: "ifru_flags" })').raisedOn(native);
  const errors = unionChoiceErrors([type], opts.members ?? {});
  if (errors.length) throw einval(errors.join('; ')).raisedOn(native);
}

/**
 * The converter as generated before the fast paths: every integer that is not copied goes through BigInt, bytes
 * are copied one by one, the output is a fresh zeroed buffer. The fast paths are tested against it.
 */
export function compileReferenceConverter(
  nativeType: CType,
  compatType: CType,
  native: Abi,
  compat: Abi,
  opts: CompileOptions = {},
): Converter {
  checkChoices(nativeType, native, opts);
  return build(nativeType, compatType, native, compat, opts, true);
}

function build(
  nativeType: CType,
  compatType: CType,
  native: Abi,
  compat: Abi,
  opts: CompileOptions,
  reference: boolean,
): Converter {
  // a pointee's converter takes the choices made for the whole argument: not checked against the pointee
  const compileSub = (nt: CType, ct: CType, n: Abi, c: Abi, o: CompileOptions) => build(nt, ct, n, c, o, reference);
  const n: Side = { abi: native, layouter: new Layouter(native), le: native.endian === 'little' };
  const c: Side = { abi: compat, layouter: new Layouter(compat), le: compat.endian === 'little' };
  const nativeSize = n.layouter.typeLayout(nativeType).size;
  const compatSize = c.layouter.typeLayout(compatType).size;
  const c2n = raisedOn(native, () => plan(c, n, compatType, nativeType, true, opts, reference));
  const n2c = raisedOn(native, () => plan(n, c, nativeType, compatType, false, opts, reference));
  const flexGrowth = raisedOn(native, () => flexibleOf(nativeType, compatType, n, c, opts));
  const uncounted = flexGrowth ? undefined : uncountedFlexible(nativeType, opts);
  const make = (p: DirectionPlan, fromSize: number, toSize: number, from: Side, to: Side, toNative: boolean) => {
    // converters of pointed-to types, compiled on first use (a type may point at itself)
    const subConverters = new Map<number, Converter>();
    const usesFlex = p.source.includes('R.flex(');
    /** Helpers that need this call's buffers: flexible-array bounds and deep copies. */
    const callRuntime = (s: number, srcLength: number, d: number, dstLength: number, o: ConvertOptions) => {
      const deepState = o.deepState ?? { bytes: 0, seen: new Map<bigint, bigint>() };
      return {
        ...RUNTIME,
        flex(count: number, fromOff: number, fe: number, toOff: number, te: number, path: string) {
          if (fromOff - s + count * fe > srcLength) throw efault(`'${path}' runs past the end of the input`, path);
          if (toOff - d + count * te > dstLength) throw efault(`'${path}' runs past the end of the output`, path);
        },
        deepArray(id: number, addr: bigint, n: number, path: string): bigint {
          const mem = o.memory;
          if (!mem?.alloc) throw einval('deep copies need a Memory with alloc()', path);
          const prior = deepState.seen.get(addr);
          if (prior !== undefined) return prior;
          const ref = p.refs[id]!;
          const { fe, te, same } = ref.array!;
          const limit = o.maxDeepBytes ?? 1 << 24;
          if (n * Math.max(fe, te) > limit - deepState.bytes)
            throw efault(`pointed-to data beyond ${limit} bytes (${n} elements)`, path);
          deepState.bytes += n * fe;
          let bytes: Uint8Array;
          try {
            bytes = mem.read(addr, n * fe);
          } catch (e) {
            throw e instanceof ErrnoError ? e : efault(`address 0x${addr.toString(16)} is not mapped`, path);
          }
          if (bytes.length < n * fe)
            throw efault(`address 0x${addr.toString(16)} is not mapped for ${n * fe} bytes`, path);
          const outAddr = mem.alloc(n * te);
          deepState.seen.set(addr, outAddr);
          let out = bytes;
          if (!same) {
            let sub = subConverters.get(id);
            if (!sub) {
              sub = toNative
                ? compileSub(ref.to, ref.from, native, compat, opts)
                : compileSub(ref.from, ref.to, native, compat, opts);
              subConverters.set(id, sub);
            }
            out = new Uint8Array(n * te);
            for (let i = 0; i < n; i++) {
              const one = bytes.subarray(i * fe, (i + 1) * fe);
              out.set(
                toNative ? sub.compatToNative(one, { ...o, deepState }) : sub.nativeToCompat(one, { ...o, deepState }),
                i * te,
              );
            }
          }
          mem.write(outAddr, out);
          return outAddr;
        },
        deep(id: number, addr: bigint, path: string): bigint {
          const mem = o.memory;
          if (!mem?.alloc) throw einval('deep copies need a Memory with alloc()', path);
          const prior = deepState.seen.get(addr);
          if (prior !== undefined) return prior; // a cycle: reuse the copy in progress
          const ref = p.refs[id]!;
          let sub = subConverters.get(id);
          if (!sub) {
            sub = toNative
              ? compileSub(ref.to, ref.from, native, compat, opts)
              : compileSub(ref.from, ref.to, native, compat, opts);
            subConverters.set(id, sub);
          }
          const inSize = toNative ? sub.compatSize : sub.nativeSize;
          deepState.bytes += inSize;
          if (deepState.bytes > (o.maxDeepBytes ?? 1 << 24))
            throw efault(`pointed-to data beyond ${o.maxDeepBytes ?? 1 << 24} bytes`, path);
          let bytes: Uint8Array;
          try {
            bytes = mem.read(addr, inSize);
          } catch (e) {
            throw e instanceof ErrnoError ? e : efault(`address 0x${addr.toString(16)} is not mapped`, path);
          }
          if (bytes.length < inSize)
            throw efault(`address 0x${addr.toString(16)} is not mapped for ${inSize} bytes`, path);
          const outAddr = mem.alloc(toNative ? sub.nativeSize : sub.compatSize);
          deepState.seen.set(addr, outAddr);
          const converted = toNative
            ? sub.compatToNative(bytes, { ...o, deepState })
            : sub.nativeToCompat(bytes, { ...o, deepState });
          mem.write(outAddr, converted);
          return outAddr;
        },
      };
    };
    const srcViews = new Views();
    const dstViews = new Views();
    /** The output's length for this input (flexible arrays grow with the count the input holds). */
    const outputLength = (srcLength: number, sv: DataView, s: number): number => {
      if (srcLength < fromSize) throw efault(`the argument is ${fromSize} bytes on ${from.abi.name}; got ${srcLength}`);
      if (!flexGrowth) return toSize;
      const count = Number(
        RUNTIME.read(sv, s + flexGrowth.countOffset(from), flexGrowth.countSize(from), false, from.le),
      );
      const limit = 1 << 26;
      if (count * flexGrowth.elem(to) > limit)
        throw einval(`flexible array '${flexGrowth.path}' of ${count} elements is too large`, flexGrowth.path);
      const total = flexGrowth.fixed(to) + count * flexGrowth.elem(to);
      const inputNeeded = flexGrowth.fixed(from) + count * flexGrowth.elem(from);
      if (srcLength < inputNeeded)
        throw efault(
          `'${flexGrowth.path}' holds ${count} elements: ${inputNeeded} bytes needed, got ${srcLength}`,
          flexGrowth.path,
        );
      return Math.max(total, toSize);
    };
    const run = (
      sv: Views,
      s: number,
      srcLength: number,
      dst: Uint8Array,
      dv: DataView,
      d: number,
      length: number,
      o: ConvertOptions | undefined,
    ) => {
      if (p.dynamic) dst.fill(0, d, d + length);
      // the plain case runs with the shared helpers: no allocation
      const deep = o?.deep === true;
      const runtime = usesFlex || deep ? callRuntime(s, srcLength, d, length, o ?? {}) : RUNTIME;
      p.fn(sv.u8, sv.dv, s, dst, dv, d, runtime, o?.memory, deep);
    };
    return {
      alloc(src: Uint8Array, o?: ConvertOptions): Uint8Array {
        const sv = srcViews.of(src);
        // the argument's bytes past its fixed part would be a flexible array's, which nothing counts: not dropped
        if (uncounted !== undefined && sv.length > fromSize)
          throw einval(
            `${sv.length - fromSize} bytes past the record's ${fromSize}: its flexible array '${uncounted}' has no ` +
              'count to convert them by (annotate it: flex-array)',
            uncounted,
          ).raisedOn(native);
        const length = outputLength(sv.length, sv.dv, sv.offset);
        const dst = new Uint8Array(length);
        run(sv, sv.offset, sv.length, dst, new DataView(dst.buffer), 0, length, o);
        return dst;
      },
      into(
        src: Uint8Array | DataView,
        dst: Uint8Array | DataView,
        srcOffset: number,
        dstOffset: number,
        o?: ConvertOptions,
      ): number {
        // 1.5 would read and write between bytes (DataView truncates, typed arrays do not)
        if (!Number.isInteger(srcOffset) || !Number.isInteger(dstOffset))
          throw einval(`offsets are whole bytes: ${srcOffset}, ${dstOffset}`);
        const sv = srcViews.of(src);
        const srcLength = sv.length - srcOffset;
        if (!(srcOffset >= 0 && srcLength >= 0)) throw efault(`input offset ${srcOffset} is outside the input`);
        const s = sv.offset + srcOffset;
        const length = outputLength(srcLength, sv.dv, s);
        const dv = dstViews.of(dst);
        if (!(dstOffset >= 0 && dv.length - dstOffset >= length))
          throw efault(
            `the output is ${length} bytes on ${to.abi.name}; the buffer has ${Math.max(0, dv.length - dstOffset)}`,
          );
        run(sv, s, srcLength, dv.u8, dv.dv, dv.offset + dstOffset, length, o);
        return length;
      },
      /**
       * `into` as one generated function, for a plan of fixed sizes that writes every byte itself (no flexible
       * array, nothing zeroed first): a call with the views of the call before and no options runs the plan's
       * code inline, with no layer between; any other call is `slow`'s (which raises what `into` raises).
       */
      fastInto(slow: IntoFn, raised: (e: unknown) => unknown): IntoFn | undefined {
        if (p.dynamic || usesFlex || flexGrowth) return undefined;
        // eslint-disable-next-line @typescript-eslint/no-implied-eval
        const bind = new Function(
          'vs',
          'vd',
          'R',
          'slow',
          'raised',
          `'use strict';
return function into(input, output, inOff = 0, outOff = 0, o) {
  if (o !== undefined) return slow(input, output, inOff, outOff, o);
  const a = input === vs.view && !vs.tracking ? vs : vs.of(input);
  const b = output === vd.view && !vd.tracking ? vd : vd.of(output);
  if (!(inOff >= 0 && a.length - inOff >= ${fromSize} && outOff >= 0 && b.length - outOff >= ${toSize}) ||
      (inOff | 0) !== inOff || (outOff | 0) !== outOff) {
    return slow(input, output, inOff, outOff, o);
  }
  const src = a.u8, sv = a.dv, s = a.offset + inOff, dst = b.u8, dv = b.dv, d = b.offset + outOff;
  const mem = undefined, deep = false;
  try {
${
  p.wordSource === undefined
    ? p.source
    : // the word views must hold the record's words (a typed array ignores what falls outside it, a DataView throws)
      `words: if (((s | d) & 3) === 0 && s < 4294967296 && d < 4294967296) {
  const s32 = a.words(), d32 = b.words(), S = s >>> 2, D = d >>> 2;
  if (S + ${fromSize >>> 2} > s32.length || D + ${toSize >>> 2} > d32.length) break words;
${p.wordSource}
  return ${toSize};
}
${p.source}`
}
  } catch (e) {
    throw raised(e);
  }
  return ${toSize};
};`,
        ) as (vs: Views, vd: Views, r: typeof RUNTIME, slow: IntoFn, raised: (e: unknown) => unknown) => IntoFn;
        return bind(srcViews, dstViews, RUNTIME, slow, raised);
      },
    };
  };
  const toNative = make(c2n, compatSize, nativeSize, c, n, true);
  const toCompat = make(n2c, nativeSize, compatSize, n, c, false);
  // try/catch here, not through a closure: the hot path allocates nothing
  const raised = (e: unknown) => (e instanceof ErrnoError ? e.raisedOn(native) : e);
  /** A direction's `into` through its layers, its errors raised on the native ABI (fastInto's fallback). */
  const slowInto =
    (d: typeof toNative): IntoFn =>
    (src, dst, srcOffset = 0, dstOffset = 0, o) => {
      try {
        return d.into(src, dst, srcOffset, dstOffset, o);
      } catch (e) {
        throw raised(e);
      }
    };
  const slowToNative = slowInto(toNative);
  const slowToCompat = slowInto(toCompat);
  return {
    nativeSize,
    compatSize,
    compatToNative(src, o) {
      try {
        return toNative.alloc(src, o);
      } catch (e) {
        throw raised(e);
      }
    },
    nativeToCompat(src, o) {
      try {
        return toCompat.alloc(src, o);
      } catch (e) {
        throw raised(e);
      }
    },
    compatToNativeInto: toNative.fastInto(slowToNative, raised) ?? slowToNative,
    nativeToCompatInto: toCompat.fastInto(slowToCompat, raised) ?? slowToCompat,
    source: { compatToNative: c2n.source, nativeToCompat: n2c.source },
  };
}

/** Runs fn; an ErrnoError it throws carries the native ABI, whose kernel numbers the errno. */
function raisedOn<T>(native: Abi, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw e instanceof ErrnoError ? e.raisedOn(native) : e;
  }
}

function plan(
  from: Side,
  to: Side,
  fromType: CType,
  toType: CType,
  toNative: boolean,
  opts: CompileOptions,
  reference: boolean,
): DirectionPlan {
  const e = new Emitter(from, to, toNative, opts, to.layouter.typeLayout(toType).size, reference);
  const t = strip(fromType);
  const name = (t.kind === 'record' ? recordName(t.decl) : undefined) ?? opts.recordName;
  const record: RecordContext = t.kind === 'record' ? (name ? { decl: t.decl, name } : { decl: t.decl }) : {};
  e.value(fromType, toType, 's', 'd', '', record);
  const body = e.code();
  // the reference zeroes the whole output, as a fresh buffer is
  const dynamic = reference || e.dynamic;
  const source = [...(dynamic ? [] : e.zeroing()), body].filter((x) => x !== '').join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function('src', 'sv', 's', 'dst', 'dv', 'd', 'R', 'mem', 'deep', `'use strict';\n${source}`) as Fn;
  let wordSource: string | undefined;
  if (!dynamic) {
    // the same plan again, its 32-bit values through the word views
    const w = new Emitter(from, to, toNative, opts, to.layouter.typeLayout(toType).size, false, true);
    w.value(fromType, toType, 's', 'd', '', record);
    const wordBody = w.code();
    const words = [...w.zeroing(), wordBody].filter((x) => x !== '').join('\n');
    if (words !== source) wordSource = words;
  }
  return { fn, source, wordSource, dynamic, refs: e.refs as DirectionPlan['refs'] };
}

/** An annotation that gives a flexible array its length: flex-array, or a sigset with a count (in bytes). */
function countedFlexible(
  ann: MemberAnnotation | undefined,
): ann is Extract<MemberAnnotation, { kind: 'flex-array' | 'sigset' }> & { count: string } {
  return ann?.kind === 'flex-array' || (ann?.kind === 'sigset' && ann.count !== undefined);
}

/** The top-level record's flexible array that no flex-array annotation counts, by path, if it has one. */
function uncountedFlexible(nativeType: CType, opts: CompileOptions): string | undefined {
  const t = strip(nativeType);
  if (t.kind !== 'record' || t.decl.union || !t.decl.members?.length) return undefined;
  const last = t.decl.members[t.decl.members.length - 1]!;
  const lt = strip(last.type);
  if (lt.kind !== 'array' || lt.length !== null || last.name === undefined) return undefined;
  const name = recordName(t.decl) ?? opts.recordName;
  return countedFlexible(name ? opts.annotations?.records.get(name)?.get(last.name) : undefined)
    ? undefined
    : last.name;
}

/** The top-level record's annotated flexible array, if any: how the buffers grow. */
function flexibleOf(nativeType: CType, compatType: CType, n: Side, c: Side, opts: CompileOptions) {
  const nt = strip(nativeType);
  const ct = strip(compatType);
  if (nt.kind !== 'record' || ct.kind !== 'record' || nt.decl.union) return undefined;
  const name = recordName(nt.decl) ?? opts.recordName;
  const anns = name ? opts.annotations?.records.get(name) : undefined;
  if (!anns) return undefined;
  for (const [path, ann] of anns) {
    if (!countedFlexible(ann)) continue;
    const sides = new Map<Side, { fixed: number; elem: number; countOffset: number; countSize: number }>();
    for (const [side, decl] of [
      [n, nt.decl],
      [c, ct.decl],
    ] as const) {
      const l = side.layouter.layout(decl);
      const m = findMember(decl, side.layouter, path);
      const count = findMember(decl, side.layouter, ann.count);
      if (!m || !count) throw einval(`annotation names no member '${!m ? path : ann.count}'`, path);
      const mt = strip(m.type);
      if (mt.kind !== 'array') throw einval('flex-array annotation on a member that is not an array', path);
      sides.set(side, {
        fixed: l.size,
        elem: side.layouter.typeLayout(mt.of).size,
        countOffset: count.offset,
        countSize: side.layouter.typeLayout(count.type).size,
      });
    }
    return {
      path,
      fixed: (s: Side) => sides.get(s)!.fixed,
      elem: (s: Side) => sides.get(s)!.elem,
      countOffset: (s: Side) => sides.get(s)!.countOffset,
      countSize: (s: Side) => sides.get(s)!.countSize,
    };
  }
  return undefined;
}
