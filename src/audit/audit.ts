/**
 * `ioctl32 audit`: a kernel tree's drivers read (unit.ts, reader.ts) and joined with check's
 * verdicts for a native/compat pair. For every ops structure with ioctl hooks, each command its
 * native handler dispatches is followed as a compat task sends it (the compat ABI's number)
 * through the compat hook: it reaches code of the compat handler (its own case: the driver
 * converts), a native case (a pass-through: wrong where the layouts differ), nothing (ENOTTY),
 * or something too dynamic to read (`unknown`, with the reason). Compat cases comparing a number
 * no compat task sends are dead code.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { getAbi } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import { check, type IoctlVerdict } from '../compat/check.js';
import { UsageError } from '../errors.js';
import { CFrontError } from '../cfront/token.js';
import type { SourceLoc } from '../cfront/types.js';
import type { Token } from '../cfront/token.js';
import type { Macro } from '../cfront/preprocess.js';
import { VFS_FORWARDED } from '../ioctl/kernel-remaps.js';
import { compatStructFindings, compatStructs, type CompatStruct } from './compat-structs.js';
import { judgeDrm, readDrm, type DrmSources } from './drm.js';
import { judgeV4l2, readV4l2 } from './v4l2.js';
import { KbuildObjects } from './kbuild.js';
import { article, hex, numbers } from './evidence.js';
import {
  COMPAT_PASS_THROUGH,
  DRM_DISPATCH,
  IOCTL_HOOKS,
  PASS_THROUGH_HOOKS,
  V4L2_DISPATCH,
  type IoctlHookKind,
} from './hooks.js';
import {
  baseStruct,
  definedNames,
  matching,
  readAssignments,
  readDefinitions,
  readDispatch,
  within,
  type Dispatch,
  type ExpandCall,
  type FunctionDef,
  type CmdRange,
  type Label,
  type OpsDef,
} from './reader.js';
import { kernelBuild, readKernelUnit, unitCache, type KernelBuild, type KernelUnit, type UnitCache } from './unit.js';

export type AuditFindingKind =
  | 'unconverted'
  | 'unreachable'
  | 'dead-compat-code'
  | 'unknown'
  | 'no-compat-hook'
  | 'compat-refused'
  | 'compat-struct-differs'
  | 'tail-only';
export type AuditLevel = 'error' | 'warning' | 'note';

export interface AuditFinding {
  kind: AuditFindingKind;
  level: AuditLevel;
  /** The ioctl's name (the catalogue's), or the label as written. */
  ioctl: string;
  /** Where in the tree: file relative to the tree, 1-based line. */
  file: string;
  line: number;
  /** The ops structure and its compat hook (`compat_ptr_ioctl`, a function, or none). */
  ops: string;
  hook: string;
  message: string;
  /** Numbers and sizes the finding rests on. */
  evidence: string;
  fix: string;
}

/** A compat hook as the ops structure sets it. */
export interface AuditHook {
  file: string;
  line: number;
  ops: string;
  struct: string;
  native: string;
  /** `compat_ptr_ioctl`, a function's name, `none`, or `unknown: why`. */
  compat: string;
  /** Commands the native handler dispatches, evaluated; and those joined with the catalogue. */
  nativeLabels: number;
  joined: number;
  /** The table dispatcher its handlers reach (drm_ioctl, v4l2_compat_ioctl32): its tables are judged on their own. */
  table?: string;
}

export interface AuditReport {
  tree: string;
  build: string;
  native: string;
  compat: string;
  /** Files read, those that failed (why), and those the configuration does not build (why: the Makefile line). */
  files: { read: number; failed: Record<string, string>; notBuilt?: Record<string, string> };
  /** Functions read as handlers (reached from a hook through calls passing cmd), labels found and evaluated. */
  handlers: number;
  labels: number;
  evaluated: number;
  hooks: AuditHook[];
  findings: AuditFinding[];
  /** UAPI headers the catalogue read (those defining the labels' macros), and those it could not. */
  headers: string[];
  headersFailed: Record<string, string>;
  /** The hand-written compat structs of the files read that mirror a UAPI struct, compared (compat-structs.ts). */
  compatStructs: CompatStruct[];
  /** DRM's table-dispatched ioctls (drm.ts): entries read from the tables, and those judged. */
  drm?: { ioctls: number; judged: number };
  /** V4L2's table-dispatched ioctls (v4l2.ts): entries of v4l2_ioctls[] read, and those judged. */
  v4l2?: { ioctls: number; judged: number };
}

export interface AuditOptions {
  /** The kernel source tree whose .c files are read. */
  tree: string;
  /** Files or directories inside the tree (default: the whole tree). */
  paths?: string[];
  /** The configured build tree (autoconf.h, generated headers); default: the tree itself. */
  build: string;
  native: Abi;
  compat: Abi;
  onProgress?: (done: number, total: number, file: string) => void;
  /** A .config read in place of the build tree's autoconf.h (as kconfig would write it). */
  config?: string;
  /**
   * The units read for the build tree, kept between audits (auditPairs shares them between the compat ABIs
   * of one native): given the build (its --config overlay), the cache to read with.
   */
  cacheFor?: (kb: KernelBuild) => UnitCache;
}

interface ReadFile {
  rel: string;
  unit: KernelUnit;
  functions: Map<string, FunctionDef>;
}

/** A label's value as the native compiler computes it (`cmd` is an unsigned int), or why not. */
type LabelValue = { value: number } | { error: string };

interface Handler {
  file: ReadFile;
  dispatch: Dispatch;
  values: LabelValue[];
}

/** Whether `dir` looks like a kernel source tree (or part of one holding drivers). */
function assertKernelTree(tree: string): string {
  const root = resolve(tree);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UsageError(`kernel tree ${tree}: no such directory`);
  const marks = ['Kbuild', 'drivers', 'fs', 'include/linux', 'arch'];
  if (!marks.some((m) => existsSync(join(root, m)))) {
    throw new UsageError(`${tree} is not a kernel tree: it has none of ${marks.join(', ')}`);
  }
  return root;
}

/**
 * The .c files under the paths that set an ioctl hook (a cheap text test first: most files set
 * none), all .c files under them (where a handler another file names may be defined), and which
 * of those seem to define each function name. Texts are not kept: a tree's are hundreds of MB.
 */
