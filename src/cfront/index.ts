/** The C front end: headers in, a typed translation unit out. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { ABIS } from '../abi/table.js';
import type { Abi } from '../abi/types.js';
import { UsageError } from '../errors.js';
import {
  defaultKernelTree,
  kernelTreeIncludeDirs,
  kernelViewMacros,
  KERNEL_STUB_DIR,
  KERNEL_VIEW_DIR,
  type KernelView,
} from './kernel-tree.js';
import { hostDrmDir, isHostDrmDir } from './host-drm.js';
import { Parser, type TranslationUnit } from './parser.js';
import type { IncludeMemos } from './memo.js';
import { FileCache, Preprocessor } from './preprocess.js';
import type { TypeSizes } from './sizes.js';
import type { Token } from './token.js';

export * from './token.js';
export * from './types.js';
export { tokenize } from './lexer.js';
export { FileCache, Preprocessor } from './preprocess.js';
export type { IncludeMemos } from './memo.js';
export type { TypeSizes } from './sizes.js';
export { Parser, type TranslationUnit } from './parser.js';
export {
  KERNEL_STUB_DIR,
  KERNEL_VIEW_DIR,
  defaultKernelTree,
  kernelIncludeName,
  kernelSourceTree,
  kernelTreeIncludeDirs,
  type KernelView,
} from './kernel-tree.js';

/** ioctl32's stand-ins for the compiler's own headers (stddef.h, stdarg.h, ...). */
export const BUILTIN_INCLUDE_DIR = fileURLToPath(new URL('../../include', import.meta.url));

export interface IncludeOptions {
  /** -I directories, searched first. */
  includeDirs?: string[];
  /** --sysroot: DIR/include or DIR/usr/include. */
  sysroot?: string;
  /**
   * A kernel source tree, or a build tree (Debian's /usr/src/linux-headers-VERSION-FLAVOUR) with
   * its source tree: its UAPI directories are read in place of the installed ones.
   */
  kernelTree?: string;
  /**
   * How the tree's headers are read: 'user' (the default) as `make headers_install` installs
   * them, before the ABI's libc; 'kernel' as kernel code compiles them (`__KERNEL__`, no libc),
   * from defaultKernelTree when no kernelTree is given.
   */
  view?: KernelView;
}

/** Where include options lead: the directories searched, and the macros they imply. */
export interface IncludeConfig {
  /** In search order. */
  includeDirs: string[];
  /** Defined before the user's -D (a kernel tree view's macros), in order. */
  defines: Array<[string, string]>;
  /** A kernel tree's UAPI directories (kernelTreeIncludeDirs), also in includeDirs; empty without a tree. */
  kernelDirs: string[];
}

/**
 * The host's system include directories, searched in this order: gcc's and clang's on Debian x86_64 (`gcc -xc -E -v
 * /dev/null`), whose tool directory /usr/x86_64-linux-gnu/include (linux-libc-dev-amd64-cross, libc6-dev-amd64-cross)
 * comes before the multiarch one when it is installed, for -m64 and -m32 alike. -m32 searches no multiarch directory;
 * it is kept for i386, where the cross directory is absent, since asm/ is there.
 */
const HOST_SYSTEM_DIRS = [
  '/usr/local/include',
  '/usr/x86_64-linux-gnu/include',
  '/usr/include/x86_64-linux-gnu',
  '/usr/include',
];

/** Where Debian's linux-libc-dev-ARCH-cross puts an ABI's headers. */
function crossIncludeDir(abi: Abi): string {
  return `/usr/${abi.headerTriple}/include`;
}

let SYSTEM_DIRS: Set<string> | undefined;

/**
 * Whether `dir` is a system or cross include directory (the host's, or Debian's
 * /usr/TRIPLE/include of any ABI), however it was reached (--sysroot /usr/TRIPLE too): reports
 * name its files by include name (linux/kvm.h). Other directories of -I and --sysroot are the
 * user's: their files are named as they open from the working directory, as a compiler does.
 */
export function isSystemIncludeDir(dir: string): boolean {
  SYSTEM_DIRS ??= new Set([...HOST_SYSTEM_DIRS, ...ABIS.map(crossIncludeDir)]);
  const d = resolve(dir);
  return SYSTEM_DIRS.has(d) || isHostDrmDir(d);
}

/** The host's own ABI, when ioctl32 runs on Linux x86_64 (its system headers serve x86's ABIs). */
function hostServes(abi: Abi): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64' || abi.kernelArch !== 'x86') return false;
  // glibc's gnu/stubs.h includes the ABI's own stubs file: without it (x32 on a host without
  // libc6-dev-x32) the host's headers do not serve the ABI, Debian's cross tree may
  const stubs = HOST_GLIBC_STUBS[abi.flavourOf ?? abi.name];
  return stubs === undefined || existsSync(`/usr/include/x86_64-linux-gnu/gnu/${stubs}`) || !hasCross(abi);
}

/** glibc's sysdeps/x86 gnu/stubs.h: the file it includes per x86 ABI (libc6-dev, -i386, -x32). */
const HOST_GLIBC_STUBS: Partial<Record<string, string>> = {
  x86_64: 'stubs-64.h',
  i386: 'stubs-32.h',
  x32: 'stubs-x32.h',
};

function hasCross(abi: Abi): boolean {
  return existsSync(join(crossIncludeDir(abi), 'linux'));
}

