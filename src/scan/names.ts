/**
 * Names of command numbers per ABI, from the catalogue of its whole UAPI set. Scanning a header
 * tree takes a second or two, so the numbers are kept in the cache directory (cache.ts: IOCTL32_CACHE,
 * $XDG_CACHE_HOME/ioctl32 or ~/.cache/ioctl32), keyed
 * by the ABI, its include directories and the headers' version stamp.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Abi } from '../abi/types.js';
import { UsageError } from '../errors.js';
import { includeConfigFor, type IncludeOptions } from '../cfront/index.js';
import type { FileCache } from '../cfront/preprocess.js';
import { decodeIoc } from '../ioctl/ioc.js';
import { dumpHeaders, unreadHeaders, type Dumped } from './dump.js';
import { cacheRoot } from '../cache-root.cjs';
import { cachedResult, cachesOff, noteReads, noteUapiSet } from './cache.js';
import { headerIndex, type HeaderIndex } from './ioctl-index.js';
import { uapiHeaders } from './scan.js';

const CACHE = join(cacheRoot(), 'names');
/** Bumped when the cached file's shape changes, so an older file is not misread. */
const CACHE_FORMAT = 4;

/** An ioctl macro of the catalogue whose number has no value on the ABI, with what is known of it. */
export interface UnevaluatedName {
  name: string;
  /** Why, located (dump's `unresolved` message). */
  reason: string;
  /** `_IOC`'s direction bits as the ABI encodes them, type and nr, where they have a value. */
  dirBits?: number;
  type?: number;
  nr?: number;
}

/** What IoctlNames knows beyond the numbers: where each name is found, and what could not be read. */
export interface NamesContext {
  /** IoctlNames.unitsOf. */
  units?: Readonly<Record<string, string[]>>;
  /** IoctlNames.unread. */
  unread?: Readonly<Record<string, string>>;
  /** IoctlNames.noHeaders. */
  noHeaders?: string;
}

/** cmd → ioctl names on one ABI, and the catalogue's macros there that have no number. */
export class IoctlNames extends Map<number, string[]> {
  private readonly units: Readonly<Record<string, string[]>>;
  /**
   * Headers the names were looked for in that cannot be read on this ABI (they do not compile there, even with
   * what a program includes first), each with its first error: a name they define is missing.
   */
  readonly unread: Readonly<Record<string, string>>;
  /** Why the ABI has no headers to look names up in here (its include directories are missing); else undefined. */
  readonly noHeaders: string | undefined;

  constructor(
    readonly abi: Abi,
    entries: Iterable<[number, string[]]>,
    readonly unresolved: readonly UnevaluatedName[],
    context: NamesContext = {},
  ) {
    super(entries);
    this.units = context.units ?? {};
    this.unread = context.unread ?? {};
    this.noHeaders = context.noHeaders;
  }

  /**
   * The scanned headers (translation units) a dump of only them needs to see the ioctl `name`
   * as the whole scan did: the one that defines it, and the one that defines its argument
   * record when that is another (explain dumps these instead of the whole UAPI set).
   */
  unitsOf(name: string): string[] | undefined {
    return Object.hasOwn(this.units, name) ? this.units[name] : undefined;
  }

  /**
   * The macros without a number that `cmd` may be: the same type and nr (and direction, where
   * both are known) as cmd decoded on this ABI. BLKBSZGET when linux/fs.h alone gives no size_t.
   */
  unevaluated(cmd: number): UnevaluatedName[] {
    const d = decodeIoc(this.abi, cmd);
    const dirMatches = (u: UnevaluatedName) => u.dirBits === undefined || u.dirBits === d.dirBits;
    return this.unresolved.filter((u) => u.type === d.type && u.nr === d.nr && dirMatches(u));
  }
}

interface CachedNames {
  format: number;
  ioctls: Array<[string, number]>;
  unresolved: UnevaluatedName[];
  /** IoctlNames.unitsOf. */
  units: Record<string, string[]>;
  /** IoctlNames.unread. */
  unread: Record<string, string>;
}