function sourceFiles(
  root: string,
  paths: readonly string[],
): { hooks: string[]; all: string[]; definers: Map<string, string[]> } {
  const out: string[] = [];
  const all: string[] = [];
  const definers = new Map<string, string[]>();
  // a .c file another one #includes (sound/core/timer.c includes timer_compat.c) is part of that unit, not one
  const included = new Set<string>();
  const walk = (p: string) => {
    // links are not followed: a tree's are dangling or lead back into it (scripts/dtc/include-prefixes)
    const st = lstatSync(p);
    if (st.isDirectory()) {
      for (const n of readdirSync(p).sort()) if (!n.startsWith('.')) walk(join(p, n));
    } else if (p.endsWith('.c')) {
      all.push(p);
      const text = readFileSync(p, 'latin1');
      if (IOCTL_HOOKS.some((h) => text.includes(`.${h.native}`) || text.includes(`.${h.compat}`))) out.push(p);
      for (const m of text.matchAll(/^\s*#\s*include\s+"([^"]+\.c)"/gm)) included.add(resolve(dirname(p), m[1]!));
      for (const name of definedNames(text)) {
        const list = definers.get(name);
        if (!list) definers.set(name, [p]);
        else if (list[list.length - 1] !== p) list.push(p);
      }
    }
  };
  for (const p of paths.length ? paths : ['.']) {
    const abs = resolve(root, p);
    if (abs !== root && !abs.startsWith(`${root}/`)) throw new UsageError(`${p} is outside the kernel tree ${root}`);
    if (!existsSync(abs)) throw new UsageError(`${p}: no such file or directory in ${root}`);
    walk(abs);
  }
  return { hooks: out.filter((f) => !included.has(f)), all: all.filter((f) => !included.has(f)), definers };
}

/** Of `files`, those that seem to define function `name` (sourceFiles' index), nearest `near`'s directory first. */
function definingFiles(
  files: ReadonlySet<string>,
  definers: ReadonlyMap<string, readonly string[]>,
  name: string,
  near: string,
): string[] {
  const dir = near.slice(0, near.lastIndexOf('/') + 1);
  return (definers.get(name) ?? [])
    .filter((f) => files.has(f))
    .sort((a, b) => Number(!a.startsWith(dir)) - Number(!b.startsWith(dir)));
}

/**
 * `audit --arch`: one report per pair, each native ABI's units read once and shared by its compat
 * ABIs (x86_64's one compat hook serves i386, i386+t64 and x32 tasks: each is judged).
 * `build(native)` names each native ABI's build tree.
 */
export function auditPairs(
  opts: Omit<AuditOptions, 'native' | 'compat' | 'build' | 'cacheFor'> & { build: (native: Abi) => string },
  pairs: ReadonlyArray<{ native: Abi; compat: Abi }>,
): AuditReport[] {
  const caches = new Map<string, UnitCache>();
  return pairs.map(({ native, compat }) => {
    const cacheFor = (kb: KernelBuild): UnitCache => {
      let cache = caches.get(native.name);
      if (!cache) caches.set(native.name, (cache = unitCache(kb.overlay)));
      return cache;
    };
    return audit({ ...opts, build: opts.build(native), native, compat, cacheFor });
  });
}

/**
 * Most files that set a hook read in one part of an audit: a unit holds its headers' tokens (15-20 MB
 * each), so a whole tree (thousands of such files) is read part by part, each part's units released
 * before the next; a handler or table in another part's file is read again where needed.
 */
const PART_FILES = 16;

export function audit(opts: AuditOptions): AuditReport {
  const root = assertKernelTree(opts.tree);
  const kb = kernelBuild(opts.build, opts.native, root, opts.config);
  const found = sourceFiles(root, opts.paths ?? []);
  // only what the configuration builds (the directories' Makefiles): a driver of another architecture or
  // one the configuration leaves out is not what the kernel serves
  const kbuild = new KbuildObjects(root, kb.isSet, opts.native.kernelArch);
  const notBuilt: Record<string, string> = {};
  const built = (f: string) => {
    const why = kbuild.notBuilt(f);
    if (why) notBuilt[why.file] = why.why;
    return why === null;
  };
  const all = found.all.filter(built);
  const hooks = found.hooks.filter((f) => !(relative(root, f) in notBuilt));
  const definers = found.definers;
  const parts = partsOf(hooks, PART_FILES);
  let done = 0;
  const reports = parts.map((part, i) => {
    const progress = opts.onProgress;
    const r = auditPart({
      ...opts,
      // several parts: each its own files and units (a whole tree's lexed files outgrow the heap otherwise)
      ...(parts.length > 1 ? { cacheFor: () => unitCache(kb.overlay) } : {}),
      root,
      kb,
      files: part,
      allFiles: all,
      definers,
      // DRM's and V4L2's tables are read once (they span directories), with the first part
      tables: i === 0,
      ...(progress ? { onProgress: (d: number, _t: number, f: string) => progress(done + d, hooks.length, f) } : {}),
    });
    done += part.length;
    return r;
  });
  if (hooks.length === 0)
    reports.push(auditPart({ ...opts, root, kb, files: [], allFiles: all, definers, tables: true }));
  const report = reports.length === 1 ? reports[0]!.report : mergeReports(reports);
  if (Object.keys(notBuilt).length) report.files.notBuilt = notBuilt;
  return report;
}

/** Files in order, cut into parts of at most `max`, a directory's files kept together where they fit. */
function partsOf(files: readonly string[], max: number): string[][] {
  const parts: string[][] = [];
  let part: string[] = [];
  let i = 0;
  while (i < files.length) {
    const dir = dirname(files[i]!);
    let j = i;
    while (j < files.length && dirname(files[j]!) === dir) j++;
    const group = files.slice(i, j);
    if (part.length && part.length + group.length > max) {
      parts.push(part);
      part = [];
    }
    for (const f of group) {
      part.push(f);
      if (part.length === max) {
        parts.push(part);
        part = [];
      }
    }
    i = j;
  }
  if (part.length) parts.push(part);
  return parts;
}

/** The parts' reports as one: a file, hook, finding or compat struct two parts both read, once. */
function mergeReports(parts: readonly PartResult[]): AuditReport {
  const reports = parts.map((p) => p.report);
  const first = reports[0]!;
  const once = <T>(items: T[], key: (x: T) => string): T[] => [
    ...new Map(items.map((x) => [key(x), x] as const)).values(),
  ];
  const hooks = once(
    reports.flatMap((r) => r.hooks),
    (h) => `${h.file}:${h.line}:${h.ops}`,
  );
  const handlers = new Map(parts.flatMap((p) => [...p.handlers]));
  const out: AuditReport = {
    ...first,
    files: {
      read: new Set(parts.flatMap((p) => p.filesRead)).size,
      failed: Object.assign({}, ...reports.map((r) => r.files.failed)) as Record<string, string>,
    },
    handlers: handlers.size,
    labels: [...handlers.values()].reduce((n, h) => n + h.labels, 0),
    evaluated: [...handlers.values()].reduce((n, h) => n + h.evaluated, 0),
    hooks,
    findings: once(
      reports.flatMap((r) => r.findings),
      // two parts may judge one ops structure's handler from two ops structures (cdrom's block fops)
      (f) => `${f.kind}\0${f.ioctl}\0${f.file}\0${f.line}\0${f.kind === 'no-compat-hook' ? f.ops : ''}`,
    ).sort(byPlace),
    headers: [...new Set(reports.flatMap((r) => r.headers))].sort(),
    headersFailed: Object.assign({}, ...reports.map((r) => r.headersFailed)) as Record<string, string>,
    compatStructs: once(
      reports.flatMap((r) => r.compatStructs),
      (c) => `${c.file}:${c.line}`,
    ),
  };
  for (const r of reports) {
    if (r.drm) out.drm = r.drm;
    if (r.v4l2) out.v4l2 = r.v4l2;
  }
  return out;
}

function byPlace(a: AuditFinding, b: AuditFinding): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.kind.localeCompare(b.kind);
}

interface PartOptions extends AuditOptions {
  root: string;
  kb: KernelBuild;
  files: readonly string[];
  allFiles: readonly string[];
  definers: ReadonlyMap<string, readonly string[]>;
  tables: boolean;
}

/** A part's report, with the files it read and the handlers it followed (two parts may share some). */
interface PartResult {
  report: AuditReport;
  filesRead: string[];
  /** Handlers followed, by definition and command parameter: their labels and those evaluated. */
  handlers: Map<string, { labels: number; evaluated: number }>;
}

function auditPart(opts: PartOptions): PartResult {
  const { root, kb, files, allFiles, definers } = opts;
  const report: AuditReport = {
    tree: root,
    build: kb.build,
    native: opts.native.name,
    compat: opts.compat.name,
    files: { read: 0, failed: {} },
    handlers: 0,
    labels: 0,
    evaluated: 0,
    hooks: [],
    findings: [],
    headers: [],
    headersFailed: {},
    compatStructs: [],
  };
  const cache = opts.cacheFor?.(kb) ?? unitCache(kb.overlay);
  const read: ReadFile[] = [];
  const ops: Array<{ file: ReadFile; def: ReturnType<typeof readDefinitions>['ops'][number]; kind: IoctlHookKind }> =
    [];
  const attempted = new Set<string>();
  const readOne = (path: string): ReadFile | null => {
    const rel = relative(root, path);
    attempted.add(path);
    let unit: KernelUnit;
    try {
      unit = readKernelUnit(path, kb, cache, root);
    } catch (e) {
      if (!(e instanceof CFrontError)) throw e;
      report.files.failed[rel] = e.message;
      return null;
    }
    report.files.read++;
    const defs = readDefinitions(unit.tokens, unit.path, expandCall(unit));
    const file: ReadFile = { rel, unit, functions: new Map(defs.functions.map((f) => [f.name, f])) };
    read.push(file);
    for (const def of [...defs.ops, ...assignedOps(unit, defs.functions)]) {
      const kind = IOCTL_HOOKS.find((h) => h.struct === def.struct);
      if (kind && (def.members.has(kind.native) || def.members.has(kind.compat))) ops.push({ file, def, kind });
    }
    return file;
  };
  files.forEach((path, i) => {
    opts.onProgress?.(i, files.length, relative(root, path));
    readOne(path);
  });
  opts.onProgress?.(files.length, files.length, '');
  const tableSources: DrmSources = {
    all: allFiles,
    read: (path) =>
      attempted.has(path) ? (read.find((r) => r.unit.path === path)?.unit ?? null) : (readOne(path)?.unit ?? null),
    text: (path) => readFileSync(path, 'latin1'),
    kb,
  };
  const noTables = { ...tableSources, all: [] };
  const drm = readDrm(opts.tables ? tableSources : noTables);
  const v4l2 = readV4l2(opts.tables ? tableSources : noTables);
  /** A handler defined in a file not read yet (btrfs_ioctl in fs/btrfs/ioctl.c, its hooks in file.c). */
  const readDefining = (name: string, near: string, strong = false): FunctionDef | undefined => {
    const unread = new Set(allFiles.filter((f) => !attempted.has(f)));
    for (const path of definingFiles(unread, definers, name, near)) {
      const f = readOne(path);
      const fn = f?.functions.get(name);
      if (fn && !fn.isStatic && !(strong && fn.weak)) return fn;
    }
    return undefined;
  };
  /** The definition the linker takes: a strong one over a `__weak` default, wherever the paths audited have it. */
  const linked = (fn: FunctionDef, near: string): FunctionDef =>
    fn.weak ? (findElsewhere(read, fn.name, true) ?? readDefining(fn.name, near, true) ?? fn) : fn;

  const handlers = new Map<string, Handler>();
  const handler = (file: ReadFile, name: string, cmdParam: number): Handler | null => {
    const found = file.functions.get(name) ?? findElsewhere(read, name) ?? readDefining(name, file.unit.path);
    if (!found) return null;
    const fn = linked(found, file.unit.path);
    const owner = read.find((r) => r.functions.get(name) === fn)!;
    // one handler per definition: the ops structures of several files share it (btrfs_ioctl)
    const key = `${owner.rel}\0${name}\0${cmdParam}`;
    let h = handlers.get(key);
    if (h) return h;
    const dispatch = readDispatch(owner.unit.tokens, fn, cmdParam, expandCall(owner.unit));
    h = { file: owner, dispatch, values: dispatch.labels.map((l) => labelValue(owner.unit, l)) };
    handlers.set(key, h);
    return h;
  };

  // the catalogue: the UAPI headers that define the labels' macros
  const reached = (start: Handler | null, stop: Set<Handler>): Handler[] => {
    const out: Handler[] = [];
    const todo = start ? [start] : [];
    while (todo.length) {
      const h = todo.pop()!;
      if (out.includes(h) || stop.has(h)) continue;
      out.push(h);
      for (const c of h.dispatch.calls) {
        if (c.callee === null) continue;
        const next = handler(h.file, c.callee, c.argIndex);
        if (next) todo.push(next);
      }
    }
    return out;
  };
  interface OpsPlan {
    file: ReadFile;
    name: string;
    struct: string;
    line: number;
    nativeName: string;
    native: Handler[];
    compatHook: string;
    compatStart: Handler | null;
    compat: Handler[];
    hookLoc: SourceLoc;
    unknownHook?: string;
  }
  const plans: OpsPlan[] = [];
  for (const { file, def, kind } of ops) {
    const nativeTok = def.members.get(kind.native)?.tokens ?? [];
    const nativeName = hookName(nativeTok);
    if (nativeName === 'none' || nativeName.startsWith('unknown')) continue;
    const nativeStart = handler(file, nativeName, kind.cmdParam);
    const native = reached(nativeStart, new Set());
    const compatMember = def.members.get(kind.compat);
    const compatHook = hookName(compatMember?.tokens ?? []);
    let compatStart: Handler | null = null;
    if (PASS_THROUGH_HOOKS.has(compatHook) || (compatHook === 'none' && kind.absentPassesThrough))
      compatStart = nativeStart;
    else if (compatHook !== 'none' && !compatHook.startsWith('unknown'))
      compatStart = handler(file, compatHook, kind.cmdParam);
    const compat = reached(compatStart, new Set(native));
    plans.push({
      file,
      name: def.name,
      struct: def.struct,
      line: def.loc.line,
      nativeName,
      native,
      compatHook,
      compatStart,
      compat,
      hookLoc: compatMember?.loc ?? def.loc,
    });
  }
  const allHandlers = [...new Set(plans.flatMap((p) => [...p.native, ...p.compat]))];
  report.handlers = allHandlers.length;
  report.labels = allHandlers.reduce((n, h) => n + h.values.length, 0);
  report.evaluated = allHandlers.reduce((n, h) => n + h.values.filter((v) => 'value' in v).length, 0);
  const headers = new Set<string>();
  for (const h of allHandlers) {
    for (const l of h.dispatch.labels) for (const f of uapiFilesOf(l, h.file.unit, kb)) headers.add(f);
  }
  for (const h of drm.headers) headers.add(h);
  for (const h of v4l2.headers) headers.add(h);
  report.headers = [...headers].sort();
  const catalogue = joinCatalogue(report, kb, opts);

  const seen = new Set<string>();
  const add = (f: AuditFinding) => {
    // one finding per ioctl and place: a handler may list a command in two switches (mtdchar_ioctl),
    // two ops structures share a handler (btrfs_file_operations, btrfs_dir_file_operations)
    const key = `${f.kind}\0${f.ioctl}\0${f.file}\0${f.kind === 'no-compat-hook' ? f.ops : ''}${f.kind === 'dead-compat-code' ? f.line : ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    report.findings.push(f);
  };
  for (const p of plans) {
    const nativeSet = new Set(p.native);
    const hook: AuditHook = {
      file: p.file.rel,
      line: p.line,
      ops: p.name,
      struct: p.struct,
      native: p.nativeName,
      compat: p.compatHook,
      nativeLabels: 0,
      joined: 0,
    };
    const table = [p.nativeName, p.compatHook, ...[...p.native, ...p.compat].map((h) => h.dispatch.fn.name)].find((f) =>
      TABLE_ENTRIES.has(f),
    );
    if (table) hook.table = table;
    report.hooks.push(hook);
    const where = (loc: SourceLoc) => ({ file: relative(root, loc.file), line: loc.line });
    const base = { ops: `${p.struct} ${p.name}`, hook: p.compatHook };
    const unreachableWithoutHook: string[] = [];
    // a compat hook that only fails (kvm_main.c without CONFIG_KVM_COMPAT: kvm_no_compat_ioctl, -EINVAL)
    // refuses compat tasks by design: one note, not an error per ioctl
    const refusal = p.compatStart ? onlyFails(p.compatStart) : null;
    for (const h of p.native) {
      h.dispatch.labels.forEach((label, i) => {
        const v = h.values[i]!;
        if (!('value' in v)) return;
        hook.nativeLabels++;
        const entry = catalogue.identify(v.value, label.text);
        if (!entry) return;
        hook.joined++;
        const compatCmd = entry.compatCmd;
        const evidence = numbers(entry, v.value, opts);
        if (compatCmd === null) {
          add({
            ...base,
            kind: 'unknown',
            level: 'note',
            ioctl: entry.name,
            ...where(label.loc),
            message: `no ${opts.compat.name} number for ${entry.name}: ${entry.reasons[0]?.message ?? entry.verdict}`,
            evidence,
            fix: 'none: the catalogue cannot say what a compat task sends',
          });
          return;
        }
        // do_vfs_ioctl() hands it to this native hook for compat tasks too, before any compat hook (fs/pipe.c's
        // FIONREAD): right where the task sends the native number and the layouts agree
        if (compatCmd === v.value && !layoutDiffers(entry) && VFS_FORWARDED.some((f) => f.name === entry.name)) return;
        if (p.compatStart === null || refusal) {
          if (!unreachableWithoutHook.includes(entry.name)) unreachableWithoutHook.push(entry.name);
          return;
        }
        const r = route(compatCmd, p.compatStart, handler);
        // a compat handler's own case, or its range holding the number (compat_sock_ioctl's wireless range)
        const compatMatched = r.matched.some((m) => !nativeSet.has(m.h)) || r.ranges.some((x) => !nativeSet.has(x));
        const nativeMatched = r.matched.filter((m) => nativeSet.has(m.h));
        if (compatMatched) return;
        // a native task's number, followed from the native hook, must reach the label for a compat task's
        // failure to be one: ppp_asynctty_ioctl calls n_tty_ioctl_helper for TCFLSH only, not its TCXONC
        if (!r.matched.length && !r.unknown.length && p.native[0]) {
          const natively = route(v.value, p.native[0], handler);
          if (!natively.unknown.length && !natively.matched.some((m) => m.label === label)) return;
        }
        if (nativeMatched.length) {
          if (compatCmd !== v.value || !layoutDiffers(entry)) return;
          // the native code converts for compat tasks itself (scsi_cdrom_send_packet's in_compat_syscall())
          if (nativeMatched.some((m) => asksCompat(m.h, m.label, read))) return;
          // or only fails (dev_ioctl's SIOCSIFLINK: -ENOTTY): no layout is read
          if (nativeMatched.every((m) => onlyRefuses(m.h, m.label, read))) return;
          add({
            ...base,
            kind: 'unconverted',
            level: 'error',
            ioctl: entry.name,
            ...where(label.loc),
            message:
              `${entry.name} reaches ${h.dispatch.fn.name}'s case from ${article(opts.compat.name)} ${opts.compat.name} task unconverted ` +
              `(${p.compatHook === COMPAT_PASS_THROUGH ? 'compat_ptr_ioctl' : `${passer(p)} passes cmd on`}): ` +
              `verdict ${entry.verdict}`,
            evidence: `${evidence}; ${reasonText(entry)}`,
            fix:
              `give ${entry.name} a case in a compat handler that converts ${entry.arg ?? 'the argument'} ` +
              `(ioctl32 gen c ${entry.header} writes one) instead of passing it through`,
          });
          return;
        }
        if (r.unknown.length) {
          const u = r.unknown[0]!;
          add({
            ...base,
            kind: 'unknown',
            level: 'note',
            ioctl: entry.name,
            ...where(u.loc),
            message: `where ${entry.name}'s ${opts.compat.name} number goes is not read: ${u.why}`,
            evidence,
            fix: 'none: read the handler',
          });
          return;
        }
        const hookKind = IOCTL_HOOKS.find((k) => k.struct === p.struct)!;
        if (hookKind.genericPassThrough) {
          // the core serves a list of generic commands itself after ENOIOCTLCMD (net/socket.c
          // compat_sock_ioctl_trans: SIOCSIFADDR for inet6_compat_ioctl), not read here
          add({
            ...base,
            kind: 'unknown',
            level: 'note',
            ioctl: entry.name,
            ...where(label.loc),
            message:
              `${article(opts.compat.name)} ${opts.compat.name} task's ${entry.name} (0x${hex(compatCmd)}) reaches no ` +
              `case from ${p.compatHook}; whether the core's generic commands serve it is not read: ${hookKind.withoutCompat}`,
            evidence: `${evidence}; verdict ${entry.verdict}`,
            fix: 'none: read the core',
          });
          return;
        }
        // the native code only fails (pcm_oss.c: snd_pcm_oss_get_mapbuf returns -EINVAL): the compat task
        // gets another error, not another behaviour
        const nativeRefusal = onlyRefuses(h, label, read);
        add({
          ...base,
          kind: 'unreachable',
          level: nativeRefusal ? 'note' : 'error',
          ioctl: entry.name,
          ...where(label.loc),
          message:
            `${article(opts.compat.name)} ${opts.compat.name} task's ${entry.name} (0x${hex(compatCmd)}) reaches no case from ` +
            `${p.compatHook === COMPAT_PASS_THROUGH ? `compat_ptr_ioctl → ${p.nativeName}` : passer(p)}: ` +
            `ENOTTY/EINVAL where ${h.dispatch.fn.name} handles 0x${hex(v.value)}` +
            (nativeRefusal
              ? ` — harmless: the native code only answers -${nativeRefusal} (${nativeRefusal === 'ENOTTY' ? 'the same' : 'another'} error)`
              : ''),
          evidence: `${evidence}; verdict ${entry.verdict}`,
          fix:
            entry.verdict === 'convert' || entry.verdict === 'pointer-inside'
              ? `handle ${entry.name}'s compat number 0x${hex(compatCmd)} in the compat handler: convert ` +
                `${entry.arg ?? 'the argument'} and call the native code (ioctl32 gen c ${entry.header})`
              : `map the compat number 0x${hex(compatCmd)} to ${entry.name} in the compat handler`,
        });
      });
    }
    const kind = IOCTL_HOOKS.find((k) => k.struct === p.struct)!;
    if (refusal && unreachableWithoutHook.length) {
      add({
        ...base,
        kind: 'compat-refused',
        level: 'note',
        ioctl: unreachableWithoutHook.join(' '),
        ...where(p.hookLoc),
        message:
          `${p.compatHook} answers -${refusal} to every ${opts.compat.name} task: ${p.struct} ${p.name} refuses ` +
          `its ${unreachableWithoutHook.length} ioctls to compat tasks`,
        evidence: `${p.compatHook}'s whole body is \`return -${refusal};\``,
        fix: 'none where compat tasks are not to be served; else a compat handler that converts',
      });
    }
    if (p.compatStart === null && unreachableWithoutHook.length && !kind.genericPassThrough) {
      add({
        ...base,
        kind: 'no-compat-hook',
        level: 'note',
        ioctl: unreachableWithoutHook.join(' '),
        ...where(p.hookLoc),
        message: `${p.struct} ${p.name} has no ${IOCTL_HOOKS.find((k) => k.struct === p.struct)!.compat}: ${opts.compat.name} tasks reach none of its ${unreachableWithoutHook.length} ioctls`,
        evidence: IOCTL_HOOKS.find((k) => k.struct === p.struct)!.withoutCompat,
        fix: 'set the compat hook: compat_ptr_ioctl where every layout is the same, a converting handler otherwise',
      });
    }
    for (const h of p.compat) {
      h.dispatch.labels.forEach((label, i) => {
        const v = h.values[i]!;
        if (!('value' in v)) return;
        if (catalogue.sentByCompat(v.value)) return;
        const native = catalogue.nativeOnly(v.value);
        if (!native) return;
        // after `cmd = HPET_INFO` (hpet_compat_ioctl maps COMPAT_HPET_INFO so) or `cmd = _IOC(...)` (pps.c
        // rebuilds the size field), a native number is what cmd may hold: not dead
        if (h.dispatch.dynamic.some((d) => before(d.loc, label.loc))) return;
        add({
          ...base,
          kind: 'dead-compat-code',
          level: 'error',
          ioctl: native.name,
          ...where(label.loc),
          message:
            `${h.dispatch.fn.name} compares ${h.dispatch.cmd} with ${label.text} = 0x${hex(v.value)}, the native ` +
            `number: no ${opts.compat.name} task sends it (it sends 0x${hex(native.compatCmd!)}), nor does any ` +
            `other compat task of ${opts.native.name} (${opts.native.compat.filter((c) => c !== opts.compat.name).join(', ')}), ` +
            'so this code never runs',
          evidence: numbers(native, v.value, opts),
          fix:
            `compare with the compat number 0x${hex(native.compatCmd!)} (_IOC with the compat struct's size, as ` +
            `ioctl32 gen c ${native.header} names it ${native.name}_32)`,
        });
      });
    }
  }
  const identify = (cmd: number, name: string, exact?: boolean) => catalogue.identify(cmd, name, exact);
  const drmJudged = judgeDrm(drm, { root, native: opts.native, compat: opts.compat, identify });
  for (const f of drmJudged.findings) add(f);
  if (drm.ioctls.length) report.drm = { ioctls: drm.ioctls.length, judged: drmJudged.judged };
  const v4l2Opts = { root, native: opts.native, compat: opts.compat, identify, kernelTree: kb.uapiTree };
  const v4l2Judged = judgeV4l2(v4l2, v4l2Opts);
  for (const f of v4l2Judged.findings) add(f);
  if (v4l2.ioctls.length) report.v4l2 = { ioctls: v4l2.ioctls.length, judged: v4l2Judged.judged };
  report.compatStructs = compatStructs(read, kb, root, opts.compat);
  const hookOf = (file: string) => {
    const h = report.hooks.find((x) => x.file === file);
    return h ? { ops: `${h.struct} ${h.ops}`, hook: h.compat } : { ops: 'none', hook: 'none' };
  };
  for (const f of compatStructFindings(report.compatStructs, hookOf)) add(f);
  report.findings.sort(byPlace);
  // for mergeReports: what two parts may both have read
  const counts = new Map(
    [...handlers].map(([k, h]) => [
      k,
      { labels: h.values.length, evaluated: h.values.filter((v) => 'value' in v).length },
    ]),
  );
  return { report, filesRead: read.map((r) => r.rel), handlers: counts };
}

