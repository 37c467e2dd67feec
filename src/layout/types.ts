import type { AbiName } from '../abi/types.js';
import type { Member, RecordDecl, SourceLoc } from '../cfront/types.js';
import { SizeError } from '../cfront/sizes.js';

/** Where one member of a record lives, for one ABI. */
export interface MemberLayout {
  member: Member;
  /** Byte offset; for a bitfield, the byte that holds its first bit (bitOffset >> 3). */
  offset: number;
  /** Offset in bits from the start of the record, in allocation order (as clang numbers it). */
  bitOffset: number;
  /** sizeof the member's type (for a bitfield: of its declared type); 0 for a flexible array. */
  size: number;
  /** Bits the member occupies: bitWidth for a bitfield, size * 8 otherwise. */
  bits: number;
  /** The member's alignment in this record, in bytes. */
  align: number;
}

/** Bytes (or bits) nobody owns, between two members or after the last one. */
export interface Hole {
  /** Index in `members` of the member that follows the hole. */
  before: number;
  bitOffset: number;
  bits: number;
}

export interface RecordLayout {
  decl: RecordDecl;
  abi: AbiName;
  size: number;
  align: number;
  members: MemberLayout[];
  holes: Hole[];
  /** Bits between the end of the last member and the end of the record. */
  tailPaddingBits: number;
}

/** Size and alignment of a type where it is a member of a record. */
export interface TypeLayout {
  size: number;
  /** Alignment as a record member, in bytes. */
  align: number;
}

/** A type graph that no compiler would accept; `path` names the member (`outer.inner.x`). */
export class LayoutError extends SizeError {
  constructor(
    message: string,
    readonly path: string,
    loc?: SourceLoc,
  ) {
    super(message, loc);
  }
}
