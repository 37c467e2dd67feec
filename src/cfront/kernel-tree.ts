/**
 * A kernel source or build tree as an include tree: its UAPI directories, and the two ways of
 * reading them — as kernel code compiles them, or as `make headers_install` installs them.
 */
import { existsSync, statSync, readdirSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Abi } from '../abi/types.js';
import { UsageError } from '../errors.js';
import {
  asmGenericWrappers,
  materialize,
  mirrorWithout,
  noExportHeaders,
  versionHeader,
  type DirContent,
} from './headers-install.js';

/**
 * ioctl32's empty stand-ins for the kernel's linux/compiler.h and linux/compiler_types.h, which
 * UAPI headers of a kernel tree include and scripts/headers_install.sh deletes (both views).
 */
export const KERNEL_STUB_DIR = fileURLToPath(new URL('../../include-kernel/stub', import.meta.url));

/**
 * The kernel view's stand-ins for the kernel's own include/ files that UAPI headers reach under
 * __KERNEL__ (linux/types.h's size_t, asm-generic/ioctl.h's _IOC_TYPECHECK) or that wrap a UAPI
 * header with what it needs first (linux/videodev2.h includes <linux/time.h>): each includes the
 * UAPI file it stands before with #include_next. Verified by test/kernel-tree.test.ts.
 */
export const KERNEL_VIEW_DIR = fileURLToPath(new URL('../../include-kernel/kernel', import.meta.url));

/**
 * 'kernel': what kernel code compiles (`__KERNEL__`); 'user': what `make headers_install` puts
 * in /usr/include.
 */
export type KernelView = 'kernel' | 'user';

/**
 * scripts/headers_install.sh (linux 6.1) rewrites each header with sed before installing it:
 *
 *   s/([[:space:](])(__user|__force|__iomem)[[:space:]]/\1/g
 *   s/__attribute_const__([[:space:]]|$)/\1/g
 *   s@^#include <linux/compiler(|_types).h>@@
 *   s/(^|[^a-zA-Z0-9])__packed([^a-zA-Z0-9_]|$)/\1__attribute__((packed))\2/g
 *   s/(^|[[:space:](])(inline|asm|volatile)([[:space:](]|$)/\1__\2__\3/g
 *   s@#(ifndef|define|endif[[:space:]]*\/[*])[[:space:]]*_UAPI@#\1 @
 *
 * then runs `unifdef -U__KERNEL__ -D__EXPORTED_HEADERS__`. Its word rewrites are these macros;
 * the deleted includes find empty files in KERNEL_STUB_DIR; `inline`/`asm`/`volatile` are GNU C
 * keywords to the front end already; the `_UAPI` guard prefix is not undone (no UAPI header of 6.1
 * tests another's guard). The kernel's compiler_types.h gives the same words the same meaning.
 */
const HEADERS_INSTALL_MACROS: ReadonlyArray<[string, string]> = [
  ['__user', ''],
  ['__force', ''],
  ['__iomem', ''],
  ['__attribute_const__', ''],
  ['__packed', '__attribute__((packed))'],
];

/** The macros of each view, after HEADERS_INSTALL_MACROS. */
const VIEW_MACROS: Record<KernelView, ReadonlyArray<[string, string]>> = {
  // KBUILD_CPPFLAGS
  kernel: [['__KERNEL__', '1']],
  // unifdef keeps the __EXPORTED_HEADERS__ branches (include/uapi/linux/types.h's #warning is not)
  user: [['__EXPORTED_HEADERS__', '1']],
};

/** The macros a view of a kernel tree predefines, in order (before the user's -D). */
export function kernelViewMacros(view: KernelView): Array<[string, string]> {
  return [...HEADERS_INSTALL_MACROS, ...VIEW_MACROS[view]];
}