/**
 * The errno a label's native code always answers, or null: its route is `return -EXXX;`, or returns a
 * call of a function (among the files read) whose whole body is that.
 */
function onlyRefuses(h: Handler, label: Label, read: readonly ReadFile[]): string | null {
  const i = h.dispatch.labels.indexOf(label);
  const route = h.dispatch.routes.find((r) => r.labels.includes(i));
  if (!route || route.region.length !== 1) return null;
  const [a, b] = route.region[0]!;
  const t = h.file.unit.tokens;
  const direct = errnoOf(t, a, b);
  if (direct || t[a]?.text !== 'return' || t[a + 1]?.kind !== 'ident' || t[a + 2]?.text !== '(') return direct;
  if (t[b - 1]?.text !== ';' || matching(t, a + 2) !== b - 2) return null;
  const callee = t[a + 1]!.text;
  const fn = h.file.functions.get(callee) ?? findElsewhere(read, callee);
  const owner = read.find((r) => r.functions.get(callee) === fn);
  if (!owner || !fn || fn.weak) return null;
  const body = owner.unit.tokens;
  return fn.close - fn.open === 5 ? errnoOf(body, fn.open + 1, fn.close) : null;
}

/** Who hands a compat task's command to the native code: the compat hook, or the core where there is none. */
function passer(p: { compatHook: string; struct: string }): string {
  const kind = IOCTL_HOOKS.find((k) => k.struct === p.struct);
  return p.compatHook === 'none' && kind?.absentPassesThrough
    ? `${kind.caller ?? 'the core'} (no compat hook)`
    : p.compatHook;
}

