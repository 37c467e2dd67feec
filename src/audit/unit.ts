/**
 * A driver's .c file read as kbuild compiles it, without compiling it: the kernel's include
 * paths, forced includes and `__KERNEL__`, the configuration's autoconf.h, for the native ABI.
 * The preprocessed tokens keep where each came from (Token.origin names the macro used), so the
 * reader works on the configured text (CONFIG_COMPAT branches resolved) and still names labels.
 * Declarations are parsed one top-level declaration at a time: the kernel's internal headers
 * hold constructs a declaration parser need not follow (__builtin_types_compatible_p in a
 * static_assert); a declaration that fails is skipped and counted, and a label whose sizeof needs
 * it becomes `unknown` with the parser's message.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Abi } from '../abi/types.js';
import { kernelSourceTree } from '../cfront/kernel-tree.js';
import type { CValue } from '../cfront/constants.js';
import { Parser } from '../cfront/parser.js';
import { FileCache, Preprocessor, type Macro } from '../cfront/preprocess.js';
import type { Token } from '../cfront/token.js';
import type { IncludeMemos } from '../cfront/memo.js';
import { Layouter } from '../layout/layout.js';
import { Ioctl32Error, UsageError } from '../errors.js';

/**
 * The include directories of LINUXINCLUDE and USERINCLUDE (linux 6.1, top Makefile), in its order;
 * `obj` ones live in the build tree, `src` ones in the source tree (a Debian build tree's
 * Makefile includes its -common source tree).
 */
const KBUILD_INCLUDE: ReadonlyArray<{ tree: 'src' | 'obj'; dir: (karch: string) => string }> = [
  { tree: 'src', dir: (a) => `arch/${a}/include` },
  { tree: 'obj', dir: (a) => `arch/${a}/include/generated` },
  { tree: 'src', dir: () => 'include' },
  { tree: 'obj', dir: () => 'include' },
  { tree: 'src', dir: (a) => `arch/${a}/include/uapi` },
  { tree: 'obj', dir: (a) => `arch/${a}/include/generated/uapi` },
  { tree: 'src', dir: () => 'include/uapi' },
  { tree: 'obj', dir: () => 'include/generated/uapi' },
];

/** `-include` files of every kernel C unit: USERINCLUDE's two, and c_flags' compiler_types.h (scripts/Makefile.lib). */
const FORCED_INCLUDES = ['linux/compiler-version.h', 'linux/kconfig.h', 'linux/compiler_types.h'];

/** KBUILD_CPPFLAGS' `-D__KERNEL__`; the module-name macros kbuild passes each unit (their values only name the unit). */
const KBUILD_DEFINES: ReadonlyArray<[string, string]> = [
  ['__KERNEL__', '1'],
  ['KBUILD_MODNAME', '"audit"'],
  ['KBUILD_BASENAME', '"audit"'],
];

/** A configured build tree: where kernel C units find their headers and configuration. */
export interface KernelBuild {
  /** The build tree (include/generated/autoconf.h) and the source tree its Makefile names. */
  build: string;
  source: string;
  /** In LINUXINCLUDE's order, those that exist. */
  includeDirs: string[];
  /** The UAPI directories among them: their files are the headers ioctl32's catalogue reads. */
  uapiDirs: string[];
  abi: Abi;
}

/**
 * The build tree for kernel C units: a configured tree (include/generated/autoconf.h) whose
 * include/ and arch/ARCH/include (its own or its source tree's) exist. Else a UsageError saying what lacks.
 */