/**
 * The kernel's UAPI include directories (USERINCLUDE in the top Makefile), in its order: the
 * arch's, its generated ones, the common ones, the generated common ones. Generated directories
 * live in the build (object) tree, the others in the source tree.
 */
const UAPI_INCLUDE = [
  (karch: string) => `arch/${karch}/include/uapi`,
  (karch: string) => `arch/${karch}/include/generated/uapi`,
  () => 'include/uapi',
  () => 'include/generated/uapi',
];

/**
 * The source tree a build tree builds: a Debian build tree (linux-headers-VERSION-FLAVOUR) or a
 * `make O=` directory has a Makefile of one line, `include SRCTREE/Makefile`. Else the tree itself.
 */
export function kernelSourceTree(tree: string): string {
  let text: string;
  try {
    // the source tree's own Makefile is thousands of lines: no one-line include, and not read each time
    const makefile = join(tree, 'Makefile');
    if (statSync(makefile).size > 4096) return tree;
    text = readFileSync(makefile, 'utf8');
  } catch {
    return tree;
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const m = lines.length === 1 ? /^include\s+([^\s$]+)\/Makefile\s*$/.exec(lines[0]!) : null;
  return m ? resolve(tree, m[1]!) : tree;
}

/**
 * The UAPI include directories of a kernel tree for an ABI, in the kernel's order; each from the
 * build tree, then from its source tree, where it exists. What `make headers_install` would add
 * or leave out (src/cfront/headers-install.ts) is in the user's cache instead: the generated
 * directories a tree that was not built for the arch lacks (the `asm/` wrappers, linux/version.h),
 * and the tree's directory as a mirror without its `no-export-headers` where the arch has any
 * (linux/kvm.h without asm/kvm.h). A tree without include/uapi is a UsageError.
 */
export function kernelTreeIncludeDirs(tree: string, abi: Abi): string[] {
  const build = resolve(tree);
  if (!existsSync(build)) throw new UsageError(`kernel tree ${tree}: no such directory`);
  const source = kernelSourceTree(build);
  // every ABI of a run asks again (29 for --arch all): the answer stands while the directories whose
  // files it lists (their mtimes change when a header comes or goes) and the arch's Kbuild stay as they were
  const stamp = [
    'include/uapi/linux',
    'include/uapi/asm-generic',
    `arch/${abi.kernelArch}/include/uapi/asm`,
    `arch/${abi.kernelArch}/include/uapi/asm/Kbuild`,
  ]
    .flatMap((rel) => [build, source].map((r) => mtimeOf(join(r, rel))))
    .join(',');
  const key = `${build}\0${abi.kernelArch}`;
  const known = DIRS_MEMO.get(key);
  if (known?.stamp === stamp) return [...known.dirs];
  const dirs = treeIncludeDirs(tree, build, source, abi);
  DIRS_MEMO.set(key, { stamp, dirs });
  return [...dirs];
}

const DIRS_MEMO = new Map<string, { stamp: string; dirs: string[] }>();

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function treeIncludeDirs(tree: string, build: string, source: string, abi: Abi): string[] {
  const roots = source === build ? [build] : [build, source];
  if (!roots.some((r) => existsSync(join(r, 'include', 'uapi')))) {
    const where = source === build ? build : `${build} or its source tree ${source}`;
    throw new UsageError(`kernel tree ${tree}: no include/uapi in ${where} (not a kernel source or build tree)`);
  }
  const karch = abi.kernelArch;
  const found = (rel: string) => roots.map((r) => join(r, rel)).filter((d) => existsSync(d));
  const synthesized = generatedContent(source, karch, (rel) => found(rel).length > 0);
  // the synthesized files where make would have written them: include/uapi/Kbuild tests for one
  const virtual = new Set(
    [...synthesized].flatMap(([rel, content]) => [...content.keys()].map((p) => join(build, rel, p))),
  );
  const dirs: string[] = [];
  for (const relOf of UAPI_INCLUDE) {
    const rel = relOf(karch);
    const content = synthesized.get(rel);
    const here = content ? [materialize(rel, content)] : found(rel);
    const unexported = rel.includes('/generated/')
      ? []
      : noExportHeaders(join(source, rel), { source, build }, karch, virtual);
    for (const d of here) {
      const hidden = unexported.filter((h) => existsSync(join(d, h)));
      const dir = hidden.length > 0 ? materialize(rel, linksTo(mirrorWithout(d, hidden))) : d;
      if (!dirs.includes(dir)) dirs.push(dir);
    }
  }
  return dirs;
}

/**
 * The generated UAPI directories make would write for the arch, where the tree has none
 * (`has`): relative directory → its content. Empty ones are left out.
 */
function generatedContent(source: string, karch: string, has: (rel: string) => boolean): Map<string, DirContent> {
  const out = new Map<string, DirContent>();
  const archGenerated = UAPI_INCLUDE[1]!(karch);
  if (!has(archGenerated)) {
    const wrappers = asmGenericWrappers(source, karch);
    const content: DirContent = new Map([...wrappers].map(([f, text]) => [`asm/${f}`, { text }]));
    if (content.size > 0) out.set(archGenerated, content);
  }
  const generated = UAPI_INCLUDE[3]!(karch);
  const version = has(generated) ? null : versionHeader(source);
  if (version !== null) out.set(generated, new Map([['linux/version.h', { text: version }]]));
  return out;
}

function linksTo(links: Map<string, string>): DirContent {
  return new Map([...links].map(([path, link]) => [path, { link }]));
}

/**
 * The installed Debian build tree for the ABI's kernel: /usr/src/linux-headers-$(uname -r) when
 * it serves the ABI's arch, else the newest /usr/src/linux-headers-VERSION-FLAVOUR build tree
 * that has arch/<kernelArch> of its own (not -common, which has every arch); null when none.
 */
export function defaultKernelTree(abi: Abi, opts: { root?: string; release?: string } = {}): string | null {
  const root = opts.root ?? '/usr/src';
  const serves = (tree: string) => existsSync(join(tree, 'arch', abi.kernelArch));
  const running = join(root, `linux-headers-${opts.release ?? release()}`);
  if (serves(running) && existsSync(join(running, 'Makefile'))) return running;
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith('linux-headers-'));
  } catch {
    return null;
  }
  const trees = names
    .map((n) => join(root, n))
    .filter((t) => serves(t) && kernelSourceTree(t) !== t)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return trees.pop() ?? null;
}