function before(a: SourceLoc, b: SourceLoc): boolean {
  return a.file === b.file && (a.line < b.line || (a.line === b.line && a.column < b.column));
}

/** The errno a handler always answers, whatever the command: its whole body is `return -EXXX;`. */
function onlyFails(h: Handler): string | null {
  const fn = h.dispatch.fn;
  return fn.close - fn.open === 5 ? errnoOf(h.file.unit.tokens, fn.open + 1, fn.close) : null;
}

function errnoOf(t: readonly Token[], from: number, to: number): string | null {
  return to - from === 4 &&
    t[from]!.text === 'return' &&
    t[from + 1]!.text === '-' &&
    /^E[A-Z0-9]+$/.test(t[from + 2]!.text) &&
    t[from + 3]!.text === ';'
    ? t[from + 2]!.text
    : null;
}

/** Kernel functions a handler asks to tell a compat task's call apart (include/linux/compat.h). */
const COMPAT_TESTS: ReadonlySet<string> = new Set(['in_compat_syscall', 'in_compat_task', 'is_compat_task']);

/**
 * Whether the code a label leads to asks whether the caller is a compat task: in the label's
 * region, or in the functions called there, three calls deep, among the files read.
 */
function asksCompat(h: Handler, label: Label, read: readonly ReadFile[]): boolean {
  const i = h.dispatch.labels.indexOf(label);
  const route = h.dispatch.routes.find((r) => r.labels.includes(i));
  if (!route) return false;
  const seen = new Set<FunctionDef>();
  const scan = (file: ReadFile, region: Array<[number, number]>, depth: number): boolean => {
    const tokens = file.unit.tokens;
    for (const [a, b] of region) {
      for (let j = a; j < b; j++) {
        const t = tokens[j]!;
        if (t.kind !== 'ident' || tokens[j + 1]?.text !== '(') continue;
        if (COMPAT_TESTS.has(t.text)) return true;
        if (depth === 0) continue;
        // the file's own function (static ones too), else another file's
        const fn = file.functions.get(t.text) ?? findElsewhere(read, t.text);
        if (!fn || seen.has(fn)) continue;
        seen.add(fn);
        const owner = read.find((r) => r.functions.get(t.text) === fn)!;
        if (scan(owner, [[fn.open, fn.close]], depth - 1)) return true;
      }
    }
    return false;
  };
  return scan(h.file, route.region, 3);
}

