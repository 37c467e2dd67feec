/**
 * Scanning headers: each header is its own translation unit (as a compiler sees
 * `#include <HEADER>` alone); files are tokenized once for all headers and ABIs.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { assertAbi } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import {
  BUILTIN_INCLUDE_DIR,
  KERNEL_STUB_DIR,
  KERNEL_VIEW_DIR,
  includeConfigFor,
  isSystemIncludeDir,
  parseHeader,
  type FrontEndTimings,
  type IncludeMemos,
  type IncludeOptions,
  type ParsedHeader,
} from '../cfront/index.js';
import { FileCache } from '../cfront/preprocess.js';
import { CFrontError } from '../cfront/token.js';
import { LayoutError } from '../layout/types.js';
import { Layouter } from '../layout/layout.js';
import { noteFiles, noteUapiSet } from './cache.js';

/** The directories below an include directory that hold the UAPI set (CONTRACT.md). */
export const UAPI_DIRS = ['linux', 'asm', 'drm', 'misc', 'mtd', 'rdma', 'scsi', 'sound', 'video', 'xen'];

/** Every `*.h` of the UAPI set, as include names, sorted; the first directory holding a name wins. */
export function uapiHeaders(includeDirs: string[]): string[] {
  const names = new Set<string>();
  const walk = (root: string, rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const e = entry.name;
      const r = `${rel}/${e}`;
      // the entry's own type, but where a link points (a stat per link only)
      let dir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          dir = statSync(join(root, r)).isDirectory();
        } catch {
          continue;
        }
      }
      if (dir) walk(root, r);
      else if (e.endsWith('.h')) names.add(r);
    }
  };
  for (const dir of includeDirs) {
    // ioctl32's own stand-ins are no headers of the set
    if (dir === BUILTIN_INCLUDE_DIR || dir === KERNEL_STUB_DIR || dir === KERNEL_VIEW_DIR) continue;
    for (const sub of UAPI_DIRS) walk(dir, sub);
  }
  const headers = [...names].sort();
  // a cached result depends on the set as well as on the files (src/scan/cache.ts)
  noteUapiSet(includeDirs, headers);
  return headers;
}

export interface ScanOptions extends IncludeOptions {
  abi: Abi;
  /** Include names or paths; none means the whole UAPI set. */
  headers?: string[];
  /**
   * A legacy argument type no unit of the run declares is read with what the legacy table says a program
   * includes for it (default true; src/scan/dump.ts legacyTypesFromNeeds).
   */
  legacyNeeds?: boolean;
  defines?: Array<[string, string]>;
  undefines?: string[];
  /**
   * Shared between scans of several ABIs so each file is tokenized once, and the text between
   * includes expanded once for every ABI that agrees on it.
   */
  files?: FileCache;
  onProgress?: (done: number, total: number, header: string) => void;
  /** Replay included files expanded before (default true; false for differential tests of the memo). */
  memo?: boolean;
  /** Milliseconds per stage, added to (benchmarks: where the time goes). */
  timings?: ScanTimings;
}

/** Milliseconds per stage of a scan: the front end's, and the dump's own (dumpHeaders adds them). */
export interface ScanTimings extends FrontEndTimings {
  /** Laying out the records found and listing their fields. */
  records: number;
  catalogue: number;
}

export interface ScannedHeader {
  header: string;
  parsed?: ParsedHeader;
  /** The first error, located (file:line:col). */
  error?: string;
}

export interface Scan {
  abi: Abi;
  includeDirs: string[];
  /** The macros every unit starts with beyond the ABI's: the include options' (a kernel view's), then -D. */
  defines: Array<[string, string]>;
  /** -U, after the defines. */
  undefines: string[];
  headers: string[];
  /** Lays out every unit's records (one per scan: declarations are shared between units). */
  layouter: Layouter;
  /**
   * Name of a file for reports: relative to the include directory that holds it when that is a
   * system or cross directory, or ioctl32's own (`linux/kvm.h`, `stddef.h`); else, the user's
   * file (their header, or one found through their -I or --sysroot), the path that opens it from
   * the working directory (`inc/mydrv/types.h`), as a compiler names it.
   */
  displayName: (file: string) => string;
  /** A message with its paths named as displayName names them. */
  shorten: (message: string) => string;
  files: FileCache;
  /**
   * The scan's include memos (undefined with `memo: false`) and whether its units share chunk memos through the
   * FileCache: a unit made beside the scan's (a header with what a program includes first) replays them too.
   */
  memos: IncludeMemos | undefined;
  shareChunks: boolean;
  /** The path a header argument (a path or an include name) names. */
  resolve: (header: string) => string;
  /** Each header parsed in turn (those `wanted` refuses, asked just before their turn, are passed over). */
  each(wanted?: (header: string) => boolean): Generator<ScannedHeader>;
}

