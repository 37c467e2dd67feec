import { shortTypeName } from '../cfront/print.js';
import { stripTypedefs, type CType } from '../cfront/types.js';
import type { RecordLayout } from './types.js';
import type { Layouter } from './layout.js';

/** One row of CONTRACT.md's `fields`: a member reached by its dotted path. */
export interface FlatField {
  path: string;
  offset: number;
  size: number;
  type: string;
  bitOffset?: number;
  bitWidth?: number;
}

/** A row with the member's type in the graph (for printers); dump drops `ctype`. */
export interface TypedField extends FlatField {
  ctype: CType;
}

/** The row without the type graph (CONTRACT.md's fields). */
export function untypedField(f: TypedField): FlatField {
  const row: FlatField = { path: f.path, offset: f.offset, size: f.size, type: f.type };
  if (f.bitWidth !== undefined) {
    row.bitOffset = f.bitOffset!;
    row.bitWidth = f.bitWidth;
  }
  return row;
}

/**
 * Every member depth first: anonymous records add no path component and are not listed
 * themselves; named nested records are listed and descended; array elements are not.
 */
export function flattenFields(layout: RecordLayout, layouter: Layouter, prefix = '', base = 0): TypedField[] {
  const out: TypedField[] = [];
  for (const p of layout.members) {
    const m = p.member;
    const t = stripTypedefs(m.type);
    const nested = t.kind === 'record' && m.bitWidth === undefined ? layouter.layout(t.decl) : undefined;
    const bitOffset = base * 8 + p.bitOffset;
    if (m.name === undefined) {
      if (nested) out.push(...flattenFields(nested, layouter, prefix, bitOffset / 8));
      continue; // unnamed bitfields are padding, not members
    }
    const path = prefix + m.name;
    const row: TypedField = {
      path,
      offset: Math.floor(bitOffset / 8),
      size: p.size,
      type: shortTypeName(m.type),
      ctype: m.type,
    };
    if (m.bitWidth !== undefined) {
      row.bitOffset = bitOffset;
      row.bitWidth = m.bitWidth;
    }
    out.push(row);
    if (nested) out.push(...flattenFields(nested, layouter, `${path}.`, bitOffset / 8));
  }
  return out;
}