/**
 * Ops structures filled at run time (`hw->ops.ioctl = f; hw->ops.ioctl_compat = g;`): where a function assigns
 * a hook member of a structure IOCTL_HOOKS names, the members it assigns there, as an initializer would.
 */
function assignedOps(unit: KernelUnit, functions: readonly FunctionDef[]): OpsDef[] {
  const hookMembers = new Set(IOCTL_HOOKS.flatMap((k) => [k.native, k.compat]));
  const out: OpsDef[] = [];
  for (const fn of functions) {
    for (const g of readAssignments(unit.tokens, fn)) {
      if (![...g.members.keys()].some((m) => hookMembers.has(m))) continue;
      let struct: string | null = null;
      try {
        struct = baseStruct(unit.tokens, fn, g.base, (key) => unit.record(key));
      } catch (e) {
        if (!(e instanceof CFrontError)) throw e;
      }
      if (struct === null || !IOCTL_HOOKS.some((k) => k.struct === struct)) continue;
      const name = `${fn.name}: ${g.base.map((t) => t.text).join('')}`;
      out.push({ struct, name, loc: g.loc, members: g.members });
    }
  }
  return out;
}

/**
 * Another file's definition a call can link to: not a `static` one (pde_ioctl's local `ioctl` is no file's),
 * and, where `strong`, not a `__weak` one.
 */
