/**
 * Lays C types out for an ABI as GCC's stor-layout.c does on Linux targets
 * (PCC_BITFIELD_TYPE_MATTERS, ADJUST_FIELD_ALIGN folded into the ABI's `aligns` table).
 */
import type { Abi, ScalarKey } from '../abi/types.js';
import type { CType, IntName, Member, RecordDecl } from '../cfront/types.js';
import { INT_SIZE_KEY, recordName, stripTypedefs } from '../cfront/types.js';
import type { TypeSizes } from '../cfront/sizes.js';
import { enumUnderlying } from '../cfront/constants.js';

export { enumUnderlying };
import { LayoutError, type Hole, type MemberLayout, type RecordLayout, type TypeLayout } from './types.js';

const FLOAT_KEYS = { float: 'float', double: 'double', 'long double': 'longDouble' } as const;

/** GCC's MAX_OFILE_ALIGNMENT for ELF: 2^28 bytes. */
const MAX_ALIGN = 2 ** 28;

/** A usable `aligned(N)`/`pack(N)` value: a power of two no larger than ELF allows. */
function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= MAX_ALIGN && Number.isInteger(Math.log2(n));
}

/**
 * Lays out records for one ABI, remembering each record's layout: a record is laid out once
 * however often it is used.
 */
export class Layouter implements TypeSizes {
  private readonly records = new Map<RecordDecl, RecordLayout>();
  private readonly inProgress = new Set<RecordDecl>();
  /** The largest object the ABI can address: sizes past it are errors, as in the compiler. */
  private readonly maxBytes: number;

  constructor(readonly abi: Abi) {
    this.maxBytes = abi.bits === 64 ? Number.MAX_SAFE_INTEGER / 8 : 2 ** 31 - 1;
  }

  /** Size and member alignment of any complete object type. */
  typeLayout(t: CType, path = ''): TypeLayout {
    switch (t.kind) {
      case 'int': {
        const key = INT_SIZE_KEY[t.name];
        const size = this.abi.sizes[key];
        if (size === undefined) throw new LayoutError(`${t.name} does not exist on ${this.abi.name}`, path);
        return { size, align: this.abi.aligns[key]! };
      }
      case 'float':
        return { size: this.abi.sizes[FLOAT_KEYS[t.name]], align: this.abi.aligns[FLOAT_KEYS[t.name]] };
      case 'pointer':
        return { size: this.abi.sizes.pointer, align: this.abi.aligns.pointer };
      case 'enum': {
        if (t.decl.values === null)
          throw new LayoutError(`incomplete type 'enum ${t.decl.tag ?? ''}'`, path, t.decl.loc);
        return this.typeLayout({ kind: 'int', name: enumUnderlying(t.decl, this.abi) }, path);
      }
      case 'typedef': {
        const inner = this.typeLayout(t.decl.type, path);
        if (t.decl.align === undefined) return inner;
        if (!isPowerOfTwo(t.decl.align))
          throw new LayoutError(
            `requested alignment ${t.decl.align} of typedef '${t.decl.name}' is not a power of 2 up to 2^28`,
            path,
            t.decl.loc,
          );
        return { size: inner.size, align: t.decl.align };
      }
      case 'array': {
        if (t.length !== null && (!Number.isInteger(t.length) || t.length < 0)) {
          throw new LayoutError(`array size ${t.length} is negative or not an integer`, path);
        }
        const elem = this.typeLayout(t.of, path);
        if (elem.size === 0 && t.of.kind !== 'record' && t.of.kind !== 'array') {
          throw new LayoutError('array of zero-sized elements', path);
        }
        if (elem.size % elem.align !== 0)
          throw new LayoutError('alignment of array elements is greater than element size', path);
        const length = t.length ?? 0;
        if (elem.size > 0 && length > this.maxBytes / elem.size) {
          throw new LayoutError(
            `size of array (${length} elements of ${elem.size} bytes) is too large for ${this.abi.name}`,
            path,
          );
        }
        return { size: elem.size * length, align: elem.align };
      }
      case 'record': {
        const l = this.layout(t.decl, path);
        return { size: l.size, align: l.align };
      }
      case 'void':
        throw new LayoutError("member has incomplete type 'void'", path);
      case 'function':
        throw new LayoutError('member has function type', path);
    }
  }

  /** The layout of a record; a LayoutError names the member a bad graph fails on. */
  layout(decl: RecordDecl, path = recordName(decl) ?? '(anonymous)'): RecordLayout {
    const cached = this.records.get(decl);
    if (cached) return cached;
    if (decl.members === null)
      throw new LayoutError(`incomplete type '${recordName(decl) ?? 'anonymous record'}'`, path, decl.loc);
    if (this.inProgress.has(decl))
      throw new LayoutError(`'${recordName(decl) ?? 'anonymous record'}' contains itself`, path, decl.loc);
    this.inProgress.add(decl);
    try {
      const l = this.placeMembers(decl, decl.members, path);
      this.records.set(decl, l);
      return l;
    } finally {
      this.inProgress.delete(decl);
    }
  }

