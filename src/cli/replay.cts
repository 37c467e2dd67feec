/**
 * Runs replayed, as ccache's direct mode answers a compile it has seen: a command that reads only
 * files (check, dump, layout, decode) run again with the same arguments, working directory, terminal
 * and environment, while every file and directory the first run consulted is as it was, prints what
 * that run printed and exits as it did — before the rest of ioctl32 is even loaded. A first run is
 * recorded by watching the file system calls of the whole process (node:fs, every module's), so no
 * input can be missed: a header, a directory listed (an added header changes its times), a path
 * looked for and not found, the annotations file, the kernel tree. Entries live beside the result
 * cache (src/scan/cache.ts: atomic writes, bounded, off with --no-cache).
 */
import type * as Fs from 'node:fs';
import { createRequire } from 'node:module';
import { machine, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../cache-root.cjs';
import { readResultFile, writeResultFile } from '../scan/cache-dir.cjs';

/** node:fs itself, whose functions a recording watches (an `import * as` is a copy of it). */
const fs = createRequire(__filename)('node:fs') as typeof Fs;

/** Bumped when an entry's shape changes. */
const FORMAT = 1;

/** The commands whose output depends only on what they read (not stdin, no files written). */
const REPLAYED = new Set(['check', 'dump', 'layout', 'decode']);

/** Environment variables a command's output may depend on: the caches' places and colour. */
const ENV = /^(IOCTL32_\w+|XDG_CACHE_HOME|HOME|NO_COLOR)$/;

/**
 * A file changed this recently (ms) may change again within its time stamp's granularity without
 * its stamp changing (git's "racy" files): a run that consulted one is not kept.
 */
const RACY_MS = 2000;

interface RunEntry {
  format: number;
  /** What was asked (askedOf): an entry answers only its own. */
  key: string;
  /** Each path consulted with its state then (stateOf), in the order consulted. */
  consulted: Consulted[];
  /** What the run wrote, in order: [1 stdout | 2 stderr, text]. */
  out: Array<[1 | 2, string]>;
  code: number;
}

/** The installed package's directory (dist/cli/replay.cjs is two below). */
const PACKAGE_ROOT = resolve(__dirname, '..', '..');

/** fs.statSync before any recording watches it. */
const realStat = fs.statSync;
const ABSENT_IS_UNDEFINED = { throwIfNoEntry: false } as const;

/** A path that exists and its state: type, size, inode, modification and change times. */
type Consulted = [string, number, number, number, number, number];

/** Where ctime sits in a Consulted. */
const CTIME = 5;

/** The path's state, or null when it does not exist. */
function stateOf(path: string): Consulted | null {
  const st = realStat(path, ABSENT_IS_UNDEFINED);
  return st ? stateIn(st, path) : null;
}

/** The state a stat gives a path (a call's own: an fstat of what it opened, say). */
const stateIn = (st: Fs.Stats, path: string): Consulted => [path, st.mode, st.size, st.ino, st.mtimeMs, st.ctimeMs];

/** A slash, none to two dots and a slash or the end: what makes a path starting with one not normal. */
const NOT_NORMAL = /\/\.{0,2}(?:\/|$)/;

/** The path absolute and normal, as resolve gives it (the same string when it is: resolve takes a while). */
function normalAbsolute(p: string): string {
  return p.charCodeAt(0) === 47 && !NOT_NORMAL.test(p) ? p : resolve(p);
}

/** Whether the path is as it was (numbers compared as numbers: a replay makes thousands of these). */
function holds(c: Consulted): boolean {
  const st = realStat(c[0], ABSENT_IS_UNDEFINED);
  return (
    st !== undefined &&
    st.mtimeMs === c[4] &&
    st.ctimeMs === c[5] &&
    st.size === c[2] &&
    st.ino === c[3] &&
    st.mode === c[1]
  );
}

/** The command of `argv` (the first word that is no option), when its runs may be replayed. */
function replayable(argv: readonly string[]): boolean {
  if (argv.includes('--no-cache')) return false;
  const command = argv.find((a) => !a.startsWith('-'));
  return command !== undefined && REPLAYED.has(command);
}

let asked: { key: string; name: string } | undefined;

/**
 * What a run's output may depend on besides the files it reads (`key`, kept in the entry and compared
 * whole), and the entry's file name (a hash of it: node:crypto would cost a replay more than it saves).
 */
function askedOf(argv: readonly string[]): { key: string; name: string } {
  if (asked !== undefined) return asked;
  const env = Object.keys(process.env)
    .filter((k) => ENV.test(k))
    .sort()
    .map((k) => [k, process.env[k]]);
  const key = JSON.stringify([
    FORMAT,
    // this ioctl32 (another install's runs name their own modules, which may be as they were)
    PACKAGE_ROOT,
    process.version,
    process.arch,
    machine(),
    release(),
    process.cwd(),
    argv,
    env,
    deviceOf(1),
    deviceOf(2),
  ]);
  // FNV-1a, two lanes of 32 bits
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return (asked = { key, name: `run-${hex(a)}${hex(b)}.json` });
}

/**
 * What stdout or stderr is, as far as what is written to it may depend on it (colour and progress on a terminal):
 * its file type and device — a terminal, /dev/null and a pipe are told apart. Not process.stdout.isTTY (a replay
 * writes without making node's streams) nor node:tty (it loads node:net, a tenth of a replay).
 */
function deviceOf(fd: number): string {
  try {
    const st = fs.fstatSync(fd);
    return `${st.mode & 0o170000}:${st.rdev}`;
  } catch {
    return 'closed';
  }
}

/** ioctl32's own modules (dist/): a rebuilt or reinstalled ioctl32 replays no run of the one before. */
function ownModules(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.c?js$/.test(e.name)) out.push(p);
    }
  };
  walk(join(PACKAGE_ROOT, 'dist'));
  return out;
}

