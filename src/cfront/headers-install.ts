/**
 * What `make ARCH=... headers_install` adds to and takes from a kernel tree's UAPI directories,
 * worked out from the tree's own Kbuild files without running make or writing into the tree:
 *
 * - the `asm/` wrappers scripts/Makefile.asm-generic generates into
 *   arch/ARCH/include/generated/uapi/asm: one line, `#include <asm-generic/X.h>`, for every
 *   `generic-y` of arch/ARCH/include/uapi/asm/Kbuild and every `mandatory-y` of
 *   include/uapi/asm-generic/Kbuild that is no `generated-y` and the arch does not provide itself;
 * - include/generated/uapi/linux/version.h, which the top Makefile writes (filechk_version.h);
 * - the `no-export-headers` of include/uapi/Kbuild (linux/kvm.h where the arch has no asm/kvm.h),
 *   which scripts/Makefile.headersinst leaves out.
 *
 * Left out: the `generated-y` headers (asm/unistd_64.h ...), which archheaders makes from the
 * syscall tables; they hold syscall numbers, no ioctl, and are found in the ABI's libc tree.
 * Synthesized directories live in the user's cache directory (src/cache-root.cts, kernel-tree/), each
 * named by the hash of its content, so a changed tree never meets a stale one.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheRoot } from '../cache-root.cjs';

/** The tree a build reads (srctree) and the one it writes (objtree); the same for an in-tree build. */
export interface KernelTrees {
  source: string;
  build: string;
}

/** Variable name → words, as a Kbuild file's assignments leave them. */
type KbuildVars = Map<string, string[]>;

/**
 * The list assignments of a Kbuild file (`generic-y += x.h`, `no-export-headers += linux/kvm.h`),
 * under the conditionals make would take. A condition is `ifeq`/`ifneq` of `$(wildcard PATH)`
 * and a constant, PATH spelled with $(srctree), $(objtree) and $(SRCARCH) (include/uapi/Kbuild);
 * a block under any other condition is skipped, branches and all.
 */
function kbuildLists(
  text: string,
  expand: { srctree: string; objtree: string; srcarch: string; exists: (path: string) => boolean },
  vars: KbuildVars = new Map(),
): KbuildVars {
  const subst = (s: string): string | null => {
    const t = s
      .replaceAll('$(srctree)', expand.srctree)
      .replaceAll('$(objtree)', expand.objtree)
      .replaceAll('$(SRCARCH)', expand.srcarch)
      .replace(/\$\(wildcard\s+([^()$\s]+)\)/g, (_, p: string) => (expand.exists(p) ? p : ''));
    return t.includes('$') ? null : t.trim();
  };
  // per open conditional: whether its current branch is taken (null: the condition is unknown)
  const open: Array<boolean | null> = [];
  const taken = () => open.every((b) => b === true);
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const cond = /^(ifeq|ifneq)\s*\((.*),(.*)\)$/.exec(line);
    if (cond) {
      const [a, b] = [subst(cond[2]!), subst(cond[3]!)];
      open.push(a === null || b === null ? null : (a === b) === (cond[1] === 'ifeq'));
    } else if (/^(ifeq|ifneq|ifdef|ifndef)\b/.test(line)) open.push(null);
    else if (line === 'else') {
      const last = open.pop();
      open.push(last === null || last === undefined ? null : !last);
    } else if (/^else\s/.test(line)) {
      // `else ifeq ...`: one more branch of the same conditional, not followed
      open.pop();
      open.push(null);
    } else if (line === 'endif') open.pop();
    else if (taken()) {
      const set = /^([\w-]+)\s*(\+=|:=|=)\s*(.*)$/.exec(line);
      if (!set) continue;
      const words = set[3]!.split(/\s+/).filter((w) => w !== '');
      vars.set(set[1]!, set[2] === '+=' ? [...(vars.get(set[1]!) ?? []), ...words] : words);
    }
  }
  return vars;
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The wrappers scripts/Makefile.asm-generic (linux 6.1) writes for an arch, name → text:
 *
 *   -include $(src)/Kbuild                       (arch/ARCH/include/uapi/asm/Kbuild)
 *   include $(srctree)/$(generic)/Kbuild         (include/uapi/asm-generic/Kbuild)
 *   mandatory-y := $(filter-out $(generated-y), $(mandatory-y))
 *   generic-y   += $(foreach f, $(mandatory-y), $(if $(wildcard $(srctree)/$(src)/$(f)),,$(f)))
 *   cmd_wrap = echo "\#include <asm-generic/$*.h>" > $@
 */