function findElsewhere(read: readonly ReadFile[], name: string, strong = false): FunctionDef | undefined {
  for (const r of read) {
    const f = r.functions.get(name);
    if (f && !f.isStatic && !(strong && f.weak)) return f;
  }
  return undefined;
}

/** A hook member's value: a function name, `none` (NULL or absent), or `unknown: ...`. */
function hookName(tokens: readonly { text: string; kind: string }[]): string {
  // a macro's parenthesised argument: `.compat_ioctl = (c)`
  while (tokens.length > 2 && tokens[0]!.text === '(' && tokens[tokens.length - 1]!.text === ')') {
    tokens = tokens.slice(1, -1);
  }
  if (!tokens.length) return 'none';
  if (tokens.length === 1 && tokens[0]!.kind === 'ident') return tokens[0]!.text;
  // NULL: ((void *)0)
  if (tokens.every((t) => t.kind === 'punct' || t.text === 'void' || t.text === '0')) return 'none';
  return `unknown: ${tokens.map((t) => t.text).join(' ')}`;
}

function labelValue(unit: KernelUnit, label: Label): LabelValue {
  if (label.range) return { error: 'a case range' };
  try {
    const v = unit.evaluate(label.tokens);
    return { value: Number(BigInt.asUintN(32, v.v)) };
  } catch (e) {
    if (e instanceof Error) return { error: e.message };
    throw e;
  }
}

