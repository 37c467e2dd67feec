/**
 * Debian's linux-source-<version> tarball as an oracle: the kernel's own C text — its hand-written
 * compat structs and `*32` command numbers — read without building the kernel. Files are
 * extracted once (only the ones asked for) into os.tmpdir() and reused.
 *
 *   const tarball = linuxSourceTarball();
 *   const { files } = linuxSourceFiles(tarball!, ['drivers/block/loop.c']);
 *   const def = recordDefinitions(files.get('drivers/block/loop.c')!).get('struct compat_loop_info');
 *   recordMembers(def!.body); // lo_number, lo_device, ...
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';

/** A function's definition in C text, whitespace runs made one space; null when the file has none. */
export function functionText(src: string, name: string): string | null {
  const head = new RegExp(`^[A-Za-z_][^;{}()]*\\b${name}\\s*\\(([^;{}]|\\n)*?\\)\\s*\\{`, 'm').exec(src);
  if (!head) return null;
  let depth = 0;
  let j = head.index + head[0].length - 1;
  for (; j < src.length; j++) {
    if (src[j] === '{') depth++;
    else if (src[j] === '}' && --depth === 0) break;
  }
  return src.slice(head.index, j + 1).replace(/\s+/g, ' ');
}

/** The newest /usr/src/linux-source-*.tar.xz (Debian's linux-source-<version>), or null. */
export function linuxSourceTarball(): string | null {
  let names: string[];
  try {
    names = readdirSync('/usr/src').filter((f) => /^linux-source-[\d.]+\.tar\.xz$/.test(f));
  } catch {
    return null;
  }
  names.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const last = names.pop();
  return last ? join('/usr/src', last) : null;
}

/**
 * The text of each file (paths inside the tree: 'drivers/block/loop.c'); missing ones are
 * extracted in one tar run into `root`, a cache keyed by the tarball's name, size and mtime.
 * A path ending in '/' is a directory wanted whole (no text returned for it).
 */