function stamp(dirs: string[], defines: Array<[string, string]>): string {
  const parts = dirs.map((d) => {
    try {
      const st = statSync(join(d, 'linux', 'version.h'));
      return `${d}:${st.size}:${st.mtimeMs}`;
    } catch {
      return d;
    }
  });
  // a kernel tree's two views read the same directories with other macros
  return createHash('sha256')
    .update((defines.length ? [...parts, JSON.stringify(defines)] : parts).join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/** The whole catalogue's names file of an include configuration. */
function namesFile(abi: Abi, config: { includeDirs: string[]; defines: Array<[string, string]> }): string {
  return join(CACHE, `${abi.name}-${stamp(config.includeDirs, config.defines)}-v${CACHE_FORMAT}.json`);
}

const namesRead = new Map<string, CachedNames | undefined>();

function readNames(file: string): CachedNames | undefined {
  if (namesRead.has(file)) return namesRead.get(file);
  let names: CachedNames | undefined;
  try {
    const read = JSON.parse(readFileSync(file, 'utf8')) as CachedNames;
    if (read.format === CACHE_FORMAT) names = read;
  } catch {
    // not there yet, or unreadable
  }
  namesRead.set(file, names);
  return names;
}

/** cmd → ioctl names on `abi` (empty when the ABI has no headers here), with its unevaluated macros. */
export function ioctlNames(abi: Abi, include: IncludeOptions = {}): IoctlNames {
  let config;
  try {
    config = includeConfigFor(abi, include);
  } catch (e) {
    return withoutHeaders(abi, e);
  }
  const file = namesFile(abi, config);
  let cached = cachesOff() ? undefined : readNames(file);
  if (!cached) {
    cached = { format: CACHE_FORMAT, ...namesOf(dumpHeaders({ abi, ...include })) };
    if (cachesOff()) return indexed(abi, cached);
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(cached));
    renameSync(`${file}.${process.pid}`, file);
    namesRead.set(file, cached);
  }
  return indexed(abi, cached);
}

/** The names of one dump (a driver's headers, say), as ioctlNames gives those of the UAPI set. */
export function namesFromDump(d: Dumped): IoctlNames {
  return indexed(d.layouter.abi, namesOf(d));
}

function namesOf(d: Dumped): Omit<CachedNames, 'format'> {
  const unresolved = [...d.unresolved.values()].map((u): UnevaluatedName => {
    const n: UnevaluatedName = { name: u.name, reason: d.result.unresolved[u.name]! };
    if (u.dirBits !== undefined) n.dirBits = u.dirBits;
    if (u.type !== undefined) n.type = u.type;
    if (u.nr !== undefined) n.nr = u.nr;
    return n;
  });
  const units: Record<string, string[]> = {};
  for (const e of d.ioctls.values()) {
    const own = d.foundIn.get(e.name);
    const argUnit = e.arg !== undefined ? d.foundIn.get(e.arg) : undefined;
    if (own !== undefined) units[e.name] = argUnit !== undefined && argUnit !== own ? [own, argUnit] : [own];
  }
  return { ioctls: [...d.ioctls.values()].map((e) => [e.name, e.cmd]), unresolved, units, unread: unreadHeaders(d) };
}

function indexed(abi: Abi, names: Omit<CachedNames, 'format'>): IoctlNames {
  const byCmd = new Map<number, string[]>();
  for (const [name, cmd] of names.ioctls) byCmd.set(cmd, [...(byCmd.get(cmd) ?? []), name]);
  return new IoctlNames(abi, byCmd, names.unresolved, { units: names.units, unread: names.unread });
}

/** No names: the ABI's include directories are missing (includeConfigFor's UsageError says which, and why). */
function withoutHeaders(abi: Abi, e: unknown): IoctlNames {
  if (!(e instanceof UsageError)) throw e;
  return new IoctlNames(abi, [], [], { noHeaders: e.message });
}

/** What a reader of a few names asks for: numbers (their names) and macros (their numbers). */
export interface NamesWanted {
  cmds?: readonly number[];
  macros?: readonly string[];
  /** unitsOf is asked too (default true): the units that declare their argument records are dumped as well. */
  unitsOf?: boolean;
}

/**
 * The names of a few numbers and macros on `abi`, as ioctlNames gives them, without the whole
 * catalogue: a dump of only the units the header index names (ioctl-index.ts) — of those, the
 * ones that may define a macro of the answer not found in a unit before them —, with those that
 * declare the argument records of what they define (unitsOf needs where a record is first
 * found). Exact for what was asked: get and unevaluated of `cmds`, unitsOf and cmdOf of their
 * names and of `macros`. Kept in the result cache when it is on (cache.ts), which every file of
 * the ABI's tree keys: a header edited anywhere is read again.
 */
export function ioctlNamesFor(
  abi: Abi,
  include: IncludeOptions,
  wanted: NamesWanted,
  opts: {
    files?: FileCache;
    /**
     * Keep the answer in the result cache when it is on (default true). A caller whose whole run is kept
     * otherwise (the CLI's decode, replayed as a run) saves an entry naming every file of the tree.
     */
    cached?: boolean;
  } = {},
): IoctlNames {
  let config;
  try {
    config = includeConfigFor(abi, include);
  } catch (e) {
    return withoutHeaders(abi, e);
  }
  const dirs = config.includeDirs;
  const units = unitsOf(dirs);
  if (!units.length) return new IoctlNames(abi, [], []);
  const key = { abi: abi.name, include, wanted };
  const compute = () => {
    // the trees announced first: the macros of all of them are worked out once
    for (const [d, u] of pendingTrees.splice(0)) headerIndex(d, u);
    const ix = headerIndex(dirs, units);
    // what the answer depends on: the set of units and every file of the tree
    noteUapiSet(dirs, units);
    noteReads(ix.read);
    return namesOfUnits(abi, include, wanted, units, ix, opts.files);
  };
  const names = opts.cached === false ? compute() : cachedResult('names', JSON.stringify(key), compute, uapiHeaders);
  return names ? indexed(abi, names) : new IoctlNames(abi, [], []);
}

function namesOfUnits(
  abi: Abi,
  include: IncludeOptions,
  wanted: NamesWanted,
  units: string[],
  ix: HeaderIndex,
  files: FileCache | undefined,
): Omit<CachedNames, 'format'> | null {
  const needed = new Set<string>();
  for (const cmd of wanted.cmds ?? []) {
    const d = decodeIoc(abi, cmd);
    for (const u of ix.unitsForNumber(d.type, d.nr)) needed.add(u);
  }
  for (const m of wanted.macros ?? []) for (const u of ix.unitsForMacro(m)) needed.add(u);
  const numbers = (wanted.cmds ?? []).map((c) => decodeIoc(abi, c));
  const asked = new Set(wanted.macros ?? []);
  const catalogueOnly = (name: string) => asked.has(name) || ix.mayBe(name, numbers);
  const dumpOf = (set: Set<string>, unitWanted?: Parameters<typeof dumpHeaders>[0]['unitWanted']) =>
    dumpHeaders({
      abi,
      ...include,
      headers: units.filter((u) => set.has(u)),
      catalogueOnly,
      // names need no record's fields
      recordFields: false,
      ...(files ? { files } : {}),
      ...(unitWanted ? { unitWanted } : {}),
    });
  if (!needed.size) return null;
  // In scan order the first unit that defines a macro gives its number, as in the whole scan: of the
  // candidates, a unit is read only when it may define a macro of the answer that no unit before it
  // gave. The first candidate is read whatever it holds (macros of -D, as the whole set's first
  // candidate would), and so is every unit that reads a file the index could not follow.
  const sought = [...new Set([...ix.macrosFor(numbers), ...asked])].map(
    (m) => [m, new Set(ix.unitsForMacro(m))] as const,
  );
  const always = ix.unitsReadingUnknown();
  const first = units.find((u) => needed.has(u));
  const read = new Set<string>();
  let d = dumpOf(needed, (u, found) => {
    const wantedHere = u === first || always.has(u) || sought.some(([m, may]) => may.has(u) && !found.has(m));
    if (wantedHere) read.add(u);
    return wantedHere;
  });
  if (wanted.unitsOf === false) return namesOf(d);
  // where each argument record is first found: every unit that may declare it, in scan order
  const more = new Set(read);
  const want = new Set(wanted.cmds ?? []);
  for (const e of d.ioctls.values()) {
    if (!(want.has(e.cmd) || asked.has(e.name)) || e.arg === undefined) continue;
    if (!/^(?:(?:struct|union) )?\w+$/.test(e.arg)) continue;
    for (const u of ix.unitsForRecord(e.arg)) more.add(u);
  }
  if (more.size > read.size) d = dumpOf(more);
  return namesOf(d);
}

const unitLists = new Map<string, string[]>();

/** uapiHeaders, once per directory list in this process (a run asks it for every ABI). */
function unitsOf(dirs: string[]): string[] {
  const key = JSON.stringify(dirs);
  let u = unitLists.get(key);
  if (!u) unitLists.set(key, (u = uapiHeaders(dirs)));
  return u;
}

/** Trees announced by indexHeaderTrees, indexed on the first question the result cache does not answer. */
const pendingTrees: Array<[string[], string[]]> = [];

/**
 * Announces the ABIs whose names will be asked (ioctlNamesFor): their header trees are indexed
 * together on the first question the result cache does not answer, so the macros of all of them
 * are worked out once.
 */
export function indexHeaderTrees(abis: readonly Abi[], include: (abi: Abi) => IncludeOptions): void {
  for (const abi of abis) {
    let config;
    try {
      config = includeConfigFor(abi, include(abi));
    } catch {
      continue;
    }
    const units = unitsOf(config.includeDirs);
    if (units.length) pendingTrees.push([config.includeDirs, units]);
  }
}

/** The number of the ioctl macro `name` in names (undefined: none). */
export function cmdOf(names: ReadonlyMap<number, string[]>, name: string): number | undefined {
  for (const [cmd, list] of names) if (list.includes(name)) return cmd;
  return undefined;
}

/**
 * A progress line on stderr, on a terminal only, once the work has taken more than a second:
 * report(what) before each step, report(null) when done.
 */
export function slowProgress(label: string, after = 1000): (what: string | null) => void {
  if (!process.stderr.isTTY) return () => {};
  const t0 = Date.now();
  let shown = false;
  return (what) => {
    if (what === null) {
      if (shown) process.stderr.write('\r\x1b[K');
      return;
    }
    if (Date.now() - t0 < after) return;
    shown = true;
    process.stderr.write(`\r\x1b[K${label}: ${what}`);
  };
}