export function asmGenericWrappers(source: string, karch: string): Map<string, string> {
  const asm = join(source, 'arch', karch, 'include', 'uapi', 'asm');
  const vars: KbuildVars = new Map();
  const paths = { srctree: source, objtree: source, srcarch: karch, exists: existsSync };
  for (const file of [join(asm, 'Kbuild'), join(source, 'include', 'uapi', 'asm-generic', 'Kbuild')]) {
    const text = readIfExists(file);
    if (text !== null) kbuildLists(text, paths, vars);
  }
  const generated = new Set(vars.get('generated-y') ?? []);
  const mandatory = (vars.get('mandatory-y') ?? []).filter((f) => !generated.has(f));
  const generic = [...(vars.get('generic-y') ?? []), ...mandatory.filter((f) => !existsSync(join(asm, f)))];
  const out = new Map<string, string>();
  for (const f of [...new Set(generic)].sort()) out.set(f, `#include <asm-generic/${f}>\n`);
  return out;
}

/**
 * include/generated/uapi/linux/version.h as the top Makefile's filechk_version.h writes it, from
 * its VERSION, PATCHLEVEL and SUBLEVEL; null when the Makefile gives no VERSION and PATCHLEVEL.
 */
export function versionHeader(source: string): string | null {
  const text = readIfExists(join(source, 'Makefile'));
  if (text === null) return null;
  const get = (name: string): number | null => {
    const value = new RegExp(`^${name}\\s*=\\s*(\\d+)\\s*$`, 'm').exec(text)?.[1];
    return value === undefined ? null : Number(value);
  };
  const [version, patch] = [get('VERSION'), get('PATCHLEVEL')];
  if (version === null || patch === null) return null;
  // the Makefile's $(or $(SUBLEVEL), 0)
  const sublevel = get('SUBLEVEL') ?? 0;
  return [
    `#define LINUX_VERSION_CODE ${version * 65536 + patch * 256 + Math.min(sublevel, 255)}`,
    '#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))',
    `#define LINUX_VERSION_MAJOR ${version}`,
    `#define LINUX_VERSION_PATCHLEVEL ${patch}`,
    `#define LINUX_VERSION_SUBLEVEL ${sublevel}`,
    '',
  ].join('\n');
}

/**
 * The `no-export-headers` of a UAPI directory's Kbuild (include/uapi/Kbuild, arch/ARCH/include/uapi/Kbuild):
 * names under the directory that scripts/Makefile.headersinst does not install for the arch.
 * `virtual` holds paths synthesized in place of the build tree's generated ones.
 */
export function noExportHeaders(uapiDir: string, trees: KernelTrees, karch: string, virtual: Set<string>): string[] {
  const text = readIfExists(join(uapiDir, 'Kbuild'));
  if (text === null) return [];
  const exists = (p: string) => virtual.has(p) || existsSync(p);
  const vars = kbuildLists(text, { srctree: trees.source, objtree: trees.build, srcarch: karch, exists });
  return vars.get('no-export-headers') ?? [];
}

/**
 * `dir` without the files `hidden` names (paths under it): a directory of symbolic links to its
 * entries, real directories only on the way to a hidden file. Link path → target.
 */
export function mirrorWithout(dir: string, hidden: readonly string[]): Map<string, string> {
  const links = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      if (hidden.includes(r)) continue;
      if (hidden.some((h) => h.startsWith(`${r}/`))) walk(r);
      else links.set(r, join(dir, r));
    }
  };
  walk('');
  return links;
}

/** A synthesized directory's content: relative path → a file's text, or a link's target. */
export type DirContent = Map<string, { text: string } | { link: string }>;

/** Where synthesized trees go: the user's cache directory (cacheRoot), else a directory of the temporary one. */
function cacheRoots(): string[] {
  const user = cacheRoot();
  // a read-only home still gets its trees
  return [join(user, 'kernel-tree'), join(tmpdir(), `ioctl32-${process.getuid?.() ?? 'user'}`, 'kernel-tree')];
}

/**
 * The directory CACHE/HASH/`suffix` holding `content`, created once (atomically: another process
 * may create the same). HASH is the content's, so equal content shares one directory; `suffix`
 * keeps the path's meaning (`arch/arm/include/generated/uapi` is a generated directory).
 */
export function materialize(suffix: string, content: DirContent): string {
  const hash = createHash('sha256').update(suffix);
  for (const [path, e] of [...content].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(`\0${path}\0${'link' in e ? `->${e.link}` : e.text}`);
  }
  const name = hash.digest('hex').slice(0, 20);
  let lastError: unknown;
  for (const root of cacheRoots()) {
    const final = join(root, name);
    if (existsSync(final)) return join(final, suffix);
    try {
      mkdirSync(root, { recursive: true });
      const tmp = mkdtempSync(join(root, '.tmp-'));
      for (const [path, e] of content) {
        const target = join(tmp, suffix, path);
        mkdirSync(dirname(target), { recursive: true });
        if ('link' in e) symlinkSync(e.link, target);
        else writeFileSync(target, e.text);
      }
      mkdirSync(join(tmp, suffix), { recursive: true });
      try {
        renameSync(tmp, final);
      } catch (e) {
        // another process made it first
        rmSync(tmp, { recursive: true, force: true });
        if (!existsSync(final)) throw e;
      }
      return join(final, suffix);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}
