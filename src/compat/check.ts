/**
 * `ioctl32 check`: for every ioctl and every native/compat pair, whether and why the argument
 * needs conversion (derived from both ABIs' layouts, never from a list of answers), plus lint
 * findings for the headers a user points at.
 */
import { assertAbi } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import { UsageError } from '../errors.js';
import { stripTypedefs, type CType } from '../cfront/types.js';
import { resolve as resolvePath } from 'node:path';
import { FileCache } from '../cfront/preprocess.js';
import { CFrontError } from '../cfront/token.js';
import type { IoctlEntry } from '../ioctl/catalogue.js';
import type { IocDir } from '../ioctl/ioc.js';
import { unreadHeaders, type Dumped } from '../scan/dump.js';
import { dumpedEach } from '../scan/parallel.js';
import { LayoutError } from '../layout/types.js';
import { headersVersion, type ScanOptions } from '../scan/scan.js';
import { assertHeadersRead } from '../scan/failed.js';
import { coverageOf, missingParts, type Coverage, type MissingPart } from '../scan/coverage.js';
import {
  annotatedArgType,
  annotatedMembers,
  annotatedPaths,
  emptyAnnotations,
  validateAnnotations,
  type Annotations,
  type HandlerMembers,
} from './annotations.js';
import { actionOf, argumentUse } from './action.js';
import { sizeTolerantDispatcher, withBuiltins } from './builtin-annotations.js';
import {
  compareArgument,
  pointeeReasons,
  tailPaddingOnly,
  verdictOf,
  VERDICTS,
  type Reason,
  type Verdict,
} from './compare.js';
import { lint, type Finding } from './lint.js';

export interface IoctlVerdict {
  name: string;
  header: string;
  /** Where in `header` the macro is defined (its name), when known: SARIF points there. */
  line?: number;
  column?: number;
  arg?: string;
  verdict: Verdict;
  /** null: the macro has no value on the native ABI (verdict unknown, reason 'unresolved' says why). */
  nativeCmd: number | null;
  compatCmd: number | null;
  cmdDiffers: boolean;
  /**
   * Why the numbers differ where the layouts do not say: the macro names a pointer (`struct phm_reg *`),
   * so the number encodes a pointer's size while the handler copies what it points at (`arg`).
   */
  cmdNote?: string;
  /** What the native number encodes (`none r w rw`, as dump's `dir`). */
  dir?: IocDir;
  /**
   * What the kernel's handler really does with the argument, where the legacy table or an annotation knows it
   * and it differs from `dir` (USBDEVFS_DISCSIGNAL: dir `r`, access `w`).
   */
  access?: IocDir;
  /** The argument is a value, not a pointer (RTC_IRQP_SET). */
  byValue?: true;
  /**
   * The member of each union in the argument the handler uses, by the union's path (an annotation's, else the legacy
   * table's as dump's `members`): reasons under the union's other members are left out. null: the union's selector
   * decides.
   */
  members?: HandlerMembers;
  /** The members it writes back where they are others (an annotation's `membersBack`). */
  membersBack?: HandlerMembers;
  reasons: Reason[];
  /** One line: what the .compat_ioctl handler must do. */
  action: string;
}

export interface PairReport {
  native: string;
  compat: string;
  ioctls: IoctlVerdict[];
  /**
   * The kernel versions of the two ABIs' headers, when they differ (the host's newer linux-libc-dev against a cross
   * package, say): a declaration one version added or wrote otherwise shows as a difference of the layouts.
   */
  headerVersions?: { native: string; compat: string };
}

export interface CheckReport {
  pairs: PairReport[];
  findings: Finding[];
  /** Headers that failed, per ABI (header → first error). */
  failed: Record<string, Record<string, string>>;
  summary: CheckSummary;
}