/**
 * Replays an earlier run of `argv` when one was kept and nothing it consulted changed: its output is
 * written and its exit code returned; null when the run must be made.
 */
export function replayRun(argv: readonly string[]): number | null {
  if (!replayable(argv)) return null;
  const { key, name } = askedOf(argv);
  const text = readResultFile(name);
  if (text === null) return null;
  let entry: RunEntry;
  try {
    entry = JSON.parse(text) as RunEntry;
  } catch {
    return null;
  }
  if (entry.format !== FORMAT || entry.key !== key) return null;
  for (const c of entry.consulted) if (!holds(c)) return null;
  writeOut(entry.out);
  return entry.code;
}

/** Writes a run's output again: straight to the descriptors, without making node's streams. */
function writeOut(out: ReadonlyArray<[1 | 2, string]>): void {
  const closed = new Set<number>();
  for (let i = 0; i < out.length; i++) {
    const [fd, chunk] = out[i]!;
    if (closed.has(fd)) continue;
    const bytes = Buffer.from(chunk, 'utf8');
    try {
      for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done);
    } catch (e) {
      // the reader went away (ioctl32 check | head): the rest of that stream goes nowhere, as in a run
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') {
        closed.add(fd);
        continue;
      }
      // a descriptor left non-blocking (EAGAIN): the rest through node's streams, which wait
      quietOnEpipe();
      for (const [f, c] of out.slice(i)) if (!closed.has(f)) (f === 1 ? process.stdout : process.stderr).write(c);
      return;
    }
  }
}

/**
 * A reader that goes away (`ioctl32 check | head`) ends nothing but the output: what is written after is
 * dropped, and the run ends with its own exit code (node would throw the stream's EPIPE).
 */
export function quietOnEpipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}

/** A run being recorded: `finish` keeps it with its exit code (a run that throws is never kept). */
export interface Recording {
  finish(code: number): void;
}

/** File system calls whose first argument is a path the process consults (openSync, readFileSync, statSync: below). */
const WATCHED = ['existsSync', 'lstatSync', 'readdirSync', 'opendirSync', 'realpathSync', 'accessSync'] as const;

/**
 * Starts recording this process's run of `argv` (null when such runs are not replayed): every path
 * a file system call consults (outside ioctl32's caches, which the run itself writes) with its state
 * before the call, and everything written to stdout and stderr.
 */