/**
 * Include directories for an ABI, in CONTRACT.md's order: -I, then --sysroot, then the ABI's
 * default (the host's system directories for x86's ABIs on an x86_64 host, Debian's cross
 * layout otherwise). The compiler's own headers are searched before the system directories.
 */
export function includeDirsFor(abi: Abi, opts: IncludeOptions = {}): string[] {
  return includeConfigFor(abi, opts).includeDirs;
}

/**
 * The one place include options become directories and macros. Without a kernel tree:
 * includeDirsFor's directories, no macros. With one (or view 'kernel'): -I, KERNEL_STUB_DIR,
 * KERNEL_VIEW_DIR (the kernel view only), the tree's UAPI directories, the compiler's own
 * headers, then — in the user view only — the system directories as without a tree; and the
 * view's macros (kernelViewMacros).
 */
export function includeConfigFor(abi: Abi, opts: IncludeOptions = {}): IncludeConfig {
  // relative directories are the working directory's: file names and messages need one spelling
  const dirs = (opts.includeDirs ?? []).map((d) => resolve(d));
  const view = opts.view ?? 'user';
  let tree = opts.kernelTree;
  if (tree === undefined && view === 'kernel') {
    tree = defaultKernelTree(abi) ?? undefined;
    if (tree === undefined) {
      throw new UsageError(
        `the kernel view needs a kernel tree: no /usr/src/linux-headers-* serves ${abi.name} ` +
          `(arch/${abi.kernelArch}); install Debian's linux-headers package for it or pass a kernel tree`,
      );
    }
  }
  if (tree === undefined) {
    return { includeDirs: [...dirs, BUILTIN_INCLUDE_DIR, ...systemDirsFor(abi, opts)], defines: [], kernelDirs: [] };
  }
  const kernelDirs = kernelTreeIncludeDirs(tree, abi);
  const system = view === 'user' ? systemDirsFor(abi, opts) : [];
  return {
    includeDirs: [
      ...dirs,
      KERNEL_STUB_DIR,
      ...(view === 'kernel' ? [KERNEL_VIEW_DIR] : []),
      ...kernelDirs,
      BUILTIN_INCLUDE_DIR,
      ...system,
    ],
    defines: kernelViewMacros(view),
    kernelDirs,
  };
}

/** --sysroot's directories, else the ABI's default (the host's with its DRM headers, or Debian's cross layout). */
function systemDirsFor(abi: Abi, opts: IncludeOptions): string[] {
  let system: string[];
  if (opts.sysroot !== undefined) {
    const root = resolve(opts.sysroot);
    system = [join(root, 'include'), join(root, 'usr', 'include')].filter((d) => existsSync(d));
    if (!system.length) throw new UsageError(`--sysroot ${opts.sysroot} has neither include/ nor usr/include/`);
  } else if (hostServes(abi) && existsSync('/usr/include/linux')) {
    // Debian's host headers have no drm/: the host's DRM headers where they are (host-drm.ts)
    const drm = hostDrmDir();
    system = [...HOST_SYSTEM_DIRS.filter((d) => existsSync(d)), ...(drm === null ? [] : [drm])];
  } else {
    const cross = crossIncludeDir(abi);
    if (!existsSync(join(cross, 'linux'))) {
      throw new UsageError(
        `no Linux headers for ${abi.name}: install Debian's linux-libc-dev-${abi.debianArch}-cross ` +
          `(for ${cross}) or pass --sysroot DIR or -I DIR`,
      );
    }
    system = [cross];
  }
  return system;
}

export interface ParsedHeader {
  /** The header's path on disk. */
  path: string;
  unit: TranslationUnit;
  preprocessor: Preprocessor;
  parser: Parser;
}

export interface FrontEndOptions {
  abi: Abi;
  includeDirs: string[];
  defines?: Array<[string, string]>;
  undefines?: string[];
  files?: FileCache;
  /**
   * Lays types out for the ABI (sizeof, offsetof; records a compiler rejects): the layout
   * stage's Layouter. Shared by the units of one ABI: records shared through the include memos
   * are laid out once.
   */
  sizes: TypeSizes;
  /** Included files preprocessed and parsed before in the same configuration, to replay. */
  memos?: IncludeMemos;
  /** Share chunk memos through the FileCache with other ABIs' scans (PreprocessOptions.shareChunks). */
  shareChunks?: boolean;
  /** Milliseconds spent, added to (for benchmarks: where the time goes). */
  timings?: FrontEndTimings;
}

/** Milliseconds per stage of the front end, summed over the headers parsed with it. */
export interface FrontEndTimings {
  /** Finding, reading and tokenizing the header itself, and preprocessing it with its includes. */
  preprocess: number;
  parse: number;
}

/** Preprocesses and parses one header as its own translation unit. */
export function parseHeader(header: string, opts: FrontEndOptions): ParsedHeader {
  const timings = opts.timings;
  const t0 = timings ? performance.now() : 0;
  const preprocessor = new Preprocessor({ ...opts, files: opts.files ?? new FileCache() });
  const path = preprocessor.findEntry(header);
  let tokens: Token[];
  try {
    tokens = preprocessor.preprocessFile(header);
  } finally {
    if (timings) timings.preprocess += performance.now() - t0;
  }
  const t1 = timings ? performance.now() : 0;
  try {
    const parser = new Parser(opts.abi, opts.sizes);
    const unit = parser.parse(tokens, preprocessor.segments);
    return { path, unit, preprocessor, parser };
  } finally {
    if (timings) timings.parse += performance.now() - t1;
  }
}