/** The UAPI files defining the label's macro, following macro bodies a few levels (a driver's alias of a UAPI name). */
function uapiFilesOf(label: Label, unit: KernelUnit, kb: KernelBuild): string[] {
  const out = new Set<string>();
  const seen = new Set<Macro>();
  const visit = (name: string, depth: number) => {
    const m = unit.macros(name);
    if (!m || seen.has(m) || depth > 4) return;
    seen.add(m);
    const file = m.def?.file;
    const dir = file ? kb.uapiDirs.find((d) => file.startsWith(`${d}/`)) : undefined;
    if (file && dir) out.add(relative(dir, file));
    else for (const t of m.body) if (t.kind === 'ident') visit(t.text, depth + 1);
  };
  const first = label.tokens.find((t) => t.kind === 'ident');
  if (first) visit(first.text, 0);
  return [...out];
}

/** The unit's expansion of a function-like macro's invocation (null: the tokens invoke none). */
function expandCall(unit: KernelUnit): ExpandCall {
  return (tokens) => {
    const m = tokens[0] ? unit.macros(tokens[0].text) : undefined;
    if (!m || m.params === null) return null;
    return unit.expand(tokens);
  };
}

interface Catalogue {
  /**
   * The ioctl of a native number, by its name where several share it, else any of that number (a kernel alias:
   * timer.c's SNDRV_TIMER_IOCTL_STATUS64 is UAPI's SNDRV_TIMER_IOCTL_STATUS); `exact`: of that name only.
   */
  identify(nativeCmd: number, name: string, exact?: boolean): IoctlVerdict | undefined;
  /** Whether a task of any compat ABI of the native one sends the number. */
  sentByCompat(cmd: number): boolean;
  /** The ioctl whose native number this is and whose compat number differs. */
  nativeOnly(cmd: number): IoctlVerdict | undefined;
}

function joinCatalogue(report: AuditReport, kb: KernelBuild, opts: AuditOptions): Catalogue {
  let ioctls: IoctlVerdict[] = [];
  // what every compat task of the native kernel sends (x86_64: i386, i386+t64 and x32 tasks share one
  // compat hook): a compat case is dead only when none of them sends its number
  const compatCmds = new Set<number>();
  if (report.headers.length) {
    const others = opts.native.compat.filter((c) => c !== opts.compat.name).map((c) => getAbi(c));
    const r = check({
      pairs: [opts.compat, ...others].map((compat) => ({ native: opts.native, compat })),
      // a legacy type read with its table's needs (struct ifreq for TUNSETQUEUE) stays unjudged here: a handler
      // may read the task's own size of it (tun: sizeof(struct compat_ifreq)), which the audit does not model
      scan: { headers: report.headers, kernelTree: kb.uapiTree, legacyNeeds: false },
      lint: false,
    });
    ioctls = r.pairs[0]?.ioctls ?? [];
    for (const p of r.pairs) for (const v of p.ioctls) if (v.compatCmd !== null) compatCmds.add(v.compatCmd);
    for (const failed of Object.values(r.failed)) Object.assign(report.headersFailed, failed);
  }
  const byNative = new Map<number, IoctlVerdict[]>();
  for (const v of ioctls) {
    if (v.nativeCmd !== null) byNative.set(v.nativeCmd, [...(byNative.get(v.nativeCmd) ?? []), v]);
  }
  return {
    identify: (cmd, name, exact) => {
      const all = byNative.get(cmd);
      const own = all?.find((v) => v.name === name);
      return own ?? (exact ? undefined : all?.[0]);
    },
    sentByCompat: (cmd) => compatCmds.has(cmd),
    nativeOnly: (cmd) => byNative.get(cmd)?.find((v) => v.compatCmd !== null && v.compatCmd !== cmd),
  };
}

interface RouteResult {
  matched: Array<{ h: Handler; label: Label }>;
  unknown: Array<{ why: string; loc: SourceLoc }>;
  /** Handlers whose range comparison holds the command (a compat handler's: its own code serves it). */
  ranges: Handler[];
}