export async function recordRun(argv: readonly string[]): Promise<Recording | null> {
  if (!replayable(argv)) return null;
  const { cachesOff, startReads } = await import('../scan/cache.js');
  const { syncBuiltinESMExports } = await import('node:module');
  const started = Date.now();
  const consulted = new Map<string, Consulted>();
  // not the caches this run writes; ioctl32's own modules, each of them, and none of its dependencies
  const caches = [cacheRoot(), join(PACKAGE_ROOT, 'dist'), join(PACKAGE_ROOT, 'node_modules')].map(
    (d) => `${resolve(d)}/`,
  );
  // a path that is not there stands as its directory, in the state the directory had then (an entry added to a
  // directory changes its times): an include search's thousand misses in one directory are one look
  const absent = new Set<string>();
  /** The path a call consulted as noted (absolute, normal), or null when it is noted already or not noted at all. */
  const toNote = (p: unknown): string | null => {
    // a path noted before as it is given (a key is absolute and normal: resolve would give it back)
    if (typeof p === 'string' && (consulted.has(p) || absent.has(p))) return null;
    const path =
      typeof p === 'string'
        ? normalAbsolute(p)
        : Buffer.isBuffer(p)
          ? resolve(p.toString())
          : p instanceof URL
            ? fileURLToPath(p)
            : null;
    if (path === null || consulted.has(path) || absent.has(path)) return null;
    for (const c of caches) if (path.startsWith(c)) return null;
    return path;
  };
  /** Keeps a path (toNote's) in the state `st` (undefined: not there). */
  const keep = (path: string, st: Fs.Stats | undefined) => {
    if (st) consulted.set(path, stateIn(st, path));
    else {
      absent.add(path);
      note(dirname(path));
    }
  };
  /** Notes a path consulted in the state a call's own stat gave it (undefined: not there): no second look. */
  const noteAs = (p: unknown, st: Fs.Stats | undefined) => {
    const path = toNote(p);
    if (path !== null) keep(path, st);
  };
  /** Notes a path consulted, in its state now. */
  const note = (p: unknown) => {
    const path = toNote(p);
    if (path !== null) keep(path, realStat(path, ABSENT_IS_UNDEFINED));
  };
  for (const path of ownModules()) {
    const state = stateOf(path);
    if (state) consulted.set(path, state);
  }
  /** A call whose failure says the path's state as much as its success: noted (by its path) when it throws. */
  const orNoted = <T,>(p: unknown, call: () => T): T => {
    try {
      return call();
    } catch (e) {
      note(p);
      throw e;
    }
  };
  const target = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of WATCHED) {
    const real = target[name]!;
    const watched = (...args: unknown[]) => {
      note(args[0]);
      return real(...args);
    };
    target[name] = Object.assign(watched, real);
  }
  // a descriptor opened is noted by its own fstat, not a second look up its path (the header index opens
  // sixteen thousand files)
  const realOpen = fs.openSync;
  const open = (...args: unknown[]) => {
    const fd = orNoted(args[0], () => realOpen(...(args as Parameters<typeof realOpen>)));
    const path = toNote(args[0]);
    if (path === null) return fd;
    let st: Fs.Stats | undefined;
    try {
      st = fs.fstatSync(fd);
    } catch {
      st = realStat(path, ABSENT_IS_UNDEFINED);
    }
    keep(path, st);
    return fd;
  };
  target.openSync = Object.assign(open, realOpen);
  // readFileSync reads through a descriptor opened as above: the state of what was read, no look more than its own
  const realRead = fs.readFileSync;
  target.readFileSync = Object.assign((...args: unknown[]) => {
    const [p, options] = args;
    const plain = typeof options !== 'object' || options === null || !('flag' in options);
    if (!plain || (typeof p !== 'string' && !(p instanceof URL))) {
      note(p);
      return realRead(...(args as Parameters<typeof realRead>));
    }
    let fd: number;
    try {
      fd = open(p, 'r');
    } catch {
      // not there (or not readable), its state noted: the call's own error
      return realRead(...(args as Parameters<typeof realRead>));
    }
    try {
      return realRead(fd, options as Parameters<typeof realRead>[1]);
    } finally {
      fs.closeSync(fd);
    }
  }, realRead);
  // statSync answers with the state itself (the result cache and the header walk ask it for thousands of files)
  target.statSync = Object.assign((...args: unknown[]) => {
    const st: unknown = orNoted(args[0], () => realStat(...(args as Parameters<typeof realStat>)));
    const s = st as Fs.Stats | undefined;
    // a BigIntStats (bigint: true) is looked at again as numbers
    if (s === undefined || typeof s.mtimeMs === 'number') noteAs(args[0], s);
    else note(args[0]);
    return st;
  }, realStat);
  // ES modules that imported these names see the watched ones too
  syncBuiltinESMExports();
  // what worker threads read comes back to this thread's computations under way (this thread's is watched here)
  const workerReads = startReads({ othersOnly: true });
  const out: Array<[1 | 2, string]> = [];
  for (const fd of [1, 2] as const) {
    const stream = fd === 1 ? process.stdout : process.stderr;
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      out.push([fd, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')]);
      return write(chunk, ...rest);
    };
  }
  return {
    finish(code) {
      // --no-cache may sit where this did not look (after the command): the program turned caches off
      if (cachesOff()) return;
      // a worker's reads in their state now (a file changed since is racy: its ctime is recent)
      for (const [path] of workerReads().files) note(path);
      const { key, name } = askedOf(argv);
      const entry: RunEntry = { format: FORMAT, key, consulted: [...consulted.values()], out, code };
      // a file changed within its stamp's granularity of this run may change again unseen
      const racy = entry.consulted.some((c) => c[CTIME] > started - RACY_MS);
      if (!racy) writeResultFile(name, JSON.stringify(entry));
    },
  };
}