  /**
   * stor-layout.c layout_decl: a bitfield as wide as an integer mode, at a position aligned for
   * that mode, becomes a plain integer member with the mode's alignment (unless packed and the
   * mode needs more than a byte). Otherwise it has no alignment of its own: 1.
   */
  private plainIntegerAlign(width: number, bitpos: number, packed: boolean): number {
    const key = MODE_KEYS[width];
    if (key === undefined) return 1;
    const modeAlign = this.abi.typeAligns[key]!;
    if (packed && modeAlign > 1) return 1;
    const knownAlignBits = bitpos === 0 ? Infinity : bitpos & -bitpos;
    return knownAlignBits >= modeAlign * 8 ? modeAlign : 1;
  }

  private placeMembers(decl: RecordDecl, members: Member[], path: string): RecordLayout {
    const abi = this.abi;
    const packedRecord = decl.packed === true;
    const pack = decl.maxFieldAlign;
    if (pack !== undefined && !isPowerOfTwo(pack))
      throw new LayoutError(`#pragma pack(${pack}) is not a power of 2 up to 2^28`, path, decl.loc);
    if (decl.align !== undefined && !isPowerOfTwo(decl.align))
      throw new LayoutError(`requested alignment ${decl.align} is not a power of 2 up to 2^28`, path, decl.loc);
    let bitpos = 0; // struct: next free bit
    let unionBits = 0; // union: the largest member
    let recordAlign = 1;
    const placed: MemberLayout[] = [];

    members.forEach((m, index) => {
      const mpath = `${path}.${m.name ?? `(member ${index})`}`;
      if (m.align !== undefined && !isPowerOfTwo(m.align))
        throw new LayoutError(`requested alignment ${m.align} is not a power of 2 up to 2^28`, mpath, m.loc);
      const packed = packedRecord || m.packed === true;
      let offsetBits: number;
      let bits: number;
      let size: number;
      let align: number;

      if (m.bitWidth !== undefined) {
        const t = resolveBitfieldType(m.type);
        if (!t) throw new LayoutError('bit-field has a type that is not an integer', mpath, m.loc);
        if (m.align !== undefined && m.bitWidth === 0)
          throw new LayoutError('alignment may not be specified for a zero-width bit-field', mpath, m.loc);
        // under #pragma pack the compilers part: gcc rounds the position to min(N, pack), clang ignores N
        if (m.align !== undefined && pack !== undefined) {
          const why = 'gcc aligns it to the smaller of the two, clang not at all';
          throw new LayoutError(`aligned(${m.align}) on a bit-field under #pragma pack(${pack}): ${why}`, mpath, m.loc);
        }
        // aligned(N) on a bit-field (GCC's DECL_USER_ALIGN, clang alike): its position rounds up to N, and the record
        // takes N where it takes the type's (stor-layout.c: place_field, update_alignment_for_field)
        const userAlign = m.align ?? 1;
        const tl = this.typeLayout(m.type, mpath);
        const typeBits = t === '_Bool' ? 1 : tl.size * 8;
        const width = m.bitWidth;
        if (!Number.isInteger(width) || width < 0)
          throw new LayoutError(`bit-field width ${width} is negative`, mpath, m.loc);
        if (width > typeBits)
          throw new LayoutError(`width of bit-field (${width} bits) exceeds its type (${typeBits} bits)`, mpath, m.loc);
        if (width === 0 && m.name !== undefined) throw new LayoutError('named bit-field has zero width', mpath, m.loc);
        size = tl.size;
        bits = width;
        const unitAlignBits = tl.align * 8;
        if (!abi.bitfields.typeMatters) {
          // Bit by bit (m68k): see BitfieldRules.typeMatters.
          align =
            width === 0
              ? abi.bitfields.emptyFieldAlign
              : this.plainIntegerAlign(width, decl.union ? 0 : bitpos, packed);
          if (pack !== undefined && width !== 0) align = Math.min(align, pack);
          align = Math.max(align, userAlign);
          // A converted field is aligned already; only :0 and aligned(N) move the position.
          if (!decl.union && (width === 0 || m.align !== undefined)) bitpos = roundUp(bitpos, align * 8);
          offsetBits = decl.union ? 0 : bitpos;
          if (!decl.union) bitpos += width;
          recordAlign = Math.max(recordAlign, align);
        } else if (width === 0) {
          // A :0 aligns the next member to its type, whatever packed or #pragma pack say
          // (stor-layout.c: zero_bitfield uses initial_max_fld_align, the command line's).
          align = tl.align;
          // A converted field is aligned already; only :0 moves the position.
          if (!decl.union && width === 0) bitpos = roundUp(bitpos, align * 8);
          offsetBits = decl.union ? 0 : bitpos;
          if (abi.bitfields.anonymousRaisesAlign) recordAlign = Math.max(recordAlign, align);
        } else {
          if (decl.union) {
            offsetBits = 0;
          } else {
            if (m.align !== undefined) bitpos = roundUp(bitpos, userAlign * 8);
            // A bit-field may not span more units of its type's alignment than the type itself
            // (excess_unit_span); packed fields and #pragma pack lift the rule.
            if (!packed && pack === undefined && excessUnitSpan(bitpos, width, unitAlignBits, tl.size * 8)) {
              bitpos = roundUp(bitpos, unitAlignBits);
            }
            offsetBits = bitpos;
            bitpos += width;
          }
          // Under #pragma pack the record takes min(type, pack) from a bitfield even when it is
          // packed (update_alignment_for_field tests maximum_field_alignment first).
          align = Math.max(pack !== undefined ? Math.min(tl.align, pack) : packed ? 1 : tl.align, userAlign);
          if (m.name !== undefined || abi.bitfields.anonymousRaisesAlign) recordAlign = Math.max(recordAlign, align);
        }
      } else {
        const t = m.type;
        const flexible = t.kind === 'array' && t.length === null;
        if (flexible) {
          if (decl.union) throw new LayoutError('flexible array member in union', mpath, m.loc);
          if (index !== members.length - 1)
            throw new LayoutError('flexible array member not at end of struct', mpath, m.loc);
        }
        const tl = this.typeLayout(t, mpath);
        size = tl.size;
        bits = size * 8;
        align = tl.align;
        if (packed) align = m.align ?? 1;
        else if (m.align !== undefined) align = Math.max(align, m.align);
        if (pack !== undefined) align = Math.min(align, pack);
        if (decl.union) {
          offsetBits = 0;
        } else {
          offsetBits = roundUp(bitpos, align * 8);
          bitpos = offsetBits + bits;
        }
        recordAlign = Math.max(recordAlign, align);
      }
      if (decl.union) unionBits = Math.max(unionBits, bits);
      if ((decl.union ? unionBits : bitpos) / 8 > this.maxBytes)
        throw new LayoutError(`record is too large for ${abi.name}`, mpath, m.loc);
      placed.push({ member: m, offset: Math.floor(offsetBits / 8), bitOffset: offsetBits, size, bits, align });
    });

    if (decl.align !== undefined) recordAlign = Math.max(recordAlign, decl.align);
    const usedBits = decl.union ? unionBits : bitpos;
    const sizeBits = roundUp(usedBits, recordAlign * 8);
    if (sizeBits / 8 > this.maxBytes) throw new LayoutError(`record is too large for ${abi.name}`, path, decl.loc);
    return {
      decl,
      abi: abi.name,
      size: sizeBits / 8,
      align: recordAlign,
      members: placed,
      ...findHoles(decl, placed, sizeBits),
    };
  }
}