/** `report` as the report functions take it (check()'s result): a UsageError naming `where` and what is amiss. */
export function assertCheckReport(report: unknown, where: string): asserts report is CheckReport {
  const amiss = reportAmiss(report);
  if (amiss !== null)
    throw new UsageError(`${where}: expected check()'s report ({ pairs, findings, failed, summary }): ${amiss}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is not as check() makes it, the first such part; null when none is. */
function reportAmiss(report: unknown): string | null {
  if (!isObject(report)) return `got ${describe(report)}`;
  const r = report as Partial<Record<keyof CheckReport, unknown>>;
  if (!Array.isArray(r.pairs)) return `pairs is ${describe(r.pairs)}`;
  const pair = r.pairs.findIndex(
    (p: unknown) =>
      !isObject(p) || typeof p.native !== 'string' || typeof p.compat !== 'string' || !Array.isArray(p.ioctls),
  );
  if (pair >= 0) return `pairs[${pair}] is not a { native, compat, ioctls } pair`;
  if (!Array.isArray(r.findings)) return `findings is ${describe(r.findings)}`;
  const finding = r.findings.findIndex((f: unknown) => !isObject(f));
  if (finding >= 0) return `findings[${finding}] is ${describe(r.findings[finding])}`;
  if (!isObject(r.failed)) return `failed is ${describe(r.failed)}`;
  const s = r.summary;
  if (!isObject(s) || !isObject(s.verdicts) || !isObject(s.needsWork) || !Array.isArray(s.missing))
    return 'summary is not { verdicts, needsWork, missing }';
  for (const p of r.pairs as PairReport[]) {
    const key = `${p.native}:${p.compat}`;
    if (!isObject(s.verdicts[key])) return `summary.verdicts has no counts for ${key}`;
  }
  return null;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return v.length ? `an array of ${v.length}` : 'an empty array';
  if (v === null || typeof v !== 'object') return String(v);
  const keys = Object.keys(v);
  return keys.length ? `an object with ${keys.join(', ')}` : 'an empty object';
}

export interface CheckSummary {
  /** Per pair ("x86_64:i386"), ioctls per verdict. */
  verdicts: Record<string, Record<Verdict, number>>;
  /** Per pair, per header: the ioctls that need work (renumber, pointer-inside, convert, unknown). */
  needsWork: Record<string, Record<string, string[]>>;
  /** With no header named (the whole UAPI set): per ABI, what its set read (scan/coverage.ts). */
  coverage?: Record<string, Coverage>;
  /**
   * What the ABIs' headers lack and the packages that install it, one line each: a glibc part that stopped
   * headers (they stay in `failed` too), a family the whole set has none of (drm).
   */
  missing: MissingPart[];
}

export interface CheckOptions {
  pairs: Array<{ native: Abi; compat: Abi }>;
  /** Scan options without the ABI (include dirs, -D, headers...). */
  scan: Omit<ScanOptions, 'abi' | 'files'>;
  /** Per-ABI scan settings over `scan` (each ABI's own --sysroot, say). */
  scanFor?: (abi: Abi) => Partial<ScanOptions>;
  annotations?: Annotations;
  /**
   * Apply the built-in annotations of the UAPI headers (builtin-annotations.ts) beneath `annotations`
   * (default true; an annotations file's `"builtins": false` turns them off too).
   */
  builtinAnnotations?: boolean;
  /** Lint the argument structs of the given headers (default: when headers are given). */
  lint?: boolean;
  /**
   * A header of `scan.headers` that fails on any ABI throws a HeaderReadError (the CLI's input
   * error) instead of going into `failed` (default false: the library reports and goes on).
   */
  requireHeaders?: boolean;
  /**
   * Threads for the ABIs' headers (scan/parallel.ts dumpedEach): default IOCTL32_THREADS, else 1 (the
   * declarations a verdict reads cost about half a dump to cross threads).
   */
  threads?: number;
}

/** Verdicts a compat_ptr() pass-through does not serve: the handler has work to do. */
export const NEEDS_WORK: ReadonlySet<Verdict> = new Set(['renumber', 'pointer-inside', 'convert', 'unknown']);

export function check(opts: CheckOptions): CheckReport {
  if (!Array.isArray(opts?.pairs))
    throw new UsageError('check: expected options { pairs: [{ native, compat }], scan }');
  for (const p of opts.pairs) {
    assertAbi(p?.native, "check: a pair's native");
    assertAbi(p.compat, "check: a pair's compat");
    // x86_64 over x86_64, or i386 serving x86_64: no kernel has that pair, its verdicts would mean nothing
    if (!p.native.compat.includes(p.compat.name)) {
      const its = p.native.compat.join(' ') || 'none';
      throw new UsageError(`check: ${p.compat.name} is not a compat ABI of ${p.native.name} (its compat ABIs: ${its})`);
    }
  }
  const named: unknown = opts.scan?.headers;
  if (named !== undefined && (!Array.isArray(named) || named.some((h) => typeof h !== 'string')))
    throw new UsageError(`check: scan.headers is an array of header names or paths, not ${JSON.stringify(named)}`);
  const annotations = opts.annotations ?? emptyAnnotations();
  const abis = [...new Map(opts.pairs.flatMap((p) => [p.native, p.compat]).map((a) => [a.name, a])).values()];
  // the ABIs' header trees share the tokens of the files they have in common
  const files = new FileCache();
  // each ABI's headers read on its own: in worker threads when asked (scan/parallel.ts)
  const list = abis.map((abi) => ({ ...opts.scan, ...opts.scanFor?.(abi), abi, files }));
  const threads = opts.threads === undefined ? {} : { threads: opts.threads };
  const headers = opts.scan.headers ?? [];
  const linted = opts.lint ?? headers.length > 0;
  const summary: CheckSummary = { verdicts: {}, needsWork: {}, missing: [] };
  const report: CheckReport = { pairs: [], findings: [], failed: {}, summary };
  if (!headers.length) summary.coverage = {};
  // each ABI's header version once: a native ABI is in several pairs
  const versions = new Map<string, string | null>();
  const dumps = new Map<string, Dumped>();
  const pairs: Array<PairReport | undefined> = [];
  // a driver author's own header files (paths, not include names): their ioctls, not those of
  // every system header they include
  const ownFiles =
    headers.length && headers.every((h) => h.startsWith('/') || h.startsWith('.'))
      ? new Set(headers.map((h) => files.canonical(resolvePath(h))))
      : null;
  const failed = new Map<string, Record<string, string>>();
  const coverage = new Map<string, ReturnType<typeof coverageOf>>();
  const taken = (name: string, d: Dumped) => {
    dumps.set(name, d);
    versions.set(name, headersVersion(d.scan.includeDirs));
    failed.set(name, d.result.failed);
    if (!headers.length) coverage.set(name, coverageOf(d.scan.headers, d.result.failed, d.result.ioctls));
  };
  const checkPair = (k: number) => {
    const { native, compat } = opts.pairs[k]!;
    const [n, c] = [dumps.get(native.name)!, dumps.get(compat.name)!];
    pairs[k] = pairReport(native, compat, n, c, versions, ownFiles, { ...opts, annotations });
  };
  if (linted || (opts.requireHeaders && headers.length)) {
    // named headers (small dumps): all at hand, the headers asserted read before any verdict, then lint's sides
    dumpedEach(list, threads).forEach((d, i) => taken(abis[i]!.name, d));
    if (opts.requireHeaders) {
      const unread = Object.fromEntries([...dumps].map(([name, d]) => [name, unreadHeaders(d)]));
      assertHeadersRead(unread, headers, [...dumps.keys()]);
    }
    opts.pairs.forEach((_, k) => checkPair(k));
  } else {
    // a whole UAPI set per ABI: each pair as soon as both its dumps are in, and a dump dropped when its last pair
    // is done (--arch all would otherwise hold 29 at once, about 760 MB more at its peak)
    const uses = new Map<string, number>();
    for (const p of opts.pairs) for (const a of [p.native, p.compat]) uses.set(a.name, (uses.get(a.name) ?? 0) + 1);
    dumpedEach(list, threads, (i, d) => {
      taken(abis[i]!.name, d);
      opts.pairs.forEach((p, k) => {
        if (pairs[k] || !dumps.has(p.native.name) || !dumps.has(p.compat.name)) return;
        checkPair(k);
        for (const a of [p.native.name, p.compat.name]) {
          const left = uses.get(a)! - 1;
          uses.set(a, left);
          if (left === 0) dumps.delete(a);
        }
      });
    });
  }
  // in the ABIs' order, however the dumps came
  for (const abi of abis) {
    const f = failed.get(abi.name)!;
    if (Object.keys(f).length) report.failed[abi.name] = f;
    if (summary.coverage) summary.coverage[abi.name] = coverage.get(abi.name)!;
  }
  summary.missing = missingParts(report.failed, summary.coverage);
  for (const [k, pair] of pairs.entries()) {
    report.pairs.push(pair!);
    const { native, compat } = opts.pairs[k]!;
    const key = `${native.name}:${compat.name}`;
    const counts = Object.fromEntries(VERDICTS.map((x) => [x, 0])) as Record<Verdict, number>;
    const needs: Record<string, string[]> = {};
    for (const v of pair!.ioctls) {
      counts[v.verdict]++;
      if (NEEDS_WORK.has(v.verdict)) (needs[v.header] ??= []).push(v.name);
    }
    report.summary.verdicts[key] = counts;
    report.summary.needsWork[key] = needs;
  }

  if (linted) {
    const first = opts.pairs[0];
    if (first) {
      const n = dumps.get(first.native.name)!;
      const wanted = new Set(headers.map((h) => files.canonical(n.scan.resolve(h))));
      const ioctls = [...n.ioctls.values()].filter((e) => wanted.has(e.file));
      // every ABI of the pairs, each with its own reading of the headers
      const sides = abis.map((abi) => {
        const d = dumps.get(abi.name)!;
        return { abi, layouter: d.layouter, ioctls: d.ioctls };
      });
      report.findings = lint({ ioctls, sides, displayName: n.scan.displayName });
    }
  }
  return report;
}

/** One pair's verdicts on the native ABI's ioctls (and its macros without a value), from both dumps. */
function pairReport(
  native: Abi,
  compat: Abi,
  n: Dumped,
  c: Dumped,
  versions: ReadonlyMap<string, string | null>,
  ownFiles: ReadonlySet<string> | null,
  opts: CheckOptions & { annotations: Annotations },
): PairReport {
  const annotations = opts.annotations;
  // each side lays the annotated members and argument types out as its own compiler does
  validateAnnotations(annotations, n.decls, n.layouter, n.ioctls, n.typedefs);
  validateAnnotations(annotations, c.decls, c.layouter, undefined, c.typedefs);
  // what only the kernel's handlers reveal about these headers, under the user's
  const applied = opts.builtinAnnotations === false ? annotations : withBuiltins(annotations, [n, c]);
  const pair: PairReport = { native: native.name, compat: compat.name, ioctls: [] };
  const [nv, cv] = [versions.get(native.name)!, versions.get(compat.name)!];
  if (nv !== null && cv !== null && nv !== cv) pair.headerVersions = { native: nv, compat: cv };
  for (const [name, ne] of n.ioctls) {
    if (ownFiles && !ownFiles.has(ne.file)) continue;
    pair.ioctls.push(ioctlVerdict(name, ne, c.ioctls.get(name), n, c, applied));
  }
  // ioctl macros whose number has no value natively are reported with the reason, not dropped
  for (const [name, u] of n.unresolved) {
    if (ownFiles && !ownFiles.has(u.file)) continue;
    const v: Omit<IoctlVerdict, 'action'> = {
      name,
      header: n.scan.displayName(u.file),
      line: u.loc.line,
      column: u.loc.column,
      verdict: 'unknown',
      nativeCmd: null,
      compatCmd: c.ioctls.get(name)?.cmd ?? null,
      cmdDiffers: false,
      reasons: [{ rule: 'unresolved', path: '', message: `no value on ${native.name}: ${n.scan.shorten(u.message)}` }],
    };
    pair.ioctls.push({ ...v, action: actionOf(v) });
  }
  return pair;
}

/** Whether anything asks for work: an ioctl whose verdict needs a handler, or an error finding. */
export function needsWork(report: CheckReport): boolean {
  return (
    report.findings.some((f) => f.level === 'error') ||
    report.pairs.some((p) => p.ioctls.some((v) => NEEDS_WORK.has(v.verdict)))
  );
}

/** An argument type named in text (annotations): a record of the headers, or a C type name. */
function resolveType(text: string, d: Dumped): CType | undefined {
  try {
    return annotatedArgType(text, d.decls, d.typedefs, d.layouter.abi);
  } catch (e) {
    if (e instanceof CFrontError) return undefined;
    throw e;
  }
}

/**
 * No argument structure: a value argument, one the kernel ignores (a legacy row naming none), or an _IO naming
 * nothing (an annotation's `arg` names one).
 */
export function noArgument(ne: IoctlEntry, annotations: Annotations): boolean {
  const arg = annotations.ioctlArgs.get(ne.name) ?? ne.arg;
  return (
    argumentUse(ne, annotations).byValue ||
    (ne.legacy === true && arg === undefined) ||
    ((ne.dir === 'none' || ne.dir === null) && arg === undefined)
  );
}

/** The argument's type on each side, as check judges it and the thunk converts it. */
export interface ArgumentTypes {
  native?: CType;
  compat?: CType;
  /** The type's name: an annotation's `arg`, the macro's, or what its pointer points at. */
  arg?: string;
  /** The macro names a pointer (`_IOW('p', 1, struct phm_reg *)`) and the handler copies what it points at. */
  pointee: boolean;
}

/**
 * An annotation's `arg` read on each side, else the number's type; where a macro names a pointer the number encodes
 * the pointer's size and the handler copies the record it points at: that record. Undefined where a side does not
 * know the type.
 */
export function argumentTypes(
  ne: IoctlEntry,
  ce: IoctlEntry,
  n: Dumped,
  c: Dumped,
  annotations: Annotations,
): ArgumentTypes {
  const annotatedArg = annotations.ioctlArgs.get(ne.name);
  if (annotatedArg !== undefined) {
    const [native, compat] = [resolveType(annotatedArg, n), resolveType(annotatedArg, c)];
    return { ...(native ? { native } : {}), ...(compat ? { compat } : {}), arg: annotatedArg, pointee: false };
  }
  const np = !ne.legacy && ne.argType ? pointedTo(ne.argType) : undefined;
  const cp = np && ce.argType ? pointedTo(ce.argType) : undefined;
  if (np && cp && ne.arg !== undefined)
    return { native: np, compat: cp, arg: ne.arg.replace(/\s*\*\s*$/, ''), pointee: true };
  const out: ArgumentTypes = { pointee: false };
  if (ne.argType) out.native = ne.argType;
  if (ce.argType) out.compat = ce.argType;
  if (ne.arg !== undefined) out.arg = ne.arg;
  return out;
}

/** The verdict on one ioctl for a pair, from both ABIs' dumps (and the annotations). */
export function ioctlVerdict(
  name: string,
  ne: IoctlEntry,
  ce: IoctlEntry | undefined,
  n: Dumped,
  c: Dumped,
  annotations: Annotations,
): IoctlVerdict {
  // SIOCGSTAMP is defined as SIOCGSTAMP_OLD or _NEW by sizeof(struct timeval): on i386+t64 it is _NEW, whose
  // number the native kernel serves as its own _NEW. The kernel knows commands by number: judged as that one
  const alias = ce && ce.cmd !== ne.cmd ? definedAsNative(ce, n, c) : undefined;
  if (alias !== undefined) {
    const [an, ac] = [n.ioctls.get(alias)!, c.ioctls.get(alias)!];
    const v = judge(alias, an, ac, n, c, annotations);
    const note =
      `${name} is defined as ${alias} on ${c.layouter.abi.name}, a number the ${n.layouter.abi.name} kernel ` +
      `serves as its own ${alias}`;
    const own = { name, header: n.scan.displayName(ne.file), line: ne.loc.line, column: ne.loc.column };
    const cmdNote = v.cmdNote ? `${note}; ${v.cmdNote}` : note;
    return { ...v, ...own, cmdNote, action: actionOf(v, argumentUse(an, annotations)) };
  }
  const v = judge(name, ne, ce, n, c, annotations);
  return { ...v, action: actionOf(v, argumentUse(ne, annotations)) };
}

/** The macro a compat entry is defined as whose number it has, when the native side has that number for it too. */
function definedAsNative(ce: IoctlEntry, n: Dumped, c: Dumped): string | undefined {
  return ce.definedAs?.find((other) => c.ioctls.get(other)?.cmd === ce.cmd && n.ioctls.get(other)?.cmd === ce.cmd);
}

/** Same layout under another number: the compat task's number reaches no case of the native handler. */
function renumbered(v: Omit<IoctlVerdict, 'action'>): Omit<IoctlVerdict, 'action'> {
  if ((v.verdict === 'identical' || v.verdict === 'no-arg') && v.cmdDiffers && v.compatCmd !== null)
    v.verdict = 'renumber';
  return v;
}

function judge(
  name: string,
  ne: IoctlEntry,
  ce: IoctlEntry | undefined,
  n: Dumped,
  c: Dumped,
  annotations: Annotations,
): Omit<IoctlVerdict, 'action'> {
  const annotatedArg = annotations.ioctlArgs.get(name);
  const arg = annotatedArg ?? ne.arg;
  const v: Omit<IoctlVerdict, 'action'> = {
    name,
    header: n.scan.displayName(ne.file),
    line: ne.loc.line,
    column: ne.loc.column,
    verdict: 'unknown',
    nativeCmd: ne.cmd,
    compatCmd: ce?.cmd ?? null,
    cmdDiffers: ce ? ce.cmd !== ne.cmd : true,
    reasons: [],
  };
  if (arg !== undefined) v.arg = arg;
  Object.assign(v, argumentFields(ne, annotations));
  if (!ce) {
    const why = c.unresolved.get(name);
    const message = `${name} has no value on ${c.layouter.abi.name}${why ? `: ${c.scan.shorten(why.message)}` : ''}`;
    v.reasons.push({ rule: 'unresolved', path: '', message });
    return v;
  }
  if (noArgument(ne, annotations)) {
    v.verdict = 'no-arg';
    return renumbered(v);
  }
  const types = argumentTypes(ne, ce, n, c, annotations);
  const [nt, ct] = [types.native, types.compat];
  if (types.pointee) {
    const [ns, cs] = [n.layouter.typeLayout(ne.argType!).size, c.layouter.typeLayout(ce.argType!).size];
    v.arg = types.arg!;
    v.cmdNote =
      `the macro names a pointer (${ne.arg}): the number encodes its size (${ns} bytes on ${n.layouter.abi.name}, ` +
      `${cs} on ${c.layouter.abi.name}), the handler copies the ${v.arg} it points at`;
  }
  if (!nt || !ct) {
    const message = ne.sizeofArg
      ? `the macro passes sizeof(${ne.sizeofArg}) where a type belongs: the number encodes sizeof(size_t)`
      : `argument type ${arg ?? '(none named)'} is not known on ${!nt ? n.layouter.abi.name : c.layouter.abi.name}`;
    v.reasons.push({ rule: 'unresolved', path: '', message });
    return v;
  }
  const recordName = v.arg !== undefined && n.decls.has(v.arg) ? v.arg : undefined;
  const root = stripTypedefs(nt);
  const rootDecl = root.kind === 'record' ? root.decl : undefined;
  let cmp;
  try {
    cmp = compareArgument(
      { type: nt, layouter: n.layouter },
      { type: ct, layouter: c.layouter },
      annotatedPaths(annotations, recordName, 'user-pointer', rootDecl),
      annotatedPaths(annotations, recordName, 'sigset', rootDecl),
    );
  } catch (e) {
    if (!(e instanceof LayoutError)) throw e;
    v.reasons.push({ rule: 'unresolved', path: '', message: e.message });
    return v;
  }
  // the arrays annotated pointers point at, where their elements differ (the handler converts each)
  const arrays = annotatedMembers(annotations, recordName, 'array-pointer', rootDecl);
  const reasons = [
    ...cmp.reasons,
    ...pointeeReasons({ type: nt, layouter: n.layouter }, { type: ct, layouter: c.layouter }, arrays),
  ];
  // the union's other members are not what the handler reads or writes
  const used = v.members || v.membersBack ? usedMembers([v.members ?? {}, v.membersBack ?? {}]) : undefined;
  v.reasons = used ? reasons.filter((r) => !inOtherMember(r.path, used)) : reasons;
  v.verdict = verdictOf(v.reasons);
  markTailPadding(v, ne);
  return renumbered(v);
}

/**
 * What a macro's pointer argument points at (`struct phm_reg *` → struct phm_reg), when that is a
 * type with a layout; not `void *`, whose argument is a pointer in user memory (USBDEVFS_REAPURB).
 */
function pointedTo(t: CType): CType | undefined {
  const x = stripTypedefs(t);
  if (x.kind !== 'pointer') return undefined;
  const to = stripTypedefs(x.to);
  if (to.kind === 'void' || to.kind === 'function' || (to.kind === 'record' && to.decl.members === null))
    return undefined;
  return x.to;
}

/**
 * Layouts that differ only in the record's size (every member in place): a sub-reason on the size,
 * naming the dispatcher that tolerates it where the ioctl's type has one (drm_ioctl() for 'd').
 */
function markTailPadding(v: Omit<IoctlVerdict, 'action'>, ne: IoctlEntry): void {
  const size = tailPaddingOnly(v.reasons);
  if (!size?.native || !size.compat) return;
  size.sub = 'tail-padding';
  const sizes = `${size.compat.size} bytes against ${size.native.size}`;
  const only = `only tail padding differs (${sizes}): every member is in place`;
  const d = sizeTolerantDispatcher(ne.type);
  size.message = d ? `${only}; ${d.dispatcher}() (${d.source[0]!.file}) ${d.tolerates}` : only;
  if (d) size.dispatcher = d.dispatcher;
}

/** dump's `dir`, `access` and `byValue` for a verdict row: the number's direction and the kernel's, where known. */
function argumentFields(
  ne: IoctlEntry,
  annotations: Annotations,
): Pick<IoctlVerdict, 'dir' | 'access' | 'byValue' | 'members' | 'membersBack'> {
  const use = argumentUse(ne, annotations);
  const out: Pick<IoctlVerdict, 'dir' | 'access' | 'byValue' | 'members' | 'membersBack'> = {};
  if (ne.dir !== null) out.dir = ne.dir;
  if (use.dir !== null && use.dir !== (ne.dir ?? 'none')) out.access = use.dir;
  if (use.byValue) out.byValue = true;
  if (use.members && !use.byValue) out.members = { ...use.members };
  if (use.membersBack && !use.byValue) out.membersBack = { ...use.membersBack };
  return out;
}

/**
 * The members the handler uses of each union path, in and back together; a union whose selector decides (null) any
 * of its members on that way, so none is left out.
 */
function usedMembers(tables: ReadonlyArray<Readonly<HandlerMembers>>): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const open = new Set<string>();
  for (const t of tables)
    for (const [u, m] of Object.entries(t)) {
      if (m === null) open.add(u);
      else used.set(u, [...(used.get(u) ?? []), m]);
    }
  for (const u of open) used.delete(u);
  return used;
}

/**
 * A path under a member of a union the handler uses none of (`ifr_ifru.ifru_map.mem_start`); the union "" is the
 * argument itself.
 */
function inOtherMember(path: string, used: ReadonlyMap<string, readonly string[]>): boolean {
  return [...used].some(([union, members]) => {
    const at = union ? `${union}.` : '';
    return path.startsWith(at) && path !== '' && !members.some((m) => `${path}.`.startsWith(`${at}${m}.`));
  });
}
