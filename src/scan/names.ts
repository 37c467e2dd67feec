/**
 * Names of command numbers per ABI, from the catalogue of its whole UAPI set. Scanning a header
 * tree takes a second or two, so the numbers are kept in ~/.cache/ioctl32 (IOCTL32_CACHE), keyed
 * by the ABI, its include directories and the headers' version stamp.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Abi } from '../abi/types.js';
import { includeConfigFor, type IncludeOptions } from '../cfront/index.js';
import { decodeIoc } from '../ioctl/ioc.js';
import { dumpHeaders, type Dumped } from './dump.js';

const CACHE = join(process.env.IOCTL32_CACHE ?? join(homedir(), '.cache', 'ioctl32'), 'names');
/** Bumped when the cached file's shape changes, so an older file is not misread. */
const CACHE_FORMAT = 3;

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

/** cmd → ioctl names on one ABI, and the catalogue's macros there that have no number. */
export class IoctlNames extends Map<number, string[]> {
  constructor(
    readonly abi: Abi,
    entries: Iterable<[number, string[]]>,
    readonly unresolved: readonly UnevaluatedName[],
    private readonly units: Readonly<Record<string, string[]>> = {},
  ) {
    super(entries);
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

/** cmd → ioctl names on `abi` (empty when the ABI has no headers here), with its unevaluated macros. */
export function ioctlNames(abi: Abi, include: IncludeOptions = {}): IoctlNames {
  let config;
  try {
    config = includeConfigFor(abi, include);
  } catch {
    return new IoctlNames(abi, [], []);
  }
  const file = join(CACHE, `${abi.name}-${stamp(config.includeDirs, config.defines)}-v${CACHE_FORMAT}.json`);
  let cached: CachedNames | undefined;
  try {
    const read = JSON.parse(readFileSync(file, 'utf8')) as CachedNames;
    if (read.format === CACHE_FORMAT) cached = read;
  } catch {
    // not there yet, or unreadable: computed below
  }
  if (!cached) {
    cached = { format: CACHE_FORMAT, ...namesOf(dumpHeaders({ abi, ...include })) };
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(cached));
    renameSync(`${file}.${process.pid}`, file);
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
  return { ioctls: [...d.ioctls.values()].map((e) => [e.name, e.cmd]), unresolved, units };
}

function indexed(abi: Abi, names: Omit<CachedNames, 'format'>): IoctlNames {
  const byCmd = new Map<number, string[]>();
  for (const [name, cmd] of names.ioctls) byCmd.set(cmd, [...(byCmd.get(cmd) ?? []), name]);
  return new IoctlNames(abi, byCmd, names.unresolved, names.units);
}
