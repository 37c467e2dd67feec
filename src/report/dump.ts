/** `ioctl32 dump`: every record and ioctl of the headers for one ABI (CONTRACT.md). */
import type { RecordDecl, TypedefDecl } from '../cfront/types.js';
import { catalogueIoctls, type IoctlEntry, type LegacyArgument } from '../ioctl/catalogue.js';
import { LEGACY_IOCTLS } from '../ioctl/legacy.js';
import { flattenFields, untypedField, type FlatField } from '../layout/fields.js';
import type { Layouter } from '../layout/layout.js';
import { scanHeaders, type Scan, type ScanOptions } from './scan.js';
import type { Token } from '../cfront/token.js';

export interface DumpRecord {
  size: number;
  align: number;
  header: string;
  fields: FlatField[];
}

/** CONTRACT.md's ioctl row: the catalogue entry's number fields and argument, and the header. */
export type DumpIoctl = Pick<IoctlEntry, 'cmd' | 'dir' | 'type' | 'nr' | 'size' | 'arg'> & { header: string };

export interface DumpResult {
  abi: string;
  headers: number;
  failed: Record<string, string>;
  records: Record<string, DumpRecord>;
  ioctls: Record<string, DumpIoctl>;
  /** Macros that invoke _IOC but have no constant value (why, located). */
  unresolved: Record<string, string>;
}

/** What the dump found, with the declarations behind it (for `check`, `layout`, the thunk). */
export interface Dumped {
  result: DumpResult;
  decls: Map<string, RecordDecl>;
  layouter: Layouter;
  /** The scanned header (translation unit) where each record and ioctl was first found. */
  foundIn: Map<string, string>;
  /** With `collectMacroNames`: every macro name any translation unit defined (a member may share one). */
  macroNames: Set<string>;
  /** The catalogue's entries (argument types included), first definition wins. */
  ioctls: Map<string, IoctlEntry>;
  /** Every typedef any unit declared, first declaration wins (legacy argument types name them). */
  typedefs: Map<string, TypedefDecl>;
  scan: Scan;
}

export function dumpHeaders(opts: ScanOptions & { legacy?: readonly LegacyArgument[]; collectMacroNames?: boolean }): Dumped {
  const scan = scanHeaders(opts);
  const layouter = scan.layouter;
  const result: DumpResult = { abi: opts.abi.name, headers: scan.headers.length, failed: {}, records: {}, ioctls: {}, unresolved: {} };
  const decls = new Map<string, RecordDecl>();
  const foundIn = new Map<string, string>();
  const macroNames = new Set<string>();
  const ioctls = new Map<string, IoctlEntry>();
  const typedefs = new Map<string, TypedefDecl>();
  const legacy = opts.legacy ?? LEGACY_IOCTLS;
  const seenMacros = new Set<Token>();
  const shorten = scan.shorten;
  const timings = opts.timings;
  for (const s of scan.each()) {
    const t0 = timings ? performance.now() : 0;
    if (!s.parsed) {
      result.failed[s.header] = shorten(s.error!);
      continue;
    }
    const { unit, preprocessor, parser } = s.parsed;
    if (opts.collectMacroNames) for (const name of preprocessor.macros.keys()) macroNames.add(name);
    for (const [name, t] of unit.typedefs) if (!typedefs.has(name)) typedefs.set(name, t);
    for (const [name, decl] of unit.records) {
      if (decls.has(name) || decl.members === null) continue;
      decls.set(name, decl);
      foundIn.set(name, s.header);
      const l = layouter.layout(decl);
      result.records[name] = { size: l.size, align: l.align, header: scan.displayName(decl.loc?.file ?? s.parsed.path), fields: flattenFields(l, layouter).map(untypedField) };
    }
    const t1 = timings ? performance.now() : 0;
    const cat = catalogueIoctls(opts.abi, preprocessor, parser, seenMacros, legacy);
    if (timings) {
      timings.records += t1 - t0;
      timings.catalogue += performance.now() - t1;
    }
    for (const e of cat.ioctls) {
      if (ioctls.has(e.name)) continue;
      ioctls.set(e.name, e);
      delete result.unresolved[e.name];
      foundIn.set(e.name, s.header);
      const row: DumpIoctl = { cmd: e.cmd, dir: e.dir, type: e.type, nr: e.nr, size: e.size, header: scan.displayName(e.file) };
      if (e.arg !== undefined) row.arg = e.arg;
      result.ioctls[e.name] = row;
    }
    for (const u of cat.unresolved) {
      if (result.unresolved[u.name] !== undefined || ioctls.has(u.name)) continue;
      result.unresolved[u.name] = shorten(u.message);
      if (!foundIn.has(u.name)) foundIn.set(u.name, s.header);
    }
  }
  // a legacy argument type defined by another translation unit than the macro's
  for (const e of ioctls.values()) {
    if (e.argType || e.arg === undefined) continue;
    const decl = decls.get(e.arg);
    const td = typedefs.get(e.arg);
    if (decl) e.argType = { kind: 'record', decl };
    else if (td) e.argType = { kind: 'typedef', decl: td };
  }
  return { result, decls, layouter, foundIn, macroNames, ioctls, typedefs, scan };
}

export function dump(opts: ScanOptions): DumpResult {
  return dumpHeaders(opts).result;
}