export function scanHeaders(opts: ScanOptions): Scan {
  assertAbi(opts?.abi, 'scan options (dump, layout, convert)');
  const config = includeConfigFor(opts.abi, opts);
  const includeDirs = config.includeDirs;
  const defines = [...config.defines, ...(opts.defines ?? [])];
  const undefines = opts.undefines ?? [];
  // a kernel tree's directories are named by include name, as system ones are (linux/kvm.h)
  const named = new Set([BUILTIN_INCLUDE_DIR, KERNEL_STUB_DIR, KERNEL_VIEW_DIR, ...config.kernelDirs]);
  const headers = opts.headers?.length ? opts.headers : uapiHeaders(includeDirs);
  const files = opts.files ?? new FileCache();
  noteFiles(files);
  // the system directories come after the compiler's own (-I directories before it are the user's)
  files.addSystemDirs(includeDirs.slice(includeDirs.indexOf(BUILTIN_INCLUDE_DIR) + 1));
  const longestFirst = [...includeDirs].sort((a, b) => b.length - a.length);
  const userDirs = new Map<string, boolean>();
  const userDir = (d: string) => {
    let user = userDirs.get(d);
    if (user === undefined) userDirs.set(d, (user = !named.has(d) && !isSystemIncludeDir(d)));
    return user;
  };
  // the user's directories after the compiler's own (a --sysroot of theirs), in search order
  const userRoots = includeDirs.slice(includeDirs.indexOf(BUILTIN_INCLUDE_DIR) + 1).filter(userDir);
  const displayName = (file: string) => {
    for (const d of longestFirst) {
      if (file.startsWith(`${d}/`)) return userDir(d) ? asFound(file) : relative(d, file);
    }
    // tokens shared with another tree's copy of a header: this tree's own copy, or its include name
    const system = files.systemName(file);
    if (system !== null) {
      const own = userRoots.find((d) => files.canonical(join(d, system)) === file);
      return own !== undefined ? asFound(join(own, system)) : system;
    }
    // the user's own header: relative to where they are, absolute outside the working directory
    return file.startsWith('/') ? asFound(file) : file;
  };
  const shorten = (message: string) => {
    let m = message;
    const dirs = [...new Set([...includeDirs, ...files.systemDirs])].sort((a, b) => b.length - a.length);
    for (const d of dirs) m = replaceDir(m, d, userDir(d) ? asFound(d) : null);
    // the user's own files: relative to where they are, as displayName shows them
    const cwd = process.cwd();
    return cwd === '/' ? m : replaceDir(m, cwd, null);
  };
  const resolveHeader = (header: string) => {
    if (header.startsWith('/') || header.startsWith('.')) return resolve(header);
    const dir = includeDirs.find((d) => files.get(join(d, header)) !== null);
    return dir ? join(dir, header) : resolve(header);
  };
  const layouter = new Layouter(opts.abi);
  // the scan's units share one configuration: what one expanded, the next may replay; so do the scans of a base
  // ABI and its flavours that follow one another with one FileCache (their layout facts are one)
  const facts = opts.abi.flavourOf ?? opts.abi.name;
  const memos: IncludeMemos | undefined =
    opts.memo === false ? undefined : files.includeMemosFor(JSON.stringify([facts, includeDirs, defines, undefines]));
  const shareChunks = opts.files !== undefined;
  return {
    abi: opts.abi,
    includeDirs,
    defines,
    undefines,
    headers,
    layouter,
    displayName,
    shorten,
    files,
    memos,
    shareChunks,
    resolve: resolveHeader,
    *each(wanted) {
      for (let i = 0; i < headers.length; i++) {
        const header = headers[i]!;
        opts.onProgress?.(i, headers.length, header);
        if (wanted && !wanted(header)) continue;
        try {
          yield {
            header,
            parsed: parseHeader(header, {
              abi: opts.abi,
              includeDirs,
              defines,
              undefines,
              files,
              sizes: layouter,
              memos,
              shareChunks,
              timings: opts.timings,
            }),
          };
        } catch (e) {
          if (!(e instanceof CFrontError) && !(e instanceof LayoutError)) throw e;
          yield { header, error: e.message };
        }
      }
      opts.onProgress?.(headers.length, headers.length, '');
    },
  };
}

/**
 * The kernel version of the UAPI headers the include directories find first (linux/version.h: `6.1.192`), null
 * without one. Two ABIs' trees of other versions differ where one version added or changed a declaration.
 */
export function headersVersion(includeDirs: readonly string[]): string | null {
  for (const dir of includeDirs) {
    let text: string;
    try {
      text = readFileSync(join(dir, 'linux/version.h'), 'latin1');
    } catch {
      continue;
    }
    const code = /^#define LINUX_VERSION_CODE (\d+)$/m.exec(text);
    if (!code) return null;
    const n = Number(code[1]);
    // the code holds at most 255 as the sublevel; newer headers say it whole
    const sublevel = /^#define LINUX_VERSION_SUBLEVEL (\d+)$/m.exec(text)?.[1] ?? String(n & 0xff);
    return `${n >> 16}.${(n >> 8) & 0xff}.${sublevel}`;
  }
  return null;
}

/** A path as found, relative to the working directory when inside it (`inc/mydrv/types.h`), else absolute. */
export function asFound(path: string): string {
  const rel = relative(process.cwd(), path);
  if (rel === '') return '.';
  return rel === '..' || rel.startsWith('../') || isAbsolute(rel) ? path : rel;
}

/**
 * `dir/` in a message's paths replaced by `by/` (null: dropped), where a path starts (not inside
 * a longer one: /x/inc/ is not in /y/x/inc/).
 */
function replaceDir(message: string, dir: string, by: string | null): string {
  const escaped = `${dir}/`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const prefix = by === null || by === '.' ? '' : `${by}/`;
  return message.replace(new RegExp(`(^|[^\\w./~-])${escaped}`, 'g'), (_, before: string) => `${before}${prefix}`);
}

/** A progress line on stderr for long scans, only on a terminal. */
export function progressLine(label: string): ScanOptions['onProgress'] {
  if (!process.stderr.isTTY) return undefined;
  return (done, total, header) => {
    if (done === total) process.stderr.write('\r\x1b[K');
    else if (done % 10 === 0) process.stderr.write(`\r\x1b[K${label} [${done}/${total}] ${header}`);
  };
}