export function linuxSourceFiles(
  tarball: string,
  paths: readonly string[],
): { root: string; files: Map<string, string> } {
  const top = tarball.replace(/^.*\//, '').replace(/\.tar\.xz$/, '');
  const st = statSync(tarball);
  const root = join(tmpdir(), 'ioctl32-linux-source', `${top}-${st.size}-${Math.trunc(st.mtimeMs)}`);
  const dirs = paths.filter((p) => p.endsWith('/'));
  const files = paths.filter((p) => !p.endsWith('/'));
  const missing = [...new Set(files)].filter((p) => !existsSync(join(root, p)));
  for (const d of dirs.filter((x) => !existsSync(join(root, DONE, x)))) extractDirectory(tarball, top, root, d);
  if (missing.length > 0) {
    mkdirSync(root, { recursive: true });
    // into a private directory first: another test process may be extracting the same files
    const tmp = mkdtempSync(join(root, '.extract-'));
    try {
      const r = spawnSync('tar', ['-xJf', tarball, '-C', tmp, ...missing.map((p) => `${top}/${p}`)], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`tar -xJf ${tarball}: ${r.stderr.trim()}`);
      for (const p of missing) {
        mkdirSync(dirname(join(root, p)), { recursive: true });
        renameSync(join(tmp, top, p), join(root, p));
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { root, files: new Map(files.map((p) => [p, readFileSync(join(root, p), 'utf8')])) };
}

/**
 * What the audit reads of the tree besides the driver files: the kernel's own headers (x86), as an
 * `O=` build reads them beside Debian's linux-headers (include/generated, autoconf.h). Every audit
 * test extracts them, so which headers a unit reads does not depend on the order tests run in.
 */
export const KERNEL_SOURCE_HEADERS = ['Makefile', 'include/', 'arch/x86/include/'];

/** Where linuxSourceFiles marks the directories extracted whole. */
const DONE = '.extracted';

/**
 * A whole directory ('include/'): extracted privately, then moved in file by file where absent (a
 * file another test extracted, and may be reading, is left as it is), then marked done.
 */
function extractDirectory(tarball: string, top: string, root: string, dir: string): void {
  mkdirSync(root, { recursive: true });
  const tmp = mkdtempSync(join(root, '.extract-'));
  try {
    const r = spawnSync('tar', ['-xJf', tarball, '-C', tmp, `${top}/${dir}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tar -xJf ${tarball} ${dir}: ${r.stderr.trim()}`);
    const merge = (rel: string): void => {
      const from = join(tmp, top, rel);
      if (lstatSync(from).isDirectory()) {
        for (const name of readdirSync(from)) merge(join(rel, name));
      } else if (!existsSync(join(root, rel))) {
        mkdirSync(dirname(join(root, rel)), { recursive: true });
        renameSync(from, join(root, rel));
      }
    };
    merge(dir.slice(0, -1));
    mkdirSync(join(root, DONE, dir), { recursive: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The text with comments blanked to spaces, newlines kept (line numbers still hold). */
function blankComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '"' || c === "'") {
      const stop = literalEnd(src, i);
      out += src.slice(i, stop);
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index just past the string or character literal that starts at `i`. */
function literalEnd(src: string, i: number): number {
  const quote = src[i];
  let j = i + 1;
  while (j < src.length && src[j] !== quote && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
  return j + 1;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index of the bracket that closes the one at `i` (literals skipped). */
function closing(code: string, i: number): number {
  const stack: string[] = [];
  for (let j = i; j < code.length; j++) {
    const c = code[j]!;
    if (c === '"' || c === "'") j = literalEnd(code, j) - 1;
    else if (OPEN[c]) stack.push(OPEN[c]);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) throw new Error(`unbalanced '${c}' at offset ${j}`);
      if (stack.length === 0) return j;
    }
  }
  throw new Error(`no closing bracket for offset ${i}`);
}

/** GCC attributes and the kernel's annotations, which name no member. */
function stripAttributes(text: string): string {
  let t = text;
  for (;;) {
    const m = /\b(__attribute__|__aligned)\s*\(/.exec(t);
    if (!m) break;
    const open = m.index + m[0].length - 1;
    t = `${t.slice(0, m.index)} ${t.slice(closing(t, open) + 1)}`;
  }
  return t.replace(/\b(__packed|__user|__force|__randomize_layout|const|volatile)\b/g, ' ');
}

/** A struct or union defined at file scope. */
export interface CRecordDef {
  /** How C names it: `struct foo`, `union foo`, and the typedef name(s) it is given. */
  names: string[];
  /** The whole definition, from `typedef`/`struct` to its ';' (comments blanked). */
  text: string;
  /** Between the outer braces. */
  body: string;
  /** The line (from 1) where the definition starts. */
  line: number;
}

/** Every struct and union the file defines at file scope (`struct x {...};`, `typedef struct x {...} x_t;`). */
export function recordDefinitions(src: string): Map<string, CRecordDef> {
  const code = blankComments(src);
  const defs = new Map<string, CRecordDef>();
  const head = /\b(typedef\s+)?(struct|union)\s+(?:(\w+)\s*)?\{/y;
  let depth = 0;
  // the line of offset `counted`, counted on as definitions are found
  let line = 1;
  let counted = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"' || c === "'") {
      i = literalEnd(code, i) - 1;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (depth !== 0 || !/[tsu]/.test(c) || /\w/.test(code[i - 1] ?? ' ')) continue;
    head.lastIndex = i;
    const m = head.exec(code);
    if (!m) continue;
    const open = i + m[0].length - 1;
    const close = closing(code, open);
    let end = close + 1;
    while (end < code.length && code[end] !== ';') end = OPEN[code[end]!] ? closing(code, end) + 1 : end + 1;
    const names: string[] = [];
    if (m[3]) names.push(`${m[2]} ${m[3]}`);
    if (m[1]) {
      for (const d of stripAttributes(code.slice(close + 1, end)).split(',')) {
        const name = /^\s*(\w+)\s*$/.exec(d)?.[1];
        if (name) names.push(name);
      }
    }
    for (; counted < i; counted++) if (code[counted] === '\n') line++;
    const def = { names, text: code.slice(i, end + 1), body: code.slice(open + 1, close), line };
    for (const n of names) defs.set(n, def);
    i = end;
  }
  return defs;
}

/** A preprocessor directive and the line (from 1) it is on. */
export interface Directive {
  line: number;
  text: string;
}

/**
 * The conditionals (`#if`, `#ifdef`, `#ifndef`) open at a line of the file, outermost first: each the
 * directives of its group up to that line (`#ifndef __KERNEL__`, then `#else` when the line is in that branch).
 */
export function conditionalsAt(src: string, line: number): Directive[][] {
  const lines = blankComments(src).split('\n');
  const open: Directive[][] = [];
  for (let i = 0; i < line - 1 && i < lines.length; i++) {
    const first = i;
    let text = lines[i]!;
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!}`;
    const word = /^\s*#\s*(\w+)/.exec(text)?.[1];
    const d = { line: first + 1, text: text.trim().replace(/\s+/g, ' ') };
    if (word === 'if' || word === 'ifdef' || word === 'ifndef') open.push([d]);
    else if (word === 'elif' || word === 'else') open.at(-1)?.push(d);
    else if (word === 'endif') open.pop();
  }
  return open;
}

/** `roots` and the definitions of `defs` they use, each after the ones it uses, once each, else in file order. */
export function inDependencyOrder(defs: Map<string, CRecordDef>, roots: readonly CRecordDef[]): CRecordDef[] {
  const all = [...new Set(defs.values())];
  const out: CRecordDef[] = [];
  const visit = (d: CRecordDef, path: Set<CRecordDef>) => {
    if (out.includes(d) || path.has(d)) return;
    path.add(d);
    for (const other of all) if (other !== d && uses(d.text, other)) visit(other, path);
    out.push(d);
  };
  for (const r of roots) visit(r, new Set());
  return out;
}

/** Whether C text names the definition (`struct tag`, or a typedef name as a whole word). */
export function uses(text: string, def: CRecordDef): boolean {
  return def.names.some((n) => new RegExp(`\\b${n.replace(/ /, '\\s+')}\\b`).test(text));
}

/** A member as offsetof() names it. */
export interface CMember {
  name: string;
  bitfield: boolean;
  /**
   * The preprocessor conditionals it sits in, outermost first: each the lines of its group seen so far
   * (`['#ifdef X', '#else']` for the #else branch). Empty when unconditional.
   */
  guards: string[][];
}

/**
 * The members of a record body, split at depth 0 as a compiler reads declarations: top-level ones and
 * those reached through anonymous structs and unions (whose names offsetof() takes directly).
 */
export function recordMembers(body: string, outer: string[][] = []): CMember[] {
  const members: CMember[] = [];
  const guards = outer.map((g) => [...g]);
  let decl = '';
  let depth = 0;
  let lineStart = true;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (lineStart && depth === 0 && c === '#') {
      let end = i;
      while (end < body.length && (body[end] !== '\n' || body[end - 1] === '\\')) end++;
      const line = body.slice(i, end).replace(/\\\n/g, ' ').trim();
      const word = /^#\s*(\w+)/.exec(line)?.[1];
      if (word === 'if' || word === 'ifdef' || word === 'ifndef') guards.push([line]);
      else if (word === 'elif' || word === 'else') guards.at(-1)?.push(line);
      else if (word === 'endif') guards.pop();
      i = end - 1;
      continue;
    }
    if (c === '\n') lineStart = true;
    else if (!/\s/.test(c)) lineStart = false;
    if (c === '"' || c === "'") {
      const stop = literalEnd(body, i);
      decl += body.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (OPEN[c]) depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (c === ';' && depth === 0) {
      members.push(...declarationMembers(decl, guards));
      decl = '';
    } else decl += c;
  }
  return members;
}

function declarationMembers(declaration: string, guards: string[][]): CMember[] {
  const decl = stripAttributes(declaration).trim();
  if (decl === '') return [];
  const brace = decl.indexOf('{');
  let declarators: string;
  if (brace >= 0) {
    const close = closing(decl, brace);
    declarators = decl.slice(close + 1).trim();
    // an anonymous struct or union: its members are the record's own
    if (declarators === '') return recordMembers(decl.slice(brace + 1, close), guards);
  } else declarators = decl;
  const out: CMember[] = [];
  splitTopLevel(declarators, ',').forEach((part, i) => {
    const colon = splitTopLevel(part, ':');
    const bitfield = colon.length > 1;
    const d = colon[0]!;
    const words = d.replace(/\[.*$/s, '').match(/\w+/g) ?? [];
    // an unnamed bitfield (`int : 32;`, `__u32 : 8;`) is padding, not a member
    if (bitfield && (words.length <= (i === 0 ? 1 : 0) || TYPE_WORDS.has(words.at(-1)!))) return;
    const name = /\(\s*\*\s*(\w+)\s*\)/.exec(d)?.[1] ?? words.at(-1);
    if (name) out.push({ name, bitfield, guards: guards.map((g) => [...g]) });
  });
  return out;
}

const TYPE_WORDS = new Set(['int', 'long', 'short', 'char', 'signed', 'unsigned', '_Bool']);

/** Splits at `sep` outside brackets. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (OPEN[c]) depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (c === sep && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/**
 * The C expression a file gives NAME: the body of `#define NAME ...` (continuations joined), or the
 * value of an enumerator `NAME = ...`. Null when the file gives none.
 */
export function numberExpression(src: string, name: string): string | null {
  const code = blankComments(src);
  const def = new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${name}(?![\\w(])((?:[^\\n]*\\\\\\n)*[^\\n]*)`, 'm').exec(code);
  if (def) return def[1]!.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
  const en = new RegExp(`\\b${name}\\s*=(?!=)`).exec(code);
  if (!en) return null;
  let end = en.index + en[0].length;
  while (end < code.length && code[end] !== ',' && code[end] !== '}')
    end = OPEN[code[end]!] ? closing(code, end) + 1 : end + 1;
  return code
    .slice(en.index + en[0].length, end)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * What `make ARCH=<karch> headers_install` reads of the tarball (linux 6.1), besides the top Makefile, scripts/
 * and include/uapi: each arch's Makefile and arch/<karch>/include/uapi, and what its `archheaders` (the
 * syscall tables) and `archscripts` (x86's relocs, mips's relocs and elf-entry: host programs) need.
 */
const HEADERS_INSTALL_NEEDS: Record<string, string[]> = {
  x86: ['arch/x86/entry/syscalls/', 'arch/x86/tools/', 'tools/include/tools/'],
  arm: ['arch/arm/tools/'],
  mips: ['arch/mips/kernel/syscalls/', 'arch/mips/tools/', 'arch/mips/boot/tools/', 'arch/mips/Kbuild.platforms'],
  powerpc: ['arch/powerpc/kernel/syscalls/'],
  s390: ['arch/s390/kernel/syscalls/'],
  sparc: ['arch/sparc/kernel/syscalls/'],
  parisc: ['arch/parisc/kernel/syscalls/'],
  m68k: ['arch/m68k/kernel/syscalls/'],
  alpha: ['arch/alpha/kernel/syscalls/'],
};

/** Bumped when HEADERS_INSTALL_NEEDS changes, so an older extraction is not reused. */
const HEADERS_INSTALL_LAYOUT = 1;

/**
 * A kernel source tree of the tarball with only what `make headers_install` needs for the arches (kernel arch
 * names), extracted once (one tar run, ~9 s) under os.tmpdir() and reused: ROOT/tree. Returns ROOT/tree.
 */
export function linuxSourceUapiTree(tarball: string, arches: readonly string[]): string {
  const top = tarball.replace(/^.*\//, '').replace(/\.tar\.xz$/, '');
  const st = statSync(tarball);
  const sorted = [...new Set(arches)].sort();
  const name = `${top}-${st.size}-${Math.trunc(st.mtimeMs)}-uapi${HEADERS_INSTALL_LAYOUT}-${sorted.join('+')}`;
  const root = join(tmpdir(), 'ioctl32-linux-source', name);
  const tree = join(root, 'tree');
  if (existsSync(tree)) return tree;
  const members = ['Makefile', 'scripts/', 'include/uapi/'];
  for (const a of sorted) {
    members.push(`arch/${a}/Makefile`, `arch/${a}/include/uapi/`, ...(HEADERS_INSTALL_NEEDS[a] ?? []));
  }
  mkdirSync(root, { recursive: true });
  // into a private directory first: another test process may be extracting the same tree
  const tmp = mkdtempSync(join(root, '.extract-'));
  try {
    const r = spawnSync('tar', ['-xJf', tarball, '-C', tmp, ...members.map((m) => `${top}/${m}`)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`tar -xJf ${tarball}: ${r.stderr.trim()}`);
    try {
      renameSync(join(tmp, top), tree);
    } catch (e) {
      if (!existsSync(tree)) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return tree;
}

/**
 * The tree's own `make ARCH=<karch> O=<tmp> INSTALL_HDR_PATH=<dir> headers_install` (make and the host gcc,
 * ~10 s), run once per arch beside the tree (ROOT/install/<karch>) and reused. Resolves to the installed
 * include directory; rejects with make's output when it fails. The source tree is not written to.
 */
export async function headersInstall(tree: string, karch: string): Promise<string> {
  const dest = join(dirname(tree), 'install', karch);
  if (existsSync(dest)) return join(dest, 'include');
  mkdirSync(dirname(dest), { recursive: true });
  const work = mkdtempSync(join(dirname(dest), `.${karch}-`));
  try {
    const out = join(work, 'usr');
    const args = ['-s', `ARCH=${karch}`, `O=${join(work, 'build')}`, `INSTALL_HDR_PATH=${out}`, 'headers_install'];
    mkdirSync(join(work, 'build'));
    await new Promise<void>((resolve, reject) => {
      const child = spawn('make', args, { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        // headers_install copies with rsync, which linux-source-6.1 only recommends
        const hint = /rsync: (command )?not found/.test(text) ? ' (install rsync)' : '';
        if (code === 0) resolve();
        else reject(new Error(`make ${args.join(' ')}${hint}:\n${text}`));
      });
    });
    try {
      renameSync(out, dest);
    } catch (e) {
      if (!existsSync(dest)) throw e;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return join(dest, 'include');
}

/** fs/btrfs's ioctl files of linux-source-6.1 and the headers they include by "..." (what the audit reads of it). */
export const BTRFS_AUDIT_FILES: readonly string[] = [
  'file.c',
  'ioctl.c',
  ...['async-thread', 'backref', 'block-group', 'block-rsv', 'btrfs_inode', 'compression', 'ctree'],
  ...['delalloc-space', 'delayed-inode', 'delayed-ref', 'dev-replace', 'disk-io', 'export', 'extent-io-tree'],
  ...['extent_io', 'extent_map', 'free-space-cache', 'locking', 'ordered-data', 'print-tree', 'props'],
  ...['qgroup', 'rcu-string', 'reflink', 'send', 'space-info', 'subpage', 'sysfs', 'transaction', 'tree-log'],
  ...['ulist', 'volumes'],
].map((f) => `fs/btrfs/${f.endsWith('.c') ? f : `${f}.h`}`);
