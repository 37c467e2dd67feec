/**
 * What the parser asks of a layout: sizeof, _Alignof and offsetof need sizes and offsets, and a
 * record a compiler would reject is an error at its definition. The layout stage implements it
 * (Layouter); the front end only declares it, so it imports nothing to its right.
 */
import { Ioctl32Error } from '../errors.js';
import type { CType, Member, RecordDecl, SourceLoc } from './types.js';

export interface TypeSizes {
  /** Size and alignment (as a member) of a complete object type; a SizeError when it has none. */
  typeLayout(t: CType): { size: number; align: number };
  /** A complete record's members at their byte offsets (offsetof); a SizeError when it has no layout. */
  layout(decl: RecordDecl): { readonly members: ReadonlyArray<{ readonly member: Member; readonly offset: number }> };
}

/** A type no compiler would lay out (incomplete, too large, a bitfield too wide ...), and where it was declared. */
export class SizeError extends Ioctl32Error {
  constructor(
    readonly bare: string,
    readonly loc?: SourceLoc,
  ) {
    super(loc ? `${loc.file}:${loc.line}:${loc.column}: ${bare}` : bare);
  }
}
