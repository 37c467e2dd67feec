/**
 * A persistent cache of results between runs (as ccache or `tsc --incremental` keep theirs), in
 * the user's cache directory: IOCTL32_CACHE, else $XDG_CACHE_HOME/ioctl32, else ~/.cache/ioctl32,
 * under `results/`. An entry is keyed by what was asked (the kind, the options), the ioctl32
 * version and build, and holds the state (size, inode, modification and change times) of every
 * file the computation read (and the paths it looked for and did not find, and the UAPI header
 * lists it walked): it is used only while all of them are as they were, so an edited header is
 * read again. Writes go to a temporary file renamed into place (concurrent runs never see half an
 * entry); the directory is bounded in size, the least recently used entries going first
 * (cache-dir.cts). Off unless a caller turns it on (the CLI does, but with --no-cache): a library
 * user or a test gets what the headers say now. The CLI also replays whole runs (src/cli/replay.cts).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileCache } from '../cfront/preprocess.js';
import { cacheRoot } from '../cache-root.cjs';
import { touch, writeResultFile } from './cache-dir.cjs';

/** Bumped when an entry's shape changes. */
const FORMAT = 2;

/** undefined: the library's default (no result cache; the names of ioctlNames are still kept). */
let enabled: boolean | undefined;

/** Turns the caches on or off for this process (the CLI: on, off with --no-cache). */
export function setResultCache(on: boolean): void {
  enabled = on;
}

/** Whether every cache was turned off (--no-cache): nothing is read from or written to the cache directory. */
export function cachesOff(): boolean {
  return enabled === false;
}

/** What one computation read. */
interface Reads {
  /** Path → whether it existed. */
  files: Map<string, boolean>;
  /** UAPI header lists walked: the include directories and what they held. */
  sets: Map<string, string[]>;
  /** Only what other threads read (noteReadsOf): this thread's reads are seen by the caller otherwise. */
  othersOnly?: boolean;
}

/** The computations under way (nested ones record into every one around them). */
const sessions: Reads[] = [];
/** The sessions this thread's reads go to (not the othersOnly ones). */
let own: Reads[] = [];

function startSession(reads: Reads): void {
  sessions.push(reads);
  own = sessions.filter((s) => !s.othersOnly);
}

function endSession(reads: Reads): void {
  const at = sessions.indexOf(reads);
  if (at >= 0) sessions.splice(at, 1);
  own = sessions.filter((s) => !s.othersOnly);
}

/** Every path each FileCache has answered for: a computation that reuses one depends on all of them. */
const answered = new WeakMap<FileCache, Map<string, boolean>>();

/**
 * Records what `files` reads for the computations under way (scanHeaders calls it for its
 * FileCache). A FileCache used before answers some searches from its own memo: the computation
 * depends on every file it has read.
 */
export function noteFiles(files: FileCache): void {
  let seen = answered.get(files);
  if (!seen) {
    const all = new Map<string, boolean>();
    seen = all;
    answered.set(files, all);
    const get = files.get.bind(files);
    files.get = (path: string) => {
      const f = get(path);
      all.set(path, f !== null);
      for (const s of own) s.files.set(path, f !== null);
      return f;
    };
  }
  for (const s of own) for (const [p, e] of seen) s.files.set(p, e);
}

/** Records paths read (or looked for) outside a FileCache: the header index's. */
export function noteReads(paths: Iterable<readonly [string, boolean]>): void {
  readsInto(own, paths);
}

function readsInto(into: readonly Reads[], paths: Iterable<readonly [string, boolean]>): void {
  if (!into.length) return;
  for (const [p, e] of paths) for (const s of into) s.files.set(p, e);
}

/** Records a UAPI header list walked in `dirs` (uapiHeaders). */
export function noteUapiSet(dirs: readonly string[], headers: readonly string[]): void {
  setInto(own, dirs, headers);
}

function setInto(into: readonly Reads[], dirs: readonly string[], headers: readonly string[]): void {
  for (const s of into) s.sets.set(JSON.stringify(dirs), [...headers]);
}

/** What a computation read: the files (path, whether it existed) and the UAPI header lists walked (JSON dirs, headers). */
export interface ReadsOf {
  files: Array<[string, boolean]>;
  sets: Array<[string, string[]]>;
}

/**
 * `f()`'s value and what it read, for a computation run in another thread (src/scan/parallel.ts):
 * the caller's thread notes the reads (noteReads, noteUapiSet) into its own computations under way.
 */
export function readsOf<T>(f: () => T): { value: T; reads: ReadsOf } {
  const reads: Reads = { files: new Map(), sets: new Map() };
  startSession(reads);
  try {
    return { value: f(), reads: { files: [...reads.files], sets: [...reads.sets] } };
  } finally {
    endSession(reads);
  }
}

/**
 * Starts recording what the computations from now on read (readsOf for a run that is not one call): the
 * function returned stops and gives what they read. `othersOnly`: only what other threads read (noteReadsOf) —
 * a caller that watches this thread's file system calls itself (src/cli/replay.cts) needs no note of those.
 */
export function startReads(opts: { othersOnly?: boolean } = {}): () => ReadsOf {
  const reads: Reads = { files: new Map(), sets: new Map(), othersOnly: opts.othersOnly === true };
  startSession(reads);
  return () => {
    endSession(reads);
    return { files: [...reads.files], sets: [...reads.sets] };
  };
}

