/** `ioctl32 dump`: every record and ioctl of the headers for one ABI (CONTRACT.md). */
import { basename, dirname, join } from 'node:path';
import { assertAbi } from '../abi/index.js';
import { Parser } from '../cfront/parser.js';
import { Preprocessor } from '../cfront/preprocess.js';
import { CFrontError, type Token } from '../cfront/token.js';
import type { ParsedHeader, TranslationUnit } from '../cfront/index.js';
import type { RecordDecl, TypedefDecl } from '../cfront/types.js';
import { catalogueIoctls, catalogueNamed, legacyIndex, parseTypeText } from '../ioctl/catalogue.js';
import type { IoctlEntry, LegacyArgument, UnresolvedIoctl } from '../ioctl/catalogue.js';
import type { IocDir } from '../ioctl/ioc.js';
import { LEGACY_IOCTLS } from '../ioctl/legacy.js';
import { prerequisitesForError } from '../ioctl/prerequisites.js';
import { flattenFields, untypedField, type FlatField } from '../layout/fields.js';
import type { Layouter } from '../layout/layout.js';
import { LayoutError } from '../layout/types.js';
import { cachedResult } from './cache.js';
import { scanHeaders, uapiHeaders, type Scan, type ScanOptions } from './scan.js';

export interface DumpRecord {
  size: number;
  align: number;
  header: string;
  fields: FlatField[];
}

/** CONTRACT.md's ioctl row: the catalogue entry's number fields and argument, and the header. */
export type DumpIoctl = Pick<
  IoctlEntry,
  'cmd' | 'dir' | 'type' | 'nr' | 'size' | 'arg' | 'prerequisites' | 'members'
> & {
  header: string;
  /** What the kernel's handler really does with the argument, where the legacy table knows it and it differs. */
  access?: IocDir;
  /** The argument is a value, not a pointer (RTC_IRQP_SET). */
  byValue?: true;
};

export interface DumpResult {
  abi: string;
  headers: number;
  failed: Record<string, string>;
  records: Record<string, DumpRecord>;
  ioctls: Record<string, DumpIoctl>;
  /**
   * Macros that invoke _IOC but have no constant value, even with what a program includes
   * first (src/ioctl/prerequisites.ts): why, located, with the macro's definition.
   */
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
  /** Ioctl macros without a value (result.unresolved with their place and the fields known). */
  unresolved: Map<string, UnresolvedIoctl>;
  /** Every typedef any unit declared, first declaration wins (legacy argument types name them). */
  typedefs: Map<string, TypedefDecl>;
  /** Headers in result.failed that read with what a program includes first: header → those includes. */
  mended: Map<string, readonly string[]>;
  scan: Scan;
}

/**
 * The headers that could not be read at all: result.failed without those mended by what a program includes first
 * (linux/omapfb.h with <stddef.h>), whose ioctls are in the catalogue.
 */
export function unreadHeaders(d: Dumped): Record<string, string> {
  return Object.fromEntries(Object.entries(d.result.failed).filter(([h]) => !d.mended.has(h)));
}