export function kernelBuild(tree: string, abi: Abi): KernelBuild {
  const build = resolve(tree);
  if (!existsSync(build)) throw new UsageError(`build tree ${tree}: no such directory`);
  const source = kernelSourceTree(build);
  const autoconf = join(build, 'include/generated/autoconf.h');
  if (!existsSync(autoconf)) {
    throw new UsageError(
      `build tree ${tree}: no include/generated/autoconf.h (not a configured kernel tree: run make ` +
        `olddefconfig && make prepare there, or name Debian's /usr/src/linux-headers-VERSION-ARCH)`,
    );
  }
  if (!existsSync(join(source, 'include/linux')) || !existsSync(join(source, `arch/${abi.kernelArch}/include`))) {
    throw new UsageError(
      `build tree ${tree}: its source tree ${source} has no include/linux or arch/${abi.kernelArch}/include`,
    );
  }
  const includeDirs: string[] = [];
  const uapiDirs: string[] = [];
  for (const { tree: which, dir } of KBUILD_INCLUDE) {
    const d = join(which === 'src' ? source : build, dir(abi.kernelArch));
    if (!existsSync(d) || includeDirs.includes(d)) continue;
    includeDirs.push(d);
    if (d.endsWith('/uapi')) uapiDirs.push(d);
  }
  return { build, source, includeDirs, uapiDirs, abi };
}

/** One .c file preprocessed and its declarations parsed, for the native ABI. */
export interface KernelUnit {
  /** The file's path (resolved). */
  path: string;
  /** The configured token stream: the forced includes', then the file's (with what it includes). */
  tokens: Token[];
  /** Top-level declarations that did not parse, and the first message (for --verbose). */
  skipped: number;
  firstSkip: string | null;
  macros: (name: string) => Macro | undefined;
  /** A constant expression of the unit's tokens as the native compiler computes it (sizeof by the ABI). */
  evaluate(tokens: Token[]): CValue;
}

/** Shared by the units of one build and ABI: each header is tokenized, and expanded, once. */
export interface UnitCache {
  files: FileCache;
  memos: IncludeMemos;
}

export function unitCache(): UnitCache {
  return { files: new FileCache(), memos: new Map() };
}

/** Reads a .c file as kbuild would compile it for `kb.abi`. Throws a located CFrontError when preprocessing fails. */
export function readKernelUnit(path: string, kb: KernelBuild, cache: UnitCache = unitCache()): KernelUnit {
  const pp = new Preprocessor({
    abi: kb.abi,
    includeDirs: kb.includeDirs,
    defines: [...KBUILD_DEFINES],
    files: cache.files,
    memos: cache.memos,
  });
  const forced = pp.preprocessSource(FORCED_INCLUDES.map((f) => `#include <${f}>`).join('\n'), '<kbuild -include>');
  const own = pp.preprocessFile(resolve(path));
  const tokens = forced.concat(own);
  const parser = new Parser(kb.abi, new Layouter(kb.abi));
  let skipped = 0;
  let firstSkip: string | null = null;
  for (const [from, to] of topLevelDeclarations(tokens)) {
    try {
      parser.parse(tokens.slice(from, to));
    } catch (e) {
      if (!(e instanceof Ioctl32Error)) throw e;
      skipped++;
      firstSkip ??= e.message;
    }
  }
  return {
    path: resolve(path),
    tokens,
    skipped,
    firstSkip,
    macros: (name) => pp.macros.get(name),
    evaluate: (t) => parser.evaluate(t),
  };
}

/**
 * Top-level declarations as token ranges: each ends at a `;` outside braces and parentheses, or
 * at the `}` closing a function body (a brace opened right after `)` or an attribute's `))`).
 */
export function topLevelDeclarations(tokens: readonly Token[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  let depth = 0;
  let paren = 0;
  let bodyOpen = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!.text;
    if (t === '(' || t === '[') paren++;
    else if (t === ')' || t === ']') paren--;
    else if (t === '{') {
      if (depth === 0 && paren === 0) bodyOpen = tokens[i - 1]?.text === ')';
      depth++;
    } else if (t === '}') {
      depth--;
      if (depth === 0 && bodyOpen) {
        out.push([start, i + 1]);
        start = i + 1;
        bodyOpen = false;
      }
    } else if (t === ';' && depth === 0 && paren === 0) {
      out.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < tokens.length) out.push([start, tokens.length]);
  return out;
}