/** Notes reads made elsewhere (readsOf's, in another thread) into the computations under way. */
export function noteReadsOf(reads: ReadsOf): void {
  if (!sessions.length) return;
  readsInto(sessions, reads.files);
  for (const [dirs, headers] of reads.sets) setInto(sessions, JSON.parse(dirs) as string[], headers);
}

/** What a computation read, as it was then: each file's signature (null: absent), the UAPI lists walked. */
export interface ReadStamp {
  files: Array<[string, string | null]>;
  sets: Array<[string, string[]]>;
}

/** `f()`'s value and the stamp of what it read (a long-lived process's memo: the web viewer's). */
export function stamped<T>(f: () => T): { value: T; stamp: ReadStamp } {
  const { value, reads } = readsOf(f);
  return { value, stamp: stampOf(reads) };
}

/** What was read, with each file's signature now (null: absent, or gone since it was read). */
function stampOf(reads: ReadsOf): ReadStamp {
  const files = reads.files.map(([p, exists]): [string, string | null] => [p, exists ? (statSig(p) ?? null) : null]);
  return { files, sets: reads.sets };
}

/** Whether every file a stamp names is as it was (size, inode, times) and each UAPI list walks the same. */
export function stillAsRead(stamp: ReadStamp, walk: (dirs: string[]) => string[]): boolean {
  for (const [p, sig] of stamp.files) if ((statSig(p) ?? null) !== sig) return false;
  for (const [dirs, headers] of stamp.sets) {
    if (JSON.stringify(walk(JSON.parse(dirs) as string[])) !== JSON.stringify(headers)) return false;
  }
  return true;
}

/**
 * A result and its stamp: each file's size, inode, modification and change times (null: it did not exist); while
 * those are the same the content is (a write changes ctime). No content hash: reading every file again to hash it
 * cost a cold run more than a touched but unchanged file's recomputation saves.
 */
interface Entry<T> extends ReadStamp {
  format: number;
  value: T;
}

/**
 * `compute()`'s value, from the cache when everything it read is as it was; else computed and
 * stored. `key`: what was asked (JSON-able). `walk`: lists the UAPI headers of directories again.
 */
export function cachedResult<T>(kind: string, key: unknown, compute: () => T, walk: (dirs: string[]) => string[]): T {
  if (!enabled) return compute();
  const id = createHash('sha256')
    .update(JSON.stringify([FORMAT, kind, build(), process.cwd(), key]))
    .digest('hex')
    .slice(0, 32);
  const file = join(cacheRoot(), 'results', `${kind}-${id}.json`);
  const hit = readEntry<T>(file, walk);
  if (hit !== undefined) return hit;
  const { value, reads } = readsOf(compute);
  const entry: Entry<T> = { format: FORMAT, ...stampOf(reads), value };
  // a file that vanished since it was read: nothing trustworthy to keep
  if (reads.files.some(([, exists], i) => exists && entry.files[i]![1] === null)) return value;
  writeResultFile(`${kind}-${id}.json`, JSON.stringify(entry));
  return value;
}

function readEntry<T>(file: string, walk: (dirs: string[]) => string[]): T | undefined {
  let entry: Entry<T>;
  try {
    entry = JSON.parse(readFileSync(file, 'utf8')) as Entry<T>;
  } catch {
    return undefined;
  }
  if (entry.format !== FORMAT) return undefined;
  const walkOnce = (dirs: string[]) => {
    const key = JSON.stringify(dirs);
    let now = walked.get(key);
    if (now === undefined) walked.set(key, (now = walk(dirs)));
    return now;
  };
  if (!stillAsRead(entry, walkOnce)) return undefined;
  touch(file);
  // a computation around this one depends on what this one read (its look at each file was this thread's)
  for (const s of own) {
    for (const [p, sig] of entry.files) s.files.set(p, sig !== null);
    for (const [dirs, headers] of entry.sets) s.sets.set(dirs, headers);
  }
  return entry.value;
}

/** UAPI header lists walked while validating, by their directories (a run does not see them change). */
const walked = new Map<string, string[]>();

/** Signatures by path while files are taken as steady (filesSteady): entries of one tree share most of their files. */
let sigs: Map<string, string | undefined> | undefined;

/**
 * Runs `f` with the files taken as unchanging while it runs: each is looked at once however many
 * entries name it (decode asks for every ABI in a row).
 */
export function filesSteady<T>(f: () => T): T {
  const outer = sigs;
  sigs ??= new Map();
  try {
    return f();
  } finally {
    sigs = outer;
  }
}

/** What changes when a file's content may have: size, inode, modification and change times. */
function statSig(path: string): string | undefined {
  if (sigs?.has(path)) return sigs.get(path);
  const st = statSync(path, { throwIfNoEntry: false });
  const sig = st ? `${st.size}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}` : undefined;
  sigs?.set(path, sig);
  return sig;
}

let buildStamp: string | undefined;

/** ioctl32's version and build: its package version and the content of each of its modules. */
function build(): string {
  if (buildStamp !== undefined) return buildStamp;
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, '..');
  const parts: string[] = [];
  try {
    parts.push((createRequire(import.meta.url)('../../package.json') as { version: string }).version);
  } catch {
    parts.push('?');
  }
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.c?[jt]s$/.test(name)) hash.update(`${p}\0`).update(readFileSync(p));
    }
  };
  try {
    walk(root);
    parts.push(hash.digest('hex'));
  } catch {
    parts.push('unlisted');
  }
  return (buildStamp = parts.join(':'));
}