export function dumpHeaders(
  opts: ScanOptions & {
    legacy?: readonly LegacyArgument[];
    collectMacroNames?: boolean;
    /**
     * Catalogue only the macros it accepts (decode's few numbers): the others are neither ioctls
     * nor unresolved in the result; those it accepts come out as without it.
     */
    catalogueOnly?: (name: string) => boolean;
    /** Each record's fields in the result (default true); without them, its size and alignment only (decode). */
    recordFields?: boolean;
    /**
     * Whether a header is read, asked just before its turn with the ioctls catalogued so far (decode: only
     * the units that may define a macro not found yet).
     */
    unitWanted?: (header: string, ioctls: ReadonlyMap<string, IoctlEntry>) => boolean;
  },
): Dumped {
  const scan = scanHeaders(opts);
  const layouter = scan.layouter;
  const result: DumpResult = {
    abi: opts.abi.name,
    headers: scan.headers.length,
    failed: {},
    records: {},
    ioctls: {},
    unresolved: {},
  };
  const decls = new Map<string, RecordDecl>();
  const foundIn = new Map<string, string>();
  const macroNames = new Set<string>();
  const ioctls = new Map<string, IoctlEntry>();
  const unresolved = new Map<string, UnresolvedIoctl>();
  const mended = new Map<string, readonly string[]>();
  const typedefs = new Map<string, TypedefDecl>();
  const legacy = opts.legacy ?? LEGACY_IOCTLS;
  const seenMacros = new Set<Token>();
  const shorten = scan.shorten;
  const timings = opts.timings;
  const add = (e: IoctlEntry, scanned: string) => {
    ioctls.set(e.name, e);
    unresolved.delete(e.name);
    foundIn.set(e.name, scanned);
    const header = scan.displayName(e.file);
    const row: DumpIoctl = { cmd: e.cmd, dir: e.dir, type: e.type, nr: e.nr, size: e.size, header };
    if (e.arg !== undefined) row.arg = e.arg;
    if (e.argDir !== undefined && e.argDir !== (e.dir ?? 'none')) row.access = e.argDir;
    if (e.byValue) row.byValue = true;
    if (e.members) row.members = e.members;
    // a header that uses _IOR without including <linux/ioctl.h> (sound/asound.h): a program includes it first
    const before = [...(e.needsIoctlHeader ? ['linux/ioctl.h'] : []), ...(e.prerequisites ?? [])];
    if (before.length) row.prerequisites = [...new Set(before)];
    result.ioctls[e.name] = row;
  };
  const unitWanted = opts.unitWanted;
  for (const s of scan.each(unitWanted && ((header) => unitWanted(header, ioctls)))) {
    const t0 = timings ? performance.now() : 0;
    let parsed = s.parsed;
    let before: string[] | undefined;
    if (!parsed) {
      result.failed[s.header] = shorten(s.error!);
      // the header alone does not compile, but may with what a program includes first (size_t)
      const retried = parsedWithPrerequisites(opts, scan, s.header, s.error!);
      if (!retried) continue;
      ({ parsed, before } = retried);
      mended.set(s.header, before);
    }
    const { unit, preprocessor, parser } = parsed;
    if (opts.collectMacroNames) for (const name of preprocessor.macros.keys()) macroNames.add(name);
    for (const [name, t] of unit.typedefs) if (!typedefs.has(name)) typedefs.set(name, t);
    for (const [name, decl] of unit.records) {
      if (decls.has(name) || decl.members === null) continue;
      decls.set(name, decl);
      foundIn.set(name, s.header);
      const l = layouter.layout(decl);
      result.records[name] = {
        size: l.size,
        align: recordAlign(name, l.align, layouter, typedefs),
        header: scan.displayName(decl.loc?.file ?? parsed.path),
        fields: opts.recordFields === false ? [] : flattenFields(l, layouter).map(untypedField),
      };
    }
    const t1 = timings ? performance.now() : 0;
    const cat = catalogueIoctls(opts.abi, preprocessor, parser, seenMacros, legacy, opts.catalogueOnly);
    if (timings) {
      timings.records += t1 - t0;
      timings.catalogue += performance.now() - t1;
    }
    for (const e of cat.ioctls) {
      if (ioctls.has(e.name)) continue;
      if (before) e.prerequisites = [...before];
      add(e, s.header);
    }
    for (const u of cat.unresolved) {
      if (unresolved.has(u.name) || ioctls.has(u.name)) continue;
      // what the header's unit needed comes before what the macro needs (<sys/socket.h>, then <stddef.h>)
      if (before && u.prerequisites) u.prerequisites = [...new Set([...before, ...u.prerequisites])];
      unresolved.set(u.name, u);
      if (!foundIn.has(u.name)) foundIn.set(u.name, s.header);
    }
  }
  const t2 = timings ? performance.now() : 0;
  for (const e of withPrerequisites(opts, scan, legacy, unresolved, foundIn)) add(e, foundIn.get(e.name)!);
  if (timings) timings.catalogue += performance.now() - t2;
  for (const [name, u] of unresolved) result.unresolved[name] = shorten(u.message);
  // a legacy argument type defined by another translation unit than the macro's
  for (const e of ioctls.values()) {
    if (e.argType || e.arg === undefined) continue;
    const decl = decls.get(e.arg);
    const td = typedefs.get(e.arg);
    if (decl) e.argType = { kind: 'record', decl };
    else if (td) e.argType = { kind: 'typedef', decl: td };
  }
  if (opts.legacyNeeds !== false) {
    for (const e of legacyTypesFromNeeds(opts, scan, legacy, ioctls, foundIn)) add(e, foundIn.get(e.name)!);
  }
  return { result, decls, layouter, foundIn, macroNames, ioctls, unresolved, typedefs, mended, scan };
}