/**
 * How kernel code includes a file of a tree's UAPI directories (kernelTreeIncludeDirs, in their
 * order), or null for a file outside them: the UAPI file itself as `uapi/linux/x.h` (the
 * kernel's -I include reaches it), since the kernel's own include/linux/x.h may shadow it without
 * including it (linux/dma-buf.h) or not build alone (linux/pmu.h). A generated UAPI header has no
 * own counterpart: its plain name (`asm/unistd_64.h`). A file of KERNEL_VIEW_DIR stands for the
 * kernel's own wrapper, which the UAPI file needs (linux/videodev2.h): its plain name.
 */
export function kernelIncludeName(file: string, dirs: readonly string[]): string | null {
  const path = resolve(file);
  // a stand-in of the kernel view (a scan resolves linux/videodev2.h to it): the kernel's own file
  if (path.startsWith(`${KERNEL_VIEW_DIR}/`)) return relative(KERNEL_VIEW_DIR, path);
  const dir = dirs.find((d) => path.startsWith(`${d}/`));
  if (dir === undefined) return null;
  const rel = relative(dir, path);
  if (dir.endsWith('/generated/uapi')) return rel;
  // the UAPI file itself, which the kernel view read without a stand-in: the kernel's own wrapper
  // of it need not build alone (linux/pmu.h declares functions of struct adb_request it never defines)
  return `uapi/${rel}`;
}