/** Integer sizes that have a machine mode GCC can turn a bitfield into. */
const MODE_KEYS: Record<number, ScalarKey> = { 8: 'char', 16: 'short', 32: 'int', 64: 'longLong' };

function resolveBitfieldType(t: CType): IntName | 'enum' | undefined {
  t = stripTypedefs(t);
  if (t.kind === 'int') return t.name;
  if (t.kind === 'enum') return 'enum';
  return undefined;
}

function roundUp(bits: number, to: number): number {
  return Math.ceil(bits / to) * to;
}

/** stor-layout.c excess_unit_span: would the field span more alignment units than its type? */
function excessUnitSpan(bitpos: number, width: number, alignBits: number, typeBits: number): boolean {
  const offset = bitpos % alignBits;
  return Math.floor((offset + width + alignBits - 1) / alignBits) > Math.floor(typeBits / alignBits);
}

function findHoles(
  decl: RecordDecl,
  placed: MemberLayout[],
  sizeBits: number,
): { holes: Hole[]; tailPaddingBits: number } {
  if (decl.union) {
    const used = placed.reduce((m, p) => Math.max(m, p.bits), 0);
    return { holes: [], tailPaddingBits: sizeBits - used };
  }
  const holes: Hole[] = [];
  let end = 0;
  placed.forEach((p, i) => {
    if (p.bitOffset > end) holes.push({ before: i, bitOffset: end, bits: p.bitOffset - end });
    end = Math.max(end, p.bitOffset + p.bits);
  });
  return { holes, tailPaddingBits: sizeBits - end };
}

const LAYOUTERS = new WeakMap<Abi, Layouter>();

/** The shared Layouter of an ABI (layouts are cached per record declaration). */
export function layouter(abi: Abi): Layouter {
  let l = LAYOUTERS.get(abi);
  if (!l) LAYOUTERS.set(abi, (l = new Layouter(abi)));
  return l;
}

export function layoutRecord(decl: RecordDecl, abi: Abi): RecordLayout {
  return layouter(abi).layout(decl);
}

export function sizeOf(t: CType, abi: Abi): number {
  return layouter(abi).typeLayout(t).size;
}