/** Whether cmd lies in the range (null: a bound could not be evaluated). */
function inRange(h: Handler, range: CmdRange, cmd: number): boolean | null {
  const bound = (b: { tokens: Token[] } | undefined): number | null | undefined => {
    if (!b) return undefined;
    const v = labelValue(h.file.unit, { tokens: b.tokens, text: '', loc: h.dispatch.fn.loc, kind: 'compare' });
    return 'value' in v ? v.value : null;
  };
  const lo = bound(range.lo);
  const hi = bound(range.hi);
  if (lo === null || hi === null) return null;
  if (lo !== undefined && (range.lo!.strict ? cmd <= lo : cmd < lo)) return false;
  if (hi !== undefined && (range.hi!.strict ? cmd >= hi : cmd > hi)) return false;
  return true;
}

/** A label's value, when it was evaluated. */
function valueOf(h: Handler, i: number): number | null {
  const v = h.values[i];
  return v && 'value' in v ? v.value : null;
}

/** Where the command `cmd` goes from handler `h`: the labels it matches on the way, and what could not be read. */
function route(
  cmd: number,
  start: Handler,
  handler: (file: ReadFile, name: string, cmdParam: number) => Handler | null,
): RouteResult {
  const out: RouteResult = { matched: [], unknown: [], ranges: [] };
  const visited = new Set<Handler>();
  const walk = (h: Handler) => {
    if (visited.has(h)) return;
    visited.add(h);
    const d = h.dispatch;
    const r = d.routes.find((rt) => rt.labels.some((i) => valueOf(h, i) === cmd));
    if (r) out.matched.push({ h, label: d.labels[r.labels.find((i) => valueOf(h, i) === cmd)!]! });
    const region = r ? r.region : d.unmatched;
    if (!r) {
      // a label not evaluated might be this command
      const i = h.values.findIndex((v) => !('value' in v));
      if (i >= 0) {
        const label = d.labels[i]!;
        const why = (h.values[i] as { error: string }).error;
        out.unknown.push({ why: `${d.fn.name}'s label ${label.text} was not evaluated: ${why}`, loc: label.loc });
      }
    }
    // what a range comparison guards is walked only for a command in the range
    const skipped: Array<[number, number]> = [];
    for (const dyn of d.dynamic) {
      if (!within(region, dyn.at)) continue;
      const holds = dyn.range ? inRange(h, dyn.range, cmd) : null;
      if (holds === true) out.ranges.push(h);
      else if (holds === null) out.unknown.push({ why: dyn.why, loc: dyn.loc });
      else skipped.push(dyn.range!.then);
    }
    for (const c of d.calls) {
      if (!within(region, c.at) || within(skipped, c.at)) continue;
      const next = c.callee === null ? null : handler(h.file, c.callee, c.argIndex);
      if (next) walk(next);
      else out.unknown.push({ why: `${d.fn.name} passes ${d.cmd} to ${c.text}, not in the files read`, loc: c.loc });
    }
  };
  walk(start);
  return out;
}

/**
 * Whether a compat task's argument must be converted for the native code to read it: the
 * layouts differ. A pointer held in a __u64 (`user-pointer`, same offset and size) needs none
 * on a pair where a compat pointer zero-extends to the native one (u64_to_user_ptr reads it).
 */
function layoutDiffers(entry: IoctlVerdict): boolean {
  if (entry.verdict === 'convert') return true;
  if (entry.verdict !== 'pointer-inside') return false;
  return entry.reasons.some(
    (r) =>
      r.rule !== 'user-pointer' ||
      !r.native ||
      !r.compat ||
      r.native.offset !== r.compat.offset ||
      r.native.size !== r.compat.size,
  );
}

function reasonText(entry: IoctlVerdict): string {
  return entry.reasons
    .slice(0, 2)
    .map((r) => {
      if (r.message) return r.message;
      const at = r.path ? `${r.rule} ${r.path}` : r.rule;
      const n = r.native;
      const c = r.compat;
      return n && c ? `${at}: offset ${n.offset} size ${n.size} vs offset ${c.offset} size ${c.size}` : at;
    })
    .join('; ');
}

/**
 * Why the audit judged nothing (the CLI exits 2 and says it): no file of the tree was read — the first
 * file's error when some could not be, the first file's Makefile line when the configuration builds none,
 * else that no file under the paths sets an ioctl hook. Null when a file was read.
 */
export function auditReadNothing(report: AuditReport): string | null {
  if (report.files.read > 0) return null;
  const failed = Object.entries(report.files.failed);
  const notBuilt = Object.entries(report.files.notBuilt ?? {});
  const first = (list: Array<[string, string]>) =>
    `${list[0]![0]}: ${list[0]![1]}${list.length > 1 ? ` (and ${list.length - 1} more: --verbose lists them)` : ''}`;
  if (failed.length) return `no file of ${report.tree} could be read for ${report.native}: ${first(failed)}`;
  if (notBuilt.length) {
    const what = `no file of ${report.tree} that sets an ioctl hook is built for ${report.native}`;
    return `${what} in this configuration: ${first(notBuilt)}`;
  }
  const hooks = [...new Set(IOCTL_HOOKS.flatMap((h) => [h.native, h.compat]))].map((f) => `.${f}`).join(', ');
  return `no file of ${report.tree} under the paths given sets an ioctl hook (${hooks}): nothing to audit`;
}

/** The entries of the dispatchers whose tables drm.ts and v4l2.ts read. */
const TABLE_ENTRIES: ReadonlySet<string> = new Set([
  DRM_DISPATCH.nativeEntry,
  DRM_DISPATCH.compatEntry,
  V4L2_DISPATCH.nativeEntry,
  V4L2_DISPATCH.compatEntry,
]);

/**
 * The hooks whose native handler dispatches no `case` this audit reads (snd_seq_ioctl looks cmd up in a table,
 * snd_compr_ioctl switches on _IOC_NR(cmd)): none of their ioctls is judged. DRM's and V4L2's tables are read on
 * their own (drm.ts, v4l2.ts).
 */
export function undispatchedHooks(report: AuditReport): AuditHook[] {
  return report.hooks.filter((h) => h.nativeLabels === 0 && h.table === undefined);
}

/** Whether any finding is an error (the CLI exits 1). */
export function auditHasErrors(report: AuditReport): boolean {
  return report.findings.some((f) => f.level === 'error');
}