type DumpOptions = ScanOptions & { legacy?: readonly LegacyArgument[] };

/**
 * The alignment of the record a name gives: a typedef of an untagged record (`typedef struct { ... } t
 * __attribute__((aligned(8)))`) is aligned as the typedef says, which _Alignof(t) and every member of
 * type t follow; the record's own layout (`own`) otherwise.
 */
export function recordAlign(
  name: string,
  own: number,
  layouter: Layouter,
  typedefs: ReadonlyMap<string, TypedefDecl>,
): number {
  const td = /^(struct|union|enum) /.test(name) ? undefined : typedefs.get(name);
  return td?.align === undefined ? own : layouter.typeLayout({ kind: 'typedef', decl: td }).align;
}

/**
 * Macros grouped by the units that would read them again: the header each was found in (`foundIn`), with the
 * headers `before` says go first (none or empty: left out). One unit per header and list.
 */
function unitsFor<T extends { name: string }>(
  macros: Iterable<T>,
  foundIn: ReadonlyMap<string, string>,
  before: (m: T) => readonly string[] | undefined,
): Array<{ header: string; before: readonly string[]; items: T[] }> {
  const groups = new Map<string, { header: string; before: readonly string[]; items: T[] }>();
  for (const m of macros) {
    const list = before(m);
    if (!list?.length) continue;
    const header = foundIn.get(m.name)!;
    const key = [header, ...list].join('\0');
    const g = groups.get(key) ?? { header, before: list, items: [] };
    g.items.push(m);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/**
 * A legacy argument type no unit of the run declares (a header named alone: linux/sockios.h's SIOCGIFFLAGS
 * takes struct ifreq, of <linux/if.h>), read in a unit that includes what the legacy table says a program
 * includes for it first (`needs`), one unit per header and list. The entries that got their type, marked
 * with those headers.
 */
function legacyTypesFromNeeds(
  opts: DumpOptions,
  scan: Scan,
  legacy: readonly LegacyArgument[],
  ioctls: ReadonlyMap<string, IoctlEntry>,
  foundIn: ReadonlyMap<string, string>,
): IoctlEntry[] {
  const byName = legacyIndex(legacy);
  const needsOf = (e: IoctlEntry) =>
    e.legacy && !e.argType && e.arg !== undefined ? byName.get(e.name)?.needs : undefined;
  const typed: IoctlEntry[] = [];
  for (const { header, before: needs, items: entries } of unitsFor(ioctls.values(), foundIn, needsOf)) {
    let pp: Preprocessor;
    let parser: Parser;
    try {
      [pp, parser] = unitWith(opts, scan, needs, header);
    } catch (e) {
      if (!(e instanceof CFrontError) && !(e instanceof LayoutError)) throw e;
      continue;
    }
    for (const e of entries) {
      const t = parseTypeText(pp, parser, e.arg!);
      if (!t) continue;
      e.argType = t;
      e.prerequisites = [...new Set([...(e.prerequisites ?? []), ...needs])];
      typed.push(e);
    }
  }
  return typed;
}

/**
 * What a program includes before a header, applied (src/ioctl/prerequisites.ts and the legacy
 * table's `needs`): in a unit that includes the prerequisites, then the header the scan found a
 * macro in (one unit per header and list), an unresolved macro gets its number. The entries
 * found, marked with their prerequisites, are returned and leave `unresolved`; a macro that
 * still has no value says so in its message.
 */
function withPrerequisites(
  opts: DumpOptions,
  scan: Scan,
  legacy: readonly LegacyArgument[],
  unresolved: Map<string, UnresolvedIoctl>,
  foundIn: Map<string, string>,
): IoctlEntry[] {
  const found: IoctlEntry[] = [];
  for (const { header, before, items } of unitsFor(unresolved.values(), foundIn, (u) => u.prerequisites)) {
    const names = items.map((u) => u.name);
    const includes = before.map((h) => `<${h}>`).join(', ');
    let cat;
    try {
      const [pp, parser] = unitWith(opts, scan, before, header);
      cat = catalogueNamed(opts.abi, pp, parser, names, legacy);
    } catch (e) {
      if (!(e instanceof CFrontError) && !(e instanceof LayoutError)) throw e;
      const why = ` (with ${includes} included first the unit does not compile: ${scan.shorten(e.message)})`;
      for (const n of names) unresolved.get(n)!.message += why;
      continue;
    }
    for (const e of cat.ioctls) {
      e.prerequisites = [...before];
      found.push(e);
    }
    for (const u of cat.unresolved) {
      const first = unresolved.get(u.name);
      if (!first) continue;
      const also = u.reason === first.reason ? '' : `: ${u.reason}`;
      first.message += ` (${also ? '' : 'also '}with ${includes} included first${also})`;
    }
  }
  return found;
}

/**
 * A header whose unit does not parse, read again with the prerequisite rows of the names its
 * error quotes included first, and again while each new error names another row. Undefined when
 * no row covers an error, or the unit still does not parse.
 */
function parsedWithPrerequisites(
  opts: DumpOptions,
  scan: Scan,
  header: string,
  error: string,
): { parsed: ParsedHeader; before: string[] } | undefined {
  const before: string[] = [];
  let why = error;
  for (;;) {
    const more = prerequisitesForError(why).filter((h) => !before.includes(h));
    if (!more.length) return undefined;
    before.push(...more);
    try {
      const [preprocessor, parser, unit] = unitWith(opts, scan, before, header);
      return { parsed: { path: scan.resolve(header), unit, preprocessor, parser }, before };
    } catch (e) {
      if (!(e instanceof CFrontError) && !(e instanceof LayoutError)) throw e;
      why = e.message;
    }
  }
}

/** A unit that includes `before`, then `header` (a path beside the unit, as the scan read it). */
function unitWith(
  opts: DumpOptions,
  scan: Scan,
  before: readonly string[],
  header: string,
): [Preprocessor, Parser, TranslationUnit] {
  const byPath = header.startsWith('/') || header.startsWith('.');
  const path = scan.resolve(header);
  const target = byPath ? `"${basename(path)}"` : `<${header}>`;
  const source = [...before.map((h) => `<${h}>`), target].map((h) => `#include ${h}\n`).join('');
  const name = `<${[...before, byPath ? basename(path) : header].join(' + ')}>`;
  // the scan's memos: its units have preprocessed and parsed the includes already (the memos replay only
  // where everything they consulted agrees)
  const pp = new Preprocessor({
    abi: opts.abi,
    includeDirs: scan.includeDirs,
    defines: scan.defines,
    undefines: scan.undefines,
    files: scan.files,
    memos: scan.memos,
    shareChunks: scan.shareChunks,
  });
  const parser = new Parser(opts.abi, scan.layouter);
  // "..." is looked for beside the including file: the unit is named as if it sat beside the header
  const unit = parser.parse(pp.preprocessSource(source, byPath ? join(dirname(path), name) : name), pp.segments);
  return [pp, parser, unit];
}

/**
 * dumpHeaders' result; from the result cache when it is on and nothing the dump read has changed
 * (src/scan/cache.ts). Not with timings (a benchmark wants the work) or memo: false (a test of it).
 */
export function dump(opts: ScanOptions): DumpResult {
  // before the cache: its key names an ABI by name, a string given as one would find an entry
  assertAbi(opts?.abi, 'dump');
  if (opts.timings || opts.memo === false) return dumpHeaders(opts).result;
  const key = JSON.stringify(opts, (k, v: unknown) =>
    k === 'files' || k === 'onProgress' ? undefined : k === 'abi' && typeof v === 'object' ? opts.abi.name : v,
  );
  return cachedResult('dump', key, () => dumpHeaders(opts).result, uapiHeaders);
}
