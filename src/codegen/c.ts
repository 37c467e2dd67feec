/**
 * `ioctl32 gen c`: a driver's compat layer in kernel C, from its UAPI header and the layouts of
 * the native ABI (as the kernel compiles the header) and of each compat ABI its one .compat_ioctl
 * serves (i386 and x32 on x86_64, told apart as the kernel does). Per compat ABI, for each argument
 * that differs: a `struct compat_X` in the kernel's compat types (compat_long_t, compat_uptr_t,
 * compat_u64 where 8-byte integers are 4-aligned ...), static_asserts of its size, alignment and
 * every member offset as that ABI lays it out, converters both ways (compat_ptr()/ptr_to_compat(),
 * -EOVERFLOW where a value does not fit, nothing of the kernel's padding copied out), the compat
 * command numbers mapped to the native ones, and a switch: converted arguments go to the driver's
 * kernel-pointer entry point, compatible ones to its unlocked_ioctl with compat_ptr(), value
 * arguments as they came. What it cannot handle is named, with the reason. */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Abi, AbiName } from '../abi/types.js';
import { isUnsigned } from '../cfront/constants.js';
import { typeName } from '../cfront/print.js';
import { recordName, stripTypedefs as strip, type CType, type RecordDecl } from '../cfront/types.js';
import { FileCache } from '../cfront/preprocess.js';
import { defaultKernelTree, kernelIncludeName, kernelTreeIncludeDirs } from '../cfront/kernel-tree.js';
import type { Annotations, HandlerMembers } from '../compat/annotations.js';
import { ioctlVerdict, type IoctlVerdict } from '../compat/check.js';
import { argumentUse } from '../compat/action.js';
import { AnnotationError, emptyAnnotations, validateAnnotations } from '../compat/annotations.js';
import { withBuiltins } from '../compat/builtin-annotations.js';
import { integerFiller, onlyPointersDiffer } from '../compat/compare.js';
import { choiceNames, memberNamed, unionChoiceErrors } from '../compat/members.js';
import { assertHeadersRead } from '../scan/failed.js';
import { UNION_BYTES, type IoctlEntry } from '../ioctl/catalogue.js';
import type { Layouter } from '../layout/layout.js';
import { LayoutError, type MemberLayout, type RecordLayout } from '../layout/types.js';
import { dumpHeaders, unreadHeaders, type Dumped } from '../scan/dump.js';
import type { ScanOptions } from '../scan/scan.js';
import { Ioctl32Error, UsageError } from '../errors.js';
import { assertAbi } from '../abi/index.js';

export interface GenCOptions {
  /**
   * The kernel's ABI and the compat ABIs its one .compat_ioctl serves (x86_64: i386 and x32 tasks;
   * mips64: o32 and n32), told apart as the kernel does (Abi.compatTask). The first keeps the plain
   * names (`struct compat_foo`, `FOO_32`); the others add theirs (`struct compat_x32_foo`, `FOO_X32`).
   */
  pair: { native: Abi; compat: Abi | readonly Abi[] };
  /**
   * The driver's headers (paths or include names) and scan settings. The native side is read as
   * the kernel compiles it (`__KERNEL__`, the kernel tree's UAPI directories), the compat side as
   * its tasks' user space does (the same tree as `make headers_install` installs it, with their
   * libc): `scan.kernelTree`, by default the installed build tree of the native ABI's kernel
   * (defaultKernelTree); null reads both sides from the ABIs' system headers.
   */
  scan: Omit<ScanOptions, 'abi' | 'files' | 'kernelTree'> & { kernelTree?: string | null };
  scanFor?: (abi: Abi) => Partial<ScanOptions>;
  annotations?: Annotations;
  /** false: without the built-in annotations of the UAPI headers (src/compat/builtin-annotations.ts). */
  builtinAnnotations?: boolean;
  /** The union member to convert, by member path (`u` or `data.u`), where members convert differently. */
  members?: Record<string, string>;
  /**
   * Member names to convert in any union that has one of them (an anonymous union has no path); a name no union of
   * the argument types has is an error (a typo).
   */
  choose?: string[];
  /** Prefix of the generated functions (default: the first header's base name). */
  prefix?: string;
  /**
   * What compat twins are called: `compat_` gives `struct compat_foo` (the default). The
   * kernel's own headers define some compat_ names for its UAPI (compat_atmif_sioc, say).
   */
  twinPrefix?: string;
}

/** What happened to one ioctl. */
export interface GeneratedIoctl {
  name: string;
  /** The compat ABI whose tasks this is about. */
  abi: AbiName;
  verdict: IoctlVerdict['verdict'];
  /**
   * converted: through the compat struct; passed: compat_ptr() to unlocked_ioctl; value: the argument as it is;
   * skipped: why says.
   */
  handling: 'converted' | 'passed' | 'value' | 'skipped';
  why?: string;
}

export interface GeneratedC {
  source: string;
  /**
   * The includes and the static_asserts of what the source assumes of the native side (sizes,
   * command numbers): the kernel's view of a UAPI header can differ from user space's
   * (`#ifdef __KERNEL__`). Built alone, it says whether the source is the right one.
   */
  checks: string;
  ioctls: GeneratedIoctl[];
  /** The compat records defined, by name, with the compat layout they assert. */
  records: Array<{ abi: AbiName; name: string; size: number; align: number }>;
  /** The kernel tree whose view the native side is (null: the native ABI's user-space headers). */
  kernelTree: string | null;
}

/** An integer argument's two types, or a user pointer's (`void __user *` and compat_uptr_t). */
interface Scalar {
  native: string;
  compat: string;
  pointer: boolean;
}

/** How the argument travels, by the kernel's reading of it. */
interface Access {
  /** The kernel reads the task's argument (copy_from_user). */
  reads: boolean;
  /** The kernel writes it back (copy_to_user). */
  writes: boolean;
  /** The argument is a value, not an address: passed on as it came. */
  value: boolean;
}

interface GeneratorOptions {
  /** The driver's prefix: `<driver>_ioctl_kernel`, `<driver>_compat_ioctl`. */
  driver: string;
  /** Of this compat ABI's functions (`<driver>` or `<driver>_x32`). */
  prefix: string;
  /** Of this compat ABI's command numbers (`_32`, `_X32`). */
  suffix: string;
  twinPrefix: string;
  chosen: Record<string, string>;
  choose: readonly string[];
  annotations: Annotations;
}

/** One compat ABI's part of the generated file. */
interface Sections {
  nativeChecks: string[];
  /** Compat structs, their asserts, numbers, converters and handlers. */
  body: string[];
  /** Its switch of command numbers. */
  switchFn: string;
}

export class CodegenError extends Ioctl32Error {}

/** A record of the headers: its C name (`struct foo`, or a typedef name) and its compat twin's. */
interface Twin {
  native: RecordDecl;
  compat: RecordDecl;
  /** How the native record is named in C. */
  cname: string;
  /** `struct compat_foo` */
  twin: string;
  /** The part of generated function names that names it (`foo`). */
  ident: string;
}

const KEYWORD = (d: RecordDecl) => (d.union ? 'union' : 'struct');

interface Converted {
  e: IoctlEntry;
  v: IoctlVerdict;
  /** A record argument's twin, or an integer argument's two types. */
  twin?: Twin;
  scalar?: Scalar;
  compatCmd: number;
  /** Its compat handler's text. */
  handler: string;
  /** An array argument's compat type (`struct compat_foo[2]`). */
  array?: string;
  /** Other names of its compat number (FIONREAD and TIOCINQ), which its case serves. */
  aliases: string[];
}

interface Numbered {
  name: string;
  /** The compat task's number, and the native one. */
  cmd: number;
  nativeCmd: number;
  /** The argument is a value (RTC_IRQP_SET), passed on as it came, not through compat_ptr(). */
  value?: boolean;
}

export function generateCompatC(opts: GenCOptions): GeneratedC {
  if (opts?.pair === undefined || opts.scan === undefined)
    throw new UsageError('generateCompatC: expected options { pair: { native, compat }, scan: { headers } }');
  assertAbi(opts.pair.native, 'generateCompatC: the native ABI');
  const native = opts.pair.native;
  const compats: readonly Abi[] = Array.isArray(opts.pair.compat) ? opts.pair.compat : [opts.pair.compat as Abi];
  for (const a of compats) assertAbi(a, 'generateCompatC: a compat ABI');
  const served = native.compat.join(', ') || 'none';
  if (!compats.length) throw new CodegenError(`gen c needs a compat ABI (${native.name} kernels serve ${served})`);
  for (const [i, a] of compats.entries()) {
    if (!native.compat.includes(a.name))
      throw new CodegenError(`${native.name} kernels serve no ${a.name} tasks (they serve ${served})`);
    if (i > 0 && native.compatTask[a.name] === undefined)
      throw new CodegenError(`a ${native.name} kernel cannot tell ${a.name} tasks from ${compats[0]!.name} ones`);
  }
  const files = new FileCache();
  const { kernelTree: given, ...scan } = opts.scan;
  const kernelTree = given === undefined ? defaultKernelTree(native) : given;
  const tree = kernelTree === null ? {} : { kernelTree };
  const n = dumpHeaders({
    ...scan,
    ...tree,
    view: kernelTree === null ? 'user' : 'kernel',
    ...opts.scanFor?.(native),
    abi: native,
    files,
  });
  const cs = compats.map((abi) => dumpHeaders({ ...scan, ...tree, ...opts.scanFor?.(abi), abi, files }));
  const annotations = opts.annotations ?? emptyAnnotations();
  const headers = scan.headers ?? [];
  if (!headers.length) throw new CodegenError("gen c needs the driver's header (a path or an include name)");
  // what stops a header comes first: annotations and choices are judged against what it declares
  const failed = Object.fromEntries([n, ...cs].map((d) => [d.result.abi, unreadHeaders(d)]));
  const kernelView = kernelTree === null ? [] : [native.name];
  assertHeadersRead(failed, headers, [native.name, ...compats.map((a) => a.name)], kernelView);
  validateAnnotations(annotations, n.decls, n.layouter, n.ioctls, n.typedefs);
  for (const c of cs) validateAnnotations(annotations, c.decls, c.layouter, undefined, c.typedefs);
  assertRecordLocal(annotations, n.decls);
  if (opts.prefix !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.prefix)) {
    const rule = 'letters, digits and _, not starting with a digit';
    throw new CodegenError(`--prefix '${opts.prefix}' is not a C identifier (${rule})`);
  }
  const wanted = wantedFiles(n, headers, files);
  const choiceErrors = unionChoiceErrors(argumentTypes(n, wanted, annotations), opts.members ?? {}, opts.choose);
  if (choiceErrors.length) throw new CodegenError(choiceErrors.join('\n'));
  const prefix = opts.prefix ?? identifier((headers[0]!.split('/').pop() ?? 'drv').replace(/\.h$/, ''));
  const plans = cs.map((c, i) => {
    // the first compat ABI keeps the plain names (struct compat_foo, FOO_32); the others say theirs
    const tag = i === 0 ? '' : `${c.result.abi}_`;
    // what only the kernel's handlers reveal about these headers (check's built-ins), under the user's
    const applied = opts.builtinAnnotations === false ? annotations : withBuiltins(annotations, [n, c]);
    // each wanted ioctl's verdict for this ABI's tasks, judged once: the union choices and the plan read it
    const verdicts = new Map<string, IoctlVerdict>();
    for (const [name, e] of n.ioctls)
      if (wanted(e.file)) verdicts.set(name, ioctlVerdict(name, e, c.ioctls.get(name), n, c, applied));
    const g = new Generator(n, c, {
      driver: prefix,
      prefix: `${prefix}${i === 0 ? '' : `_${c.result.abi}`}`,
      suffix: i === 0 ? '_32' : `_${c.result.abi.toUpperCase()}`,
      // --member over the members the ioctls' handlers use (annotations, legacy rows) where they agree
      chosen: { ...handlerMembers(n, verdicts, applied), ...opts.members },
      choose: opts.choose ?? [],
      twinPrefix: `${opts.twinPrefix ?? 'compat_'}${tag}`,
      annotations: applied,
    });
    const wantedHere = wantedFiles(c, headers, files);
    return planCompat(n, c, g, wanted, verdicts, wantedHere, applied);
  });
  // what a program includes first for the numbers to have a value (asm/ioctls.h for SIOCINQ); the
  // compiler's own headers (stddef.h for size_t) are not for kernel code, which has their names
  const before = [...n.ioctls.values()].filter((e) => wanted(e.file)).flatMap((e) => e.prerequisites ?? []);
  const includes = [...new Set(before.filter((h) => h.includes('/')))].map((h) => `<${h}>`);
  for (const h of headers) includes.push(includeSpelling(h, n, kernelTree));
  return { ...assemble(native, plans, includes, prefix), kernelTree };
}

/**
 * gen c writes one converter per record, shared by every record that holds it: an annotation whose path reaches into a
 * member of a named record (struct v4l2_create_buffers' `format.fmt`, in struct v4l2_format) cannot hold there alone.
 * The thunk and check take it (the outer record's first); gen c asks for the inner record's own annotation rather than
 * leave it unread.
 */
function assertRecordLocal(a: Annotations, decls: ReadonlyMap<string, RecordDecl>): void {
  for (const [record, members] of a.records) {
    const decl = decls.get(record);
    if (!decl) continue;
    for (const path of members.keys()) {
      const parts = path.split('.');
      let cur: RecordDecl = decl;
      for (let i = 0; i < parts.length - 1; i++) {
        const m = memberNamed(cur.members ?? [], parts[i]!);
        const t = m && strip(m.type);
        if (t?.kind !== 'record') break;
        const inner = recordName(t.decl);
        if (inner !== undefined) {
          const rest = parts.slice(i + 1).join('.');
          throw new AnnotationError(
            `${a.file}: ${record}.${path}: gen c converts ${inner} once for every record that holds it: ` +
              `annotate ${inner}'s '${rest}' instead`,
          );
        }
        cur = t.decl;
      }
    }
  }
}

/**
 * How the generated file includes a header so that it builds from a module directory: an include
 * name found in the include directories as `<linux/foo.h>`; the user's file as a path from the
 * working directory (where the generated file and its Makefile go), or an absolute one outside it.
 */
function includeSpelling(header: string, n: Dumped, kernelTree: string | null): string {
  const file = n.scan.resolve(header);
  // a UAPI header of the kernel tree as kernel code names it: the kernel's own linux/x.h may shadow it
  const uapi = kernelTree === null ? null : kernelIncludeName(file, kernelTreeIncludeDirs(kernelTree, n.layouter.abi));
  if (uapi !== null) return `<${uapi}>`;
  if (!header.startsWith('/') && !header.startsWith('.') && file !== resolve(header)) return `<${header}>`;
  const rel = relative(process.cwd(), file);
  return `"${rel.startsWith('..') || isAbsolute(rel) ? file : rel}"`;
}

/**
 * The file: the kernel headers and the driver's, what it assumes of the native side, each compat
 * ABI's part, and the .compat_ioctl, which asks which compat ABI the task is of where several are.
 */
function assemble(native: Abi, plans: CompatPlan[], headers: string[], pfx: string): Omit<GeneratedC, 'kernelTree'> {
  const includes = headers.map((h) => `#include ${h}`);
  const entry = `${pfx}_compat_ioctl`;
  const several = plans.length > 1;
  const abiOf = (p: CompatPlan) => p.g.c.layouter.abi.name;
  const parts = plans.map((p) => p.g.sections(p, several ? `${pfx}_${abiOf(p)}_compat_ioctl` : entry));
  const nativeChecks = [...new Set(parts.flatMap((x) => x.nativeChecks))];
  const ioctls = plans.flatMap((p) => p.ioctls);
  const skipped = ioctls.filter((x) => x.handling === 'skipped');
  const tasks = plans.map(abiOf);
  const dispatch = several
    ? [
        `long ${entry}(struct file *file, unsigned int cmd, unsigned long arg)`,
        '{',
        // the first compat ABI is the one left when the kernel's tests of the others fail
        ...plans.slice(1).map((p) => {
          const name = abiOf(p);
          return `\tif (${native.compatTask[name]!})\n\t\treturn ${pfx}_${name}_compat_ioctl(file, cmd, arg);`;
        }),
        `\treturn ${pfx}_${tasks[0]!}_compat_ioctl(file, cmd, arg);`,
        '}',
      ].join('\n')
    : '';
  const head =
    '#include <linux/compat.h>\n#include <linux/fs.h>\n#include <linux/slab.h>\n' +
    '#include <linux/string.h>\n#include <linux/uaccess.h>';
  const sections = [
    `/*\n * Compat ioctl support for ${headers.join(', ')}: ` +
      `${native.name} kernel, ${tasks.join(' and ')} tasks.\n` +
      " * Generated by ioctl32 gen c from the ABIs' layouts of the headers: the static_asserts check\n" +
      " * the kernel's view of the native types, and every compat struct against its compat ABI's\n" +
      ' * layout, when this file is built.\n *\n' +
      ` * The driver provides ${pfx}_ioctl_kernel(): its ioctl with the argument in kernel memory.\n` +
      `${skipped.map((x) => ` * Not handled for ${x.abi} tasks: ${x.name} (${x.verdict}): ${x.why}\n`).join('')} */`,
    head,
    includes.join('\n'),
    nativeChecks.join('\n'),
    // kbuild's W=1 asks every function with external linkage for a prototype
    `long ${pfx}_ioctl_kernel(struct file *file, unsigned int cmd, void *karg);\n` +
      `long ${entry}(struct file *file, unsigned int cmd, unsigned long arg);`,
    ...parts.flatMap((x) => [...x.body, x.switchFn]),
    dispatch,
  ];
  const checks = [head, includes.join('\n'), nativeChecks.join('\n')].filter((x) => x.length).join('\n\n');
  return {
    source: `${sections
      .map((x) => x.replace(/\n+$/, ''))
      .filter((x) => x.length)
      .join('\n\n')}\n`,
    checks: `${checks}\n`,
    ioctls,
    records: plans.flatMap((p) => p.g.records()),
  };
}

/** Whether a file is one of the headers named (its ioctls are the ones to handle). */
type Wanted = (file: string) => boolean;

/**
 * The headers named, on one side: the files they resolve to, and in a kernel tree every file of
 * the same include name — the kernel view reaches `linux/videodev2.h` of the UAPI through the
 * kernel's own header of that name, which includes it.
 */
function wantedFiles(d: Dumped, headers: readonly string[], files: FileCache): Wanted {
  const paths = new Set(headers.map((h) => files.canonical(d.scan.resolve(h))));
  const names = new Set([...paths].map((f) => d.scan.displayName(f)));
  return (file) => paths.has(file) || names.has(d.scan.displayName(file));
}

/** What one compat ABI's tasks need: each ioctl's handling, and the generator holding its code. */
interface CompatPlan {
  g: Generator;
  ioctls: GeneratedIoctl[];
  converted: Converted[];
  passed: Numbered[];
  values: Numbered[];
  /** The same layout under another number (an int declared long; a number that encodes a pointer). */
  renumbered: Numbered[];
}

/** An ioctl a task sends under the number of another, whose case serves it: as the kernel serves it. */
function servedByCase(record: GeneratedIoctl, cmd: number, other: string): void {
  record.handling = 'converted';
  record.why = `${record.abi} tasks send ${record.name} as ${hex(cmd)}, the number of ${other}, whose case serves it`;
}

/** Decides, per ioctl of the wanted headers, what the compat ABI's tasks need, and writes its converters. */
function planCompat(
  n: Dumped,
  c: Dumped,
  g: Generator,
  wanted: Wanted,
  /** The wanted ioctls' verdicts, by name. */
  verdicts: ReadonlyMap<string, IoctlVerdict>,
  wantedHere: Wanted,
  annotations: Annotations,
): CompatPlan {
  const abi = c.layouter.abi.name;
  const plan: CompatPlan = { g, ioctls: [], converted: [], passed: [], values: [], renumbered: [] };
  const { converted, passed, values, renumbered } = plan;
  const out = plan.ioctls;
  for (const [name, v] of verdicts) {
    const ne = n.ioctls.get(name)!;
    const ce = c.ioctls.get(name);
    const record: GeneratedIoctl = { name, abi, verdict: v.verdict, handling: 'skipped' };
    out.push(record);
    const large = tooLarge(ne, n.layouter) ?? (ce ? tooLarge(ce, c.layouter) : null);
    if (large !== null) {
      record.why = large;
      continue;
    }
    const access = ioctlAccess(ne, annotations);
    if (v.verdict === 'no-arg') {
      record.handling = 'value';
      values.push({ name, cmd: v.compatCmd ?? ne.cmd, nativeCmd: ne.cmd });
      continue;
    }
    if (v.verdict === 'identical') {
      record.handling = 'passed';
      passed.push({ name, cmd: v.compatCmd ?? ne.cmd, nativeCmd: ne.cmd });
      continue;
    }
    if (v.verdict === 'renumber') {
      // the same layout under another number: map the compat task's number to the native one
      record.handling = 'passed';
      renumbered.push({ name, cmd: v.compatCmd!, nativeCmd: ne.cmd, value: access.value || v.arg === undefined });
      continue;
    }
    if (v.verdict === 'unknown') {
      record.why = v.reasons.map((r) => r.message ?? r.rule).join('; ');
      continue;
    }
    // another name of a number a converting case already serves (SNDRV_PCM_IOCTL_SYNC_PTR sent as
    // __SNDRV_PCM_IOCTL_SYNC_PTR's number): that case serves it, and no converter of its own is written to go unused
    const servedBy = converted.find((x) => x.compatCmd === v.compatCmd);
    if (servedBy && v.compatCmd !== null) {
      servedByCase(record, v.compatCmd, servedBy.e.name);
      servedBy.aliases.push(name);
      continue;
    }
    // the record's converters serve every ioctl of it: one whose handler uses another member of a union than they
    // convert (SNDRV_CTL_IOCTL_ELEM_INFO reads value.enumerated.item whatever `type` says, where ELEM_ADD's
    // converter picks by `type`; SIOCGIFMTU's ifru_mtu under --member ifr_ifru=ifru_flags) is left out, not converted
    // as another ioctl's handler reads it
    const clash = memberClash(ne, g, annotations);
    if (clash) {
      record.why = clash;
      continue;
    }
    // the generated code converts the argument, not the arrays its pointers point at: left out, not half done
    const pointee = v.reasons.filter((r) => r.rule === 'pointee');
    if (pointee.length) {
      record.why =
        'gen c does not convert the arrays the argument points at: ' +
        pointee.map((r) => `${r.path} (${r.message})`).join('; ');
      continue;
    }
    const nt = ne.argType ? strip(ne.argType) : undefined;
    const ct = ce?.argType;
    // a user pointer in user memory (`_IOW(t, nr, void *)`: USBDEVFS_REAPURB writes one)
    const pointer = nt?.kind === 'pointer' && strip(nt.to).kind === 'void';
    if (nt && ct && (nt.kind === 'int' || nt.kind === 'enum' || pointer) && ne.argType) {
      // a long or a pointer-sized integer in user memory
      try {
        const native = pointer ? 'void __user *' : typeName(ne.argType);
        const scalar = { native, compat: g.compatScalar(ne.argType, ct, name), pointer };
        const handler = g.scalarHandler(ne, scalar, access);
        converted.push({ e: ne, v, scalar, compatCmd: v.compatCmd!, handler, aliases: [] });
        record.handling = 'converted';
      } catch (e) {
        if (!(e instanceof CodegenError)) throw e;
        record.why = e.message;
      }
      continue;
    }
    // `_IOR(t, nr, struct foo *)`: the number encodes a pointer's size, the argument is the struct
    const target = (t: CType | undefined) => {
      const x = t ? strip(t) : undefined;
      return x?.kind === 'pointer' ? x.to : t;
    };
    const nrec = target(ne.argType);
    const crec = target(ct);
    const nd = nrec ? strip(nrec) : undefined;
    const cd = crec ? strip(crec) : undefined;
    const complete = (t: typeof nd) => t?.kind !== 'record' || t.decl.members !== null;
    if (
      nrec &&
      crec &&
      nrec !== ne.argType &&
      complete(nd) &&
      complete(cd) &&
      nd?.kind !== 'void' &&
      g.same(nrec, crec)
    ) {
      // `_IOW(t, nr, int *)`, `_IOW(t, nr, char *)`: what the pointer points at is the same on both ABIs,
      // only the number, which encodes a pointer, differs
      record.handling = 'passed';
      renumbered.push({ name, cmd: v.compatCmd!, nativeCmd: ne.cmd });
      continue;
    }
    if (nrec === ne.argType && nd?.kind === 'array' && cd?.kind === 'array' && nd.length && nd.length === cd.length) {
      // an array of records or integers (`struct __fat_dirent[2]`, `unsigned long[3]`): element by element
      const rollback = g.checkpoint();
      try {
        const handler = g.arrayHandler(ne, nd.of, cd.of, nd.length, access);
        converted.push({
          e: ne,
          v,
          compatCmd: v.compatCmd!,
          handler,
          array: `${g.compatElement(nd.of, cd.of)}[${nd.length}]`,
          aliases: [],
        });
        record.handling = 'converted';
      } catch (e) {
        if (!(e instanceof CodegenError) && !(e instanceof LayoutError)) throw e;
        rollback();
        record.why = e.message;
      }
      continue;
    }
    if (!nrec || nd?.kind !== 'record' || cd?.kind !== 'record') {
      record.why = `its argument (${v.arg ?? 'none named'}) is not a record or an array: convert it by hand`;
      continue;
    }
    if (nd.decl.members === null || cd.decl.members === null) {
      // `struct agp_info *` where no struct agp_info is defined
      record.why = `${typeName(nrec)} is declared but not defined in the headers`;
      continue;
    }
    // what a conversion that fails half-way wrote (a nested record's converter) goes with it
    const rollback = g.checkpoint();
    try {
      const twin = g.twinOf(nd.decl, cd.decl, nrec === ne.argType ? (v.arg ?? typeName(nrec)) : typeName(nrec));
      if (access.reads) g.converter(twin, false);
      if (access.writes) g.converter(twin, true);
      // written now: a flexible array's elements may turn out to be no convertible type
      const handler = g.handler(ne, twin, access);
      converted.push({ e: ne, v, twin, compatCmd: v.compatCmd!, handler, aliases: [] });
      record.handling = 'converted';
    } catch (e) {
      // a record the header only declares (`struct agp_info *` with no struct agp_info) has no layout
      if (!(e instanceof CodegenError) && !(e instanceof LayoutError)) throw e;
      rollback();
      record.why = e.message;
    }
  }
  // another name of a number a case serves (SNDRV_PCM_IOCTL_SYNC_PTR is __SNDRV_PCM_IOCTL_SYNC_PTR's number):
  // the task that sends it is served, as the kernel serves it, by that case
  const served = new Map<number, string>();
  for (const x of converted) served.set(x.compatCmd, x.e.name);
  for (const x of [...renumbered, ...passed, ...values]) if (!served.has(x.cmd)) served.set(x.cmd, x.name);
  for (const record of out) {
    const cmd = record.handling === 'skipped' ? c.ioctls.get(record.name)?.cmd : undefined;
    const other = cmd === undefined ? undefined : served.get(cmd);
    if (other !== undefined) servedByCase(record, cmd!, other);
  }
  // a macro whose number has no value natively is left out too, and says so (check's unknown row)
  for (const [name, u] of n.unresolved) {
    if (!wanted(u.file)) continue;
    const why = `no value on ${n.result.abi}: ${n.scan.shorten(u.message)}`;
    out.push({ name, abi, verdict: 'unknown', handling: 'skipped', why });
  }
  // what the compat task can send but the native side does not define (the kernel's view hides it: `#ifndef
  // __KERNEL__`), or leaves without a value
  for (const [name, ce] of c.ioctls) {
    if (!wantedHere(ce.file) || n.ioctls.has(name) || n.unresolved.has(name)) continue;
    const why = `defined for ${abi} tasks but not on the ${n.result.abi} side of the header (an #ifdef hides it)`;
    out.push({ name, abi, verdict: 'unknown', handling: 'skipped', why });
  }
  return plan;
}

/**
 * Why the kernel cannot build an ioctl's number, or the task cannot send it: a size that does not
 * fit the size field. The kernel's _IOR/_IOW check it (`_IOC_TYPECHECK`, include/asm-generic/ioctl.h:
 * `__invalid_size_argument_for_IOC` makes the macro no constant), user space's do not (the size
 * spills into the direction bits).
 */
function tooLarge(e: IoctlEntry, layouter: Layouter): string | null {
  const abi = layouter.abi;
  if (e.legacy || e.dir === null || !e.argType) return null;
  let size: number;
  try {
    size = layouter.typeLayout(e.argType).size;
  } catch (err) {
    if (err instanceof LayoutError) return null; // the verdict says why it has no layout
    throw err;
  }
  if (size < 2 ** abi.ioc.sizeBits) return null;
  return (
    `its argument is ${size} bytes on ${abi.name}, more than the ${abi.ioc.sizeBits}-bit size field holds: ` +
    "the kernel's _IOC_TYPECHECK rejects the macro; give it a smaller argument or an _IOC() of its own"
  );
}

/**
 * Which ways the argument goes, by the kernel's reading of it: it reads what the task wrote (_IOW),
 * writes what the task reads (_IOR). An annotation's `access` overrides the macro, then the legacy
 * table's direction (the kernel source's), else both; a value argument is no memory at all.
 */
function ioctlAccess(e: IoctlEntry, annotations: Annotations): Access {
  const { dir, byValue } = argumentUse(e, annotations);
  return { reads: dir !== 'r', writes: dir !== 'w', value: byValue };
}

/** The first member reached by name in a record, through anonymous ones (`a` or `s.a`... as C reaches it: `a`). */
function firstNamed(decl: RecordDecl): string | null {
  for (const m of decl.members ?? []) {
    if (m.name !== undefined) return m.bitWidth === undefined ? m.name : null;
    const t = strip(m.type);
    if (t.kind === 'record') return firstNamed(t.decl);
  }
  return null;
}

/**
 * The members of the unions the header's ioctls' handlers use (IoctlAnnotation.members, a legacy row's), by union
 * path, where every ioctl the converters serve (its verdict convert or pointer-inside) agrees: gen c's converters are
 * per record, so one choice serves every ioctl of it; where handlers use different members (SIOCGIFFLAGS and
 * SIOCGIFMTU, both struct ifreq) or write back others than they read (membersBack), the union is left to --member, as
 * the handler's message says.
 */
function handlerMembers(
  n: Dumped,
  /** The wanted ioctls' verdicts, by name. */
  verdicts: ReadonlyMap<string, IoctlVerdict>,
  annotations: Annotations,
): Record<string, string> {
  // null: the union's selector decides on that way (its annotation's switch), so no one member serves
  const seen = new Map<string, Set<string | null>>();
  for (const [name, { verdict }] of verdicts) {
    // only the ioctls the converters serve choose for them: an identical argument is passed on as it is (the
    // wireless numbers whose struct iwreq is the task's bytes, beside those whose u.data is converted)
    if (verdict !== 'convert' && verdict !== 'pointer-inside') continue;
    const e = n.ioctls.get(name)!;
    const use = argumentUse(e, annotations);
    for (const table of [use.members, use.membersBack])
      for (const [path, member] of Object.entries(table ?? {})) {
        // "" is the argument itself, which --member cannot name
        if (path) seen.set(path, (seen.get(path) ?? new Set()).add(member));
      }
  }
  const agreed = [...seen].map(([path, m]) => [path, m.size === 1 ? [...m][0]! : null] as const);
  return Object.fromEntries(agreed.filter((x): x is readonly [string, string] => x[1] !== null));
}

/**
 * Where an ioctl's handler uses a union member (IoctlEntry.members, an annotation's members or membersBack) that the
 * generated converters of its record do not convert that union as: the chosen member is another, or none is and a
 * selector annotation switches on the union. Why, or null where they agree (a union whose members convert alike is
 * copied, which serves any member). The argument itself ("") is not a --member path: not judged here.
 */
function memberClash(e: IoctlEntry, g: Generator, annotations: Annotations): string | null {
  const use = argumentUse(e, annotations);
  const record = annotations.ioctlArgs.get(e.name) ?? e.arg;
  const ways: Array<[string, Readonly<HandlerMembers> | undefined]> = [
    ['', use.members],
    [' on the way back', use.membersBack],
  ];
  for (const [way, table] of ways)
    for (const [path, member] of Object.entries(table ?? {})) {
      if (!path || member === null) continue;
      const converted = g.chosen[path];
      const selector = record !== undefined && annotations.records.get(record)?.get(path)?.kind === 'union';
      if (converted === member || (converted === undefined && !selector)) continue;
      const as = (m: string) => (m === UNION_BYTES ? 'its bytes' : m);
      const theirs = converted !== undefined ? `as ${as(converted)}` : 'by its selector annotation';
      return (
        `its handler uses ${path} as ${as(member)}${way}, where the converters of ${record ?? 'its argument'} ` +
        `(one per record, for every ioctl of it) convert ${path} ${theirs}: convert it by hand`
      );
    }
  return null;
}

/** The argument types of the ioctls the wanted files define (an annotated type for those annotated). */
function argumentTypes(n: Dumped, wanted: Wanted, annotations: Annotations): CType[] {
  const types: CType[] = [];
  for (const [name, e] of n.ioctls) {
    if (!wanted(e.file)) continue;
    const annotated = annotations.ioctlArgs.get(name);
    const decl = annotated !== undefined ? n.decls.get(annotated) : undefined;
    if (decl) types.push({ kind: 'record', decl });
    else if (e.argType) types.push(e.argType);
  }
  return types;
}

/**
 * How a handler is declared: not inlined into the compat switch, whose stack frame would hold every inlined handler's
 * arguments at once (3 KB against the kernel's 2048-byte CONFIG_FRAME_WARN for a driver of 40 ioctls).
 */
const HANDLER = 'static noinline_for_stack long';

/** A C identifier made of a name. */
function identifier(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

class Generator {
  private readonly twins = new Map<string, Twin>();
  private readonly decls = new Map<RecordDecl, number>();

  /** A key of a (native, compat) pair of records: each declaration numbered on first sight. */
  private twinKey(nd: RecordDecl, cd: RecordDecl): string {
    const id = (d: RecordDecl) => this.decls.get(d) ?? this.decls.set(d, this.decls.size).get(d)!;
    return `${id(nd)}:${id(cd)}`;
  }
  /** Definitions in dependency order (a nested twin before its user). */
  private readonly definitions: string[] = [];
  private readonly asserts: string[] = [];
  private readonly functions: string[] = [];
  private readonly done = new Set<string>();
  private readonly emittedRecords: Array<{ abi: AbiName; name: string; size: number; align: number }> = [];

  /** A restore point: what is written after it is taken back by the function it returns. */
  checkpoint(): () => void {
    const lists = [this.definitions, this.asserts, this.functions, this.emittedRecords] as unknown[][];
    const lengths = lists.map((l) => l.length);
    const done = [...this.done];
    const twins = [...this.twins];
    return () => {
      lists.forEach((l, i) => (l.length = lengths[i]!));
      this.done.clear();
      for (const d of done) this.done.add(d);
      this.twins.clear();
      for (const [k, t] of twins) this.twins.set(k, t);
    };
  }
  /** The record whose converter is being written (annotations name members from it). */
  private record = '';

  constructor(
    readonly n: Dumped,
    readonly c: Dumped,
    readonly opts: GeneratorOptions,
  ) {}

  get prefix(): string {
    return this.opts.prefix;
  }

  get chosen(): Record<string, string> {
    return this.opts.chosen;
  }

  get choose(): readonly string[] {
    return this.opts.choose;
  }

  get annotations(): Annotations {
    return this.opts.annotations;
  }

  get nl(): Layouter {
    return this.n.layouter;
  }

  get cl(): Layouter {
    return this.c.layouter;
  }

  records() {
    return this.emittedRecords;
  }

  /** Whether a type has the same size, alignment and layout on both ABIs, pointer-free. */
  /** Whether two records (or arrays of them) pair member by member: same() without the same-bytes rule. */
  private alike(a: CType, b: CType): boolean {
    if (a.kind === 'array' && b.kind === 'array') return this.alike(strip(a.of), strip(b.of));
    if (a.kind !== 'record' || b.kind !== 'record') return false;
    return this.nl.layout(a.decl).members.length === this.cl.layout(b.decl).members.length;
  }

  same(nt: CType, ct: CType): boolean {
    const a = strip(nt);
    const b = strip(ct);
    const la = this.nl.typeLayout(nt);
    const lb = this.cl.typeLayout(ct);
    if (la.size !== lb.size || la.align !== lb.align) return false;
    if (a.kind === 'int' || a.kind === 'enum' || a.kind === 'float') return true;
    if (a.kind === 'pointer') return false;
    if (a.kind === 'array' && b.kind === 'array') return a.length === b.length && this.same(a.of, b.of);
    if (a.kind === 'record' && b.kind === 'record') {
      if (this.membersAlike(a.decl, b.decl, (n, c) => this.same(n, c))) return true;
      // declared otherwise, the same bytes (the kernel's struct sockaddr has sa_data_min[14] and a
      // flexible sa_data in a union where user space has sa_data[14]): copied as they are
      const bytes = scalarBytes(nt, this.nl);
      return bytes !== null && bytes === scalarBytes(ct, this.cl);
    }
    return false;
  }

  /**
   * A union member's bytes are the same on both sides: as `same`, whatever the alignment (the union's place is the
   * record's concern), and a struct's size may differ by its tail padding (`tailPadding`: every member at the same
   * offset, its data ending before either side's size).
   */
  sameData(nt: CType, ct: CType, tailPadding = true): boolean {
    const a = strip(nt);
    const b = strip(ct);
    const sizes = this.nl.typeLayout(nt).size === this.cl.typeLayout(ct).size;
    if (!sizes && !(tailPadding && a.kind === 'record' && b.kind === 'record' && !a.decl.union)) return false;
    if (a.kind === 'int' || a.kind === 'enum' || a.kind === 'float') return true;
    if (a.kind === 'array' && b.kind === 'array') return a.length === b.length && this.sameData(a.of, b.of, false);
    if (a.kind !== 'record' || b.kind !== 'record') return false;
    return this.membersAlike(a.decl, b.decl, (n, c) => this.sameData(n, c, false)) || (sizes && this.same(nt, ct));
  }

  /** The records' members pairwise at the same bits, each pair's types as `alike` judges them. */
  private membersAlike(nd: RecordDecl, cd: RecordDecl, alike: (nt: CType, ct: CType) => boolean): boolean {
    const x = this.nl.layout(nd).members;
    const y = this.cl.layout(cd).members;
    return (
      x.length === y.length &&
      x.every((m, i) => {
        const o = y[i]!;
        return m.bitOffset === o.bitOffset && m.bits === o.bits && alike(m.member.type, o.member.type);
      })
    );
  }

  /** The compat twin of a record, defined (with its nested twins) on first use. */
  twinOf(nd: RecordDecl, cd: RecordDecl, cname: string): Twin {
    // one native record may stand for two compat ones (a struct timespec of 64-bit time where the
    // compat task has its own 8-byte one and glibc's 16-byte one): a twin per pair, named apart
    const key = this.twinKey(nd, cd);
    let t = this.twins.get(key);
    if (t) return t;
    const plain = identifier(cname.replace(/^(struct|union) /, ''));
    const taken = [...this.twins.values()].some((x) => x.ident === plain);
    const ident = taken
      ? `${plain}_as_${identifier(recordName(cd) ?? 'anonymous').replace(/^(struct|union)_/, '')}`
      : plain;
    t = { native: nd, compat: cd, cname, twin: `${KEYWORD(nd)} ${this.opts.twinPrefix}${ident}`, ident };
    // set first: a record may point at itself (its pointers are compat_uptr_t, but its name is used)
    this.twins.set(key, t);
    let body: string;
    try {
      body = this.recordBody(nd, cd, 1, '');
    } catch (e) {
      this.twins.delete(key);
      throw e;
    }
    const l = this.cl.layout(cd);
    const attrs: string[] = [];
    if (nd.packed) attrs.push('__packed');
    if (cd.align !== undefined) attrs.push(`__aligned(${cd.align})`);
    const pack = nd.maxFieldAlign !== undefined;
    this.definitions.push(
      `${pack ? `#pragma pack(push, ${nd.maxFieldAlign})\n` : ''}` +
        `/* ${cname} as ${this.c.result.abi} lays it out: ${l.size} bytes, aligned to ${l.align} */\n` +
        `${t.twin} {\n${body}}${attrs.length ? ` ${attrs.join(' ')}` : ''};${pack ? '\n#pragma pack(pop)' : ''}\n`,
    );
    this.assertLayout(t, l);
    this.emittedRecords.push({ abi: this.c.layouter.abi.name, name: t.twin, size: l.size, align: l.align });
    return t;
  }

  /** static_asserts of the compat layout: the build checks the twin against the compat ABI. */
  private assertLayout(t: Twin, l: RecordLayout): void {
    const lines = [
      `static_assert(sizeof(${t.twin}) == ${l.size});`,
      `static_assert(__alignof__(${t.twin}) == ${l.align});`,
    ];
    // the members the twin declares: a union's member one side's #ifdef hides is not among them
    const walk = (nd: RecordDecl, cd: RecordDecl, base: number, path: string) => {
      for (const { m, o } of this.pairs(nd, cd, path)) {
        if (o.member.bitWidth !== undefined) continue;
        const [nt, ot] = [m ? strip(m.member.type) : undefined, strip(o.member.type)];
        if (o.member.name === undefined) {
          if (nt?.kind === 'record' && ot.kind === 'record') walk(nt.decl, ot.decl, base + o.offset, path);
          continue;
        }
        const p = path ? `${path}.${o.member.name}` : o.member.name;
        lines.push(`static_assert(offsetof(${t.twin}, ${p}) == ${base + o.offset});`);
      }
    };
    walk(t.native, t.compat, 0, '');
    this.asserts.push(lines.join('\n'));
  }

  /** The members of a compat record, in the kernel's compat types. */
  /**
   * A record's members on both ABIs side by side, in the compat order. Unnamed bit-fields are
   * padding (glibc's 64-bit-time `struct timespec` ends in `int :32` on 32-bit ABIs): the compat
   * side keeps its own (`m` undefined), the native side's are left out; the rest pair in order.
   */
  private pairs(nd: RecordDecl, cd: RecordDecl, path: string): Array<{ m?: MemberLayout; o: MemberLayout }> {
    const padding = (x: MemberLayout) => x.member.bitWidth !== undefined && x.member.name === undefined;
    const a = this.nl.layout(nd).members.filter((x) => !padding(x));
    const cl = this.cl.layout(cd);
    const b = cl.members;
    const names = (l: MemberLayout[]) => l.map((x) => x.member.name ?? '(anonymous)').join(', ');
    const bn = b.filter((x) => !padding(x));
    const inOrder = a.length === bn.length && a.every((m, i) => m.member.name === bn[i]!.member.name);
    // the same number of members under other names (renamed padding) still pairs in order, as before
    const sameNames =
      new Set(a.map((m) => m.member.name)).size === new Set(bn.map((o) => o.member.name)).size &&
      a.every((m) => bn.some((o) => o.member.name === m.member.name));
    if (a.length === bn.length && (inOrder || (!nd.union && !sameNames))) {
      let i = 0;
      return b.map((o) => (padding(o) ? { o } : { m: a[i++]!, o }));
    }
    const what = `${recordName(nd) ?? 'an anonymous record'}${path ? ` ('${path}')` : ''}`;
    const differ = `${what} has other members on ${this.n.result.abi} (${names(a)}) and ${this.c.result.abi} (${names(b)})`;
    if (nd.union && [...a, ...b].every((x) => x.member.name !== undefined)) {
      // a union's members by name: one that an #ifdef hides from a side (v4l2_ext_controls' ctrl_class is
      // user space's alone) is left out of the twin, if the twin keeps the compat union's size and alignment
      // (the compat side's own integers stay, under their names: the kernel's compat structs keep them too)
      const byName = new Map(a.map((m) => [m.member.name!, m]));
      const kept = b.filter((o) => byName.has(o.member.name!) || integers(o.member.type));
      const align = Math.max(1, ...kept.map((o) => this.cl.typeLayout(o.member.type).align));
      const size = Math.max(0, ...kept.map((o) => this.cl.typeLayout(o.member.type).size));
      if (
        kept.some((o) => byName.has(o.member.name!)) &&
        Math.ceil(size / align) * align === cl.size &&
        align === cl.align
      )
        return kept.map((o) => ({ m: byName.get(o.member.name!), o }));
    }
    // a struct's members by name where both sides name every one and have other lists (asm/mtrr.h's struct
    // mtrr_gentry: regnum first for i386, base first and a _pad more for x86_64; arch/x86/kernel/cpu/mtrr/if.c
    // converts mtrr_gentry32 by name): the twin in the compat order, a native-only member left zero or dropped;
    // a compat-only member is kept as an integer of its size (zero from the native side)
    if (!nd.union && [...a, ...bn].every((x) => x.member.name !== undefined)) {
      const byName = new Map(a.map((m) => [m.member.name!, m]));
      if (b.every((o) => padding(o) || byName.has(o.member.name!) || integers(o.member.type)))
        return b.map((o) => (padding(o) ? { o } : { m: byName.get(o.member.name!), o }));
    }
    throw new CodegenError(differ);
  }

  private recordBody(nd: RecordDecl, cd: RecordDecl, depth: number, path: string): string {
    const pad = '\t'.repeat(depth);
    let s = '';
    this.pairs(nd, cd, path).forEach(({ m, o }) => {
      if (!m && o.member.bitWidth !== undefined) {
        s += `${pad}${typeName(o.member.type)} : ${o.member.bitWidth};\n`;
        return;
      }
      if (!m) {
        // the compat side's own member (a union's other name for the same bytes): an integer of its size
        s += `${pad}${this.sizedInteger(o.member.type, o.member.name!)};\n`;
        return;
      }
      const name = m.member.name;
      const mpath = name === undefined ? path : path ? `${path}.${name}` : name;
      const attrs: string[] = [];
      if (m.member.packed) attrs.push('__packed');
      // the compat ABI's alignment: a bare aligned is its biggest (8 on arm, 16 on arm64)
      if (o.member.align !== undefined) attrs.push(`__aligned(${o.member.align})`);
      const suffix =
        `${m.member.bitWidth !== undefined ? ` : ${m.member.bitWidth}` : ''}` +
        `${attrs.length ? ` ${attrs.join(' ')}` : ''};`;
      s += `${pad}${this.declare(m.member.type, o.member.type, name ?? '', depth, mpath)}${suffix}\n`;
    });
    return s;
  }

  /** A compat-only integer member (or array of them) declared by size: its type may be user space's alone. */
  private sizedInteger(t: CType, name: string): string {
    const x = strip(t);
    if (x.kind === 'array') return this.sizedInteger(x.of, `${name}[${x.length ?? ''}]`);
    const l = this.cl.typeLayout(t);
    const signed = x.kind === 'int' && !isUnsigned(x.name, this.cl.abi);
    // an 8-byte integer aligned to 4 (i386) is the kernel's compat_s64/compat_u64
    if (l.size === 8 && l.align === 4) return `${signed ? 'compat_s64' : 'compat_u64'} ${name}`;
    return `${signed ? 's' : 'u'}${l.size * 8} ${name}`;
  }

  /** The compat type of an integer argument. */
  compatScalar(nt: CType, ct: CType, path: string): string {
    return this.declare(nt, ct, '', 0, path);
  }

  /** A member's declaration with the compat type. */
  private declare(nt: CType, ct: CType, name: string, depth: number, path: string): string {
    const a = strip(nt);
    const b = strip(ct);
    const sep = name ? ` ${name}` : '';
    if (this.same(nt, ct)) {
      // the header's own spelling; an anonymous record is written out
      if ((a.kind === 'record' && a.decl.tag === undefined && nt.kind !== 'typedef') || a.kind === 'array')
        return this.declareOwn(nt, ct, name, depth, path);
      // an untagged enum written out would declare its enumerators twice: an integer of its size
      if (a.kind === 'enum' && a.decl.tag === undefined && nt.kind !== 'typedef')
        return `${this.nl.typeLayout(nt).size === 4 ? 'int' : `s${this.nl.typeLayout(nt).size * 8}`}${sep}`;
      return `${typeName(nt)}${sep}`;
    }
    if (a.kind === 'pointer') return `compat_uptr_t${sep}`;
    if (a.kind === 'int' || a.kind === 'enum') {
      const signed = a.kind === 'int' ? !isUnsigned(a.name, this.n.layouter.abi) : false;
      const cs = this.cl.typeLayout(ct).size;
      const ca = this.cl.typeLayout(ct).align;
      const spelled =
        a.kind === 'int' && (a.name === 'long' || a.name === 'unsigned long')
          ? signed
            ? 'compat_long_t'
            : 'compat_ulong_t'
          : null;
      if (cs === 4 && ca === 4) return `${spelled ?? (signed ? 's32' : 'u32')}${sep}`;
      if (cs === 8 && ca === 4) return `${signed ? 'compat_s64' : 'compat_u64'}${sep}`;
      // the compat task's own width (a dev_t of 16 bits on i386, say)
      if (cs === ca && (cs === 1 || cs === 2 || cs === 8)) return `${signed ? 's' : 'u'}${cs * 8}${sep}`;
      throw new CodegenError(`'${path}': a ${cs}-byte integer aligned to ${ca} has no kernel compat type`);
    }
    if (a.kind === 'array' && b.kind === 'array') {
      if (a.length !== b.length) throw new CodegenError(`'${path}': array lengths differ`);
      return this.declare(a.of, b.of, `${name}[${a.length ?? ''}]`, depth, `${path}[]`);
    }
    // a float of the same size placed otherwise (i386's double, 4-aligned): its bits in an integer of the task's
    // size and alignment, copied with memcpy (the kernel computes with no float)
    if (a.kind === 'float' && b.kind === 'float' && this.nl.typeLayout(nt).size === this.cl.typeLayout(ct).size) {
      const cs = this.cl.typeLayout(ct).size;
      const ca = this.cl.typeLayout(ct).align;
      if (cs === 8 && ca === 4) return `compat_u64${sep}`;
      if (cs === ca && (cs === 2 || cs === 4 || cs === 8)) return `u${cs * 8}${sep}`;
    }
    if (a.kind === 'record' && b.kind === 'record') {
      if (a.decl.tag !== undefined || nt.kind === 'typedef')
        return `${this.twinOf(a.decl, b.decl, typeName(nt)).twin}${sep}`;
      return `${KEYWORD(a.decl)} {\n${this.recordBody(a.decl, b.decl, depth + 1, path)}${'\t'.repeat(depth)}}${sep}`;
    }
    throw new CodegenError(`'${path}': a ${a.kind} that differs between the ABIs has no kernel compat type`);
  }

  /** An array or anonymous record that is the same on both ABIs, written out with its own types. */
  private declareOwn(nt: CType, ct: CType, name: string, depth: number, path: string): string {
    const a = strip(nt);
    const b = strip(ct);
    if (a.kind === 'array' && b.kind === 'array' && nt.kind !== 'typedef')
      return this.declare(a.of, b.of, `${name}[${a.length ?? ''}]`, depth, `${path}[]`);
    if (a.kind === 'record' && b.kind === 'record')
      return (
        `${KEYWORD(a.decl)} {\n${this.recordBody(a.decl, b.decl, depth + 1, path)}` +
        `${'\t'.repeat(depth)}}${name ? ` ${name}` : ''}`
      );
    return `${typeName(nt)}${name ? ` ${name}` : ''}`;
  }

  /** A converter of a twin, one way (and those of the twins it holds), written on first use. */
  converter(t: Twin, toCompat: boolean): void {
    const key = `${toCompat ? '>' : '<'}${t.twin}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    try {
      const body: string[] = [];
      const lines = (s: string) => body.push(s);
      const outer = this.record;
      this.record = t.cname;
      try {
        this.convertMembers(t.native, t.compat, 'from', 'to', toCompat, '', lines, 1, false);
      } finally {
        this.record = outer;
      }
      const sig = toCompat
        ? `static int ${this.prefix}_to_compat_${t.ident}(${t.twin} *to, const ${t.cname} *from)`
        : `static int ${this.prefix}_from_compat_${t.ident}(${t.cname} *to, const ${t.twin} *from)`;
      const what = toCompat
        ? 'to the compat layout (padding zeroed: nothing of the kernel stack reaches user space)'
        : 'from the compat layout';
      this.functions.push(
        `/* ${t.cname} ${what} */\n${sig}\n{\n\tmemset(to, 0, sizeof(*to));\n` +
          `${body.join('\n')}${body.length ? '\n' : ''}\treturn 0;\n}\n`,
      );
    } catch (e) {
      this.done.delete(key);
      throw e;
    }
  }

  /** The --member path of the place whose record converter is being written ('' at the argument). */
  private site = '';

  /** Whether a --member choice names a union at `path` or below it. */
  private chosenBelow(path: string): boolean {
    const at = this.choicePath(path);
    return Object.keys(this.chosen).some((p) => p === at || p.startsWith(`${at}.`));
  }

  /**
   * A member path as --member names it from the argument: an array's element is `[]` (the C path's `[i1]`), and in a
   * record's own converter the path that reached it comes first (`arr[].u` for union u of struct e arr[2]).
   */
  private choicePath(path: string): string {
    const own = path.replace(/\[i\d+\]/g, '[]');
    return this.site && own ? `${this.site}.${own}` : this.site || own;
  }

  /** Statements converting the members of a record from `from->...` to `to->...`. */
  private convertMembers(
    nd: RecordDecl,
    cd: RecordDecl,
    from: string,
    to: string,
    toCompat: boolean,
    path: string,
    out: (s: string) => void,
    depth: number,
    inPacked: boolean,
    anonymous = false,
  ): void {
    const packed = inPacked || nd.packed === true || nd.maxFieldAlign !== undefined;
    const a = this.nl.layout(nd);
    if (nd.union) {
      const chosen =
        this.chosen[this.choicePath(path)] ??
        a.members.flatMap((m) => choiceNames(m.member)).find((n) => this.choose.includes(n));
      const pairs = this.pairs(nd, cd, path).filter((p): p is { m: MemberLayout; o: MemberLayout } => !!p.m);
      const ann = this.annotations.records.get(this.record)?.get(path);
      if (chosen === undefined && ann?.kind === 'union') {
        // the member another member selects (a union annotation): one case per value
        // the values of one member share its code (case 1: case 2:), in the order of their first case
        const labelled = (table: Record<string, string>, other?: string) => {
          const labels = new Map<string, string[]>();
          for (const [v, m] of Object.entries(table)) labels.set(m, [...(labels.get(m) ?? []), `case ${v}:`]);
          if (other) labels.set(other, [...(labels.get(other) ?? []), 'default:']);
          return labels;
        };
        const arms = (labels: Map<string, string[]>, d: number) => {
          const pad = '\t'.repeat(d);
          for (const [member, those] of labels) {
            const y = pairs.find((q) => q.m.member.name === member);
            if (!y) throw new CodegenError(`union '${path}' has no member '${member}'`);
            for (const label of those) out(`${pad}${label}`);
            this.value(
              y.m.member.type,
              y.o.member.type,
              from,
              to,
              path ? `${path}.${member}` : member,
              toCompat,
              out,
              d + 1,
              packed || y.m.member.packed === true,
            );
            out(`${pad}\tbreak;`);
          }
        };
        // a selector asked first (struct v4l2_buffer's multiplanar `type`): its cases, else the other's switch
        const outer = '\t'.repeat(depth);
        if (ann.first) {
          out(`${outer}switch (from->${ann.first.selector}) {`);
          arms(labelled(ann.first.cases), depth);
          out(`${outer}default:`);
        }
        const d = ann.first ? depth + 1 : depth;
        const pad = '\t'.repeat(d);
        out(`${pad}switch (from->${ann.selector}) {`);
        // other values: the default member, none ("": the kernel's `default: break;`), else -EINVAL
        arms(labelled(ann.cases, ann.default), d);
        if (ann.default === '') out(`${pad}default:\n${pad}\tbreak;`);
        else if (!ann.default) out(`${pad}default:\n${pad}\treturn -EINVAL;`);
        out(`${pad}}`);
        if (ann.first) out(`${pad}break;\n${outer}}`);
        return;
      }
      // no choice needed where every member's bytes are the same (a record's tail padding aside: the smaller side's
      // bytes hold every member's data), or where one member differs only in pointers beside integers of the same
      // bytes in a union of one size (btrfs_ioctl_vol_args_v2's qgroup_inherit: compat_ptr() on it), as the thunk
      const b = this.cl.layout(cd);
      const differ = pairs.filter((p) => !this.sameData(p.m.member.type, p.o.member.type));
      const pointerOnly =
        differ.length === 1 &&
        a.size === b.size &&
        pairs.every((p) => p === differ[0] || integerFiller(p.m.member.type)) &&
        onlyPointersDiffer(
          { type: differ[0]!.m.member.type, layouter: this.nl },
          { type: differ[0]!.o.member.type, layouter: this.cl },
        );
      // `*` (UNION_BYTES): the union's bytes as the task laid them, copied as a union whose members are all alike
      const x =
        chosen === UNION_BYTES
          ? undefined
          : chosen !== undefined
            ? pairs.find((p) => choiceNames(p.m.member).includes(chosen))
            : !differ.length
              ? undefined
              : pointerOnly
                ? differ[0]
                : null;
      // the bytes every member's data lies in
      const bytes = Math.min(a.size, b.size);
      if (x === null) {
        // an anonymous union has no path of its own: a bare name chooses in any union that has it
        const names = pairs.flatMap((p) => choiceNames(p.m.member)).join(', ');
        throw new CodegenError(
          this.choicePath(path) && !anonymous
            ? `union '${this.choicePath(path)}' has members that convert differently: ` +
                `choose one (--member ${this.choicePath(path)}=NAME)`
            : `${nd.tag !== undefined ? `union ${nd.tag}` : 'an anonymous union'}` +
                `${this.choicePath(path) ? ` in '${this.choicePath(path)}'` : ''} has members that convert ` +
                `differently: choose one (--member NAME, NAME one of ${names})`,
        );
      }
      if (x === undefined) {
        if (chosen !== undefined && chosen !== UNION_BYTES)
          throw new CodegenError(`union '${this.choicePath(path)}' has no member '${chosen}'`);
        if (!anonymous) {
          const size = a.size === b.size ? `sizeof(${this.access(to, path)})` : `${bytes}`;
          out(`${'\t'.repeat(depth)}memcpy(${this.addr(to, path)}, ${this.addr(from, path)}, ${size});`);
          return;
        }
        // an anonymous union has no name: its bytes start where its first named member does
        const first = firstNamed(nd);
        if (first === null) return;
        const p = path ? `${path}.${first}` : first;
        // from the whole record's address: FORTIFY_SOURCE bounds &to->first by the first member's size
        const at = (base: string, cast: string) => `(${cast} *)${base} + offsetof(typeof(*${base}), ${p})`;
        out(`${'\t'.repeat(depth)}memcpy(${at(to, 'char')}, ${at(from, 'const char')}, ${bytes});`);
        return;
      }
      const mpath = path ? `${path}.${x.m.member.name}` : x.m.member.name!;
      this.value(
        x.m.member.type,
        x.o.member.type,
        from,
        to,
        mpath,
        toCompat,
        out,
        depth,
        packed || x.m.member.packed === true,
      );
      return;
    }
    this.pairs(nd, cd, path).forEach(({ m, o }) => {
      if (!m) return;
      const name = m.member.name;
      if (m.member.bitWidth !== undefined) {
        if (name === undefined || m.member.bitWidth === 0) return;
        const p = path ? `${path}.${name}` : name;
        out(`${'\t'.repeat(depth)}${this.access(to, p)} = ${this.access(from, p)};`);
        return;
      }
      const mt0 = strip(m.member.type);
      if (mt0.kind === 'array' && mt0.length === null) {
        // the handler converts the elements of an argument's own flexible array: it reads their count first
        if (!path && name !== undefined && this.flexOf(nd) !== null) return;
        const p = path ? `${path}.${name ?? ''}` : (name ?? '');
        throw new CodegenError(
          `'${p}' is a flexible array with no count: annotate it in --annotations ` +
            `({ "records": { "${this.record}": { "${p}": { "kind": "flex-array", "count": "MEMBER" } } } })`,
        );
      }
      if (name === undefined) {
        // an anonymous struct or union: its members are reached as the record's own
        const mt = strip(m.member.type);
        const ot = strip(o.member.type);
        if (mt.kind === 'record' && ot.kind === 'record')
          this.convertMembers(mt.decl, ot.decl, from, to, toCompat, path, out, depth, packed, true);
        return;
      }
      this.value(
        m.member.type,
        o.member.type,
        from,
        to,
        path ? `${path}.${name}` : name,
        toCompat,
        out,
        depth,
        packed || m.member.packed === true,
      );
    });
  }

  /** `base->path`; a path that starts with an index is into the array `base` points at (`to[i].x`). */
  private access(base: string, path: string): string {
    return path ? `${base}${path.startsWith('[') ? '' : '->'}${path}` : `(*${base})`;
  }

  private addr(base: string, path: string): string {
    return path ? `&${this.access(base, path)}` : base;
  }

  /** Statements converting one value, `to->path = convert(from->path)`. */
  private value(
    nt: CType,
    ct: CType,
    from: string,
    to: string,
    path: string,
    toCompat: boolean,
    out: (s: string) => void,
    depth: number,
    packed: boolean,
  ): void {
    const pad = '\t'.repeat(depth);
    const lhs = this.access(to, path);
    const rhs = this.access(from, path);
    const a = strip(nt);
    const b = strip(ct);
    // toward the task, a record alike on both ABIs still goes member by member: its padding may
    // hold whatever the driver left there, and nothing of the kernel's may reach user space
    const padded = (t: CType): boolean => {
      const x = strip(t);
      return x.kind === 'array' ? padded(x.of) : x.kind === 'record' && !x.decl.union;
    };
    if (this.same(nt, ct) && !(toCompat && padded(nt) && this.alike(a, b))) {
      if (a.kind === 'array' || a.kind === 'record') out(`${pad}memcpy(&${lhs}, &${rhs}, sizeof(${lhs}));`);
      else out(`${pad}${lhs} = ${rhs};`);
      return;
    }
    if (this.same(nt, ct) && a.kind === 'record' && b.kind === 'record') {
      // alike, toward the task: the members one by one, in the record's own type
      this.convertMembers(a.decl, b.decl, from, to, toCompat, path, out, depth, packed);
      return;
    }
    if (a.kind === 'pointer') {
      out(toCompat ? `${pad}${lhs} = ptr_to_compat((void __user *)${rhs});` : `${pad}${lhs} = compat_ptr(${rhs});`);
      return;
    }
    if (a.kind === 'int' && this.annotations.records.get(this.record)?.get(path)?.kind === 'user-pointer') {
      // a user pointer in an integer: a compat task's is its low 32 bits (nvme_to_user_ptr() truncates so),
      // widened as compat_ptr() does; the native handler reads it with u64_to_user_ptr()
      out(
        toCompat
          ? `${pad}${lhs} = ptr_to_compat(u64_to_user_ptr(${rhs}));`
          : `${pad}${lhs} = (uintptr_t)compat_ptr((compat_uptr_t)${rhs});`,
      );
      return;
    }
    if (a.kind === 'int' || a.kind === 'enum') {
      if (toCompat && this.cl.typeLayout(ct).size < this.nl.typeLayout(nt).size) {
        // never a silent truncation
        out(`${pad}if ((typeof(${rhs}))(typeof(${lhs}))${rhs} != ${rhs})\n${pad}\treturn -EOVERFLOW;`);
      }
      out(`${pad}${lhs} = ${rhs};`);
      return;
    }
    // the same bits (declare() gave the task's an integer of its size): copied, never converted as numbers; a
    // complex value whole (C has no subscript of one)
    if ((a.kind === 'float' && b.kind === 'float') || isComplex(nt)) {
      out(`${pad}memcpy(&${lhs}, &${rhs}, sizeof(${lhs}));`);
      return;
    }
    if (a.kind === 'array' && b.kind === 'array') {
      const i = `i${depth}`;
      out(`${pad}for (int ${i} = 0; ${i} < ${a.length ?? 0}; ${i}++) {`);
      this.value(a.of, b.of, from, to, `${path}[${i}]`, toCompat, out, depth + 1, packed);
      out(`${pad}}`);
      return;
    }
    if (a.kind === 'record' && b.kind === 'record') {
      // a named record has a converter of its own, shared by every place it is used, unless a --member
      // choice names a union in it here: then its members go inline, where the choice's path holds
      if ((a.decl.tag !== undefined || nt.kind === 'typedef') && !this.chosenBelow(path)) {
        const t = this.twinOf(a.decl, b.decl, typeName(nt));
        // written on first use: its unions are named from this place (a message's --member path)
        const site = this.site;
        this.site = this.choicePath(path);
        try {
          this.converter(t, toCompat);
        } finally {
          this.site = site;
        }
        const fn = toCompat ? `${this.prefix}_to_compat_${t.ident}` : `${this.prefix}_from_compat_${t.ident}`;
        // its error (-EOVERFLOW, or -EINVAL from a selector) is the caller's
        if (!packed) {
          out(
            `${pad}{\n${pad}\tint err = ${fn}(&${lhs}, &${rhs});\n\n${pad}\tif (err)\n${pad}\t\treturn err;\n${pad}}`,
          );
          return;
        }
        // a member of a packed record may be unaligned: the converter works on aligned copies
        const [kin, kout] = toCompat ? [t.cname, t.twin] : [t.twin, t.cname];
        out(`${pad}{\n${pad}\t${kin} in;\n${pad}\t${kout} res;\n${pad}\tint err;\n`);
        out(
          `${pad}\tmemcpy(&in, &${rhs}, sizeof(in));\n${pad}\terr = ${fn}(&res, &in);\n` +
            `${pad}\tif (err)\n${pad}\t\treturn err;\n${pad}\tmemcpy(&${lhs}, &res, sizeof(res));\n${pad}}`,
        );
        return;
      }
      this.convertMembers(a.decl, b.decl, from, to, toCompat, path, out, depth, packed);
      return;
    }
    throw new CodegenError(`'${path}': a ${a.kind} that differs between the ABIs cannot be converted`);
  }

  /**
   * This compat ABI's part of the file: its command numbers, handlers and switch (named `name`),
   * and what it assumes of the native side (static_asserts the kernel's view must pass).
   */
  sections(plan: CompatPlan, name: string): Sections {
    const pfx = this.prefix;
    const numbers: string[] = [];
    const handlers: string[] = [];
    const cases: string[] = [];
    // what the code assumes of the native side: the kernel's view of the headers must agree
    const nativeChecks: string[] = [];
    const seen = new Map<number, string>();
    const checkedRecords = new Set<string>();
    for (const { e, v, twin, scalar, compatCmd, handler, array, aliases } of plan.converted) {
      const label = v.cmdDiffers ? `${e.name}${this.opts.suffix}` : e.name;
      seen.set(compatCmd, e.name);
      nativeChecks.push(`static_assert(${e.name} == ${hex(e.cmd)}U);`);
      const nativeName = twin?.cname ?? scalar?.native ?? typeName(e.argType!);
      const compatName = twin?.twin ?? scalar?.compat ?? array!;
      if (!checkedRecords.has(nativeName)) {
        checkedRecords.add(nativeName);
        nativeChecks.push(
          `static_assert(sizeof(${nativeName}) == ` +
            `${twin ? this.nl.layout(twin.native).size : this.nl.typeLayout(e.argType!).size});`,
        );
      }
      if (v.cmdDiffers) numbers.push(...this.compatNumber(e, label, compatCmd, twin, compatName));
      handlers.push(handler);
      cases.push(`\tcase ${label}:\n\t\treturn ${pfx}_compat_${identifier(e.name)}(file, argp);`);
      // another name for the number (FIONREAD and TIOCINQ): this case serves it
      for (const other of aliases) cases.push(`\t/* ${other}: the same number as ${e.name} */`);
    }
    for (const { name, cmd, nativeCmd, value } of plan.renumbered) {
      if (seen.has(cmd)) continue;
      seen.set(cmd, name);
      nativeChecks.push(`static_assert(${name} == ${hex(nativeCmd)}U);`);
      const label = `${name}${this.opts.suffix}`;
      numbers.push(`#define ${label} ${hex(cmd)}U`);
      const why = '/* the same layout on both ABIs under another number: the native number */';
      const passed = value ? 'arg' : '(unsigned long)argp';
      cases.push(`\tcase ${label}:\n\t\t${why}\n\t\treturn file->f_op->unlocked_ioctl(file, ${name}, ${passed});`);
    }
    // one case per number: the first name of it
    const fresh = (list: Numbered[]) =>
      list
        .filter(({ name, cmd }) => {
          if (seen.has(cmd)) return false;
          seen.set(cmd, name);
          return true;
        })
        .map((x) => x.name);
    const passed = fresh(plan.passed);
    const values = fresh(plan.values);
    for (const x of [...plan.passed, ...plan.values])
      if (passed.includes(x.name) || values.includes(x.name))
        nativeChecks.push(`static_assert(${x.name} == ${hex(x.nativeCmd)}U);`);
    // every native record the converters name, nested ones too
    for (const t of this.twins.values()) {
      if (checkedRecords.has(t.cname) || (!this.done.has(`<${t.twin}`) && !this.done.has(`>${t.twin}`))) continue;
      checkedRecords.add(t.cname);
      nativeChecks.push(`static_assert(sizeof(${t.cname}) == ${this.nl.layout(t.native).size});`);
    }
    const usesArgp = cases.some((x) => x.includes('argp')) || passed.length > 0;
    const switchFn = [
      `${name === `${this.opts.driver}_compat_ioctl` ? '' : 'static '}long ${name}` +
        '(struct file *file, unsigned int cmd, unsigned long arg)',
      '{',
      ...(usesArgp ? ['\tvoid __user *argp = compat_ptr(arg);', ''] : []),
      '\tswitch (cmd) {',
      ...cases,
      ...(passed.length
        ? [
            `${passed.map((p) => `\tcase ${p}:`).join('\n')}`,
            '\t\t/* the same layout on both ABIs: only the pointer to convert */',
            '\t\treturn file->f_op->unlocked_ioctl(file, cmd, (unsigned long)argp);',
          ]
        : []),
      ...(values.length
        ? [
            `${values.map((p) => `\tcase ${p}:`).join('\n')}`,
            '\t\t/* no argument in memory: the value as it came */',
            '\t\treturn file->f_op->unlocked_ioctl(file, cmd, arg);',
          ]
        : []),
      '\t}',
      '\treturn -ENOIOCTLCMD;',
      '}',
    ].join('\n');
    return {
      nativeChecks,
      body: [...this.definitions, this.asserts.join('\n\n'), numbers.join('\n'), ...this.functions, ...handlers],
      switchFn,
    };
  }

  /** A compat command number: _IOC() of the compat type where its size is what the number encodes, else the number. */
  private compatNumber(e: IoctlEntry, label: string, compatCmd: number, twin: Twin | undefined, compatName: string) {
    const dirName = { none: '_IOC_NONE', r: '_IOC_READ', w: '_IOC_WRITE', rw: '(_IOC_READ | _IOC_WRITE)' }[
      e.dir ?? 'none'
    ];
    const ce = this.c.ioctls.get(e.name)!;
    const csize = twin ? this.cl.layout(twin.compat).size : this.cl.typeLayout(ce.argType!).size;
    const ioc =
      !e.legacy && !e.sizeofArg && e.dir !== null && ce.size === csize
        ? `_IOC(${dirName}, ${hex(e.type)}, ${hex(e.nr)}, sizeof(${compatName}))`
        : null;
    return [`#define ${label} ${ioc ?? `${hex(compatCmd)}U`}`, `static_assert(${label} == ${hex(compatCmd)}U);`];
  }

  /**
   * An integer argument of another width: get_user() of the compat one, put_user() back, -EOVERFLOW where it does not
   * fit.
   */
  /**
   * A function converting elements one way, written once and named `fn`: `to->path[i]` from
   * `from->path[i]` (`to[i]` without a path) for `count` elements, or for the count it is passed
   * (`count` null). Elements convert in functions of their own: a conversion error returns from
   * them, not from the handler, which frees what it holds.
   */
  private elements(
    fn: string,
    what: string,
    on: { native: string; compat: string; elements: [CType, CType]; path: string; count: number | null },
    toCompat: boolean,
  ): string {
    if (this.done.has(fn)) return fn;
    this.done.add(fn);
    const body: string[] = [];
    const [nt, ct] = on.elements;
    this.value(nt, ct, 'from', 'to', `${on.path}[i]`, toCompat, (x) => body.push(x), 2, false);
    const [to, from] = toCompat ? [on.compat, on.native] : [on.native, on.compat];
    const count = on.count === null ? ', u64 count' : '';
    this.functions.push(
      `/* ${what} ${toCompat ? 'to' : 'from'} the compat layout */\n` +
        `static int ${fn}(${to} *to, ${from} const *from${count})\n{\n\tu64 i;\n\n` +
        `\tfor (i = 0; i < ${on.count ?? 'count'}; i++) {\n${body.join('\n')}\n\t}\n\treturn 0;\n}\n`,
    );
    return fn;
  }

  /** The compat type of an array argument's elements. */
  compatElement(nt: CType, ct: CType): string {
    return this.declare(nt, ct, '', 0, '[]');
  }

  /** An array argument: its elements converted one by one, each way the argument goes. */
  arrayHandler(e: IoctlEntry, nt: CType, ct: CType, length: number, access: Access): string {
    const pfx = this.prefix;
    const nElem = typeName(nt);
    const cElem = this.compatElement(nt, ct);
    // big arrays go on the heap, as big records do: kernel stacks are small
    const onHeap = (this.nl.typeLayout(nt).size + this.cl.typeLayout(ct).size) * length > 512;
    const [K, U] = onHeap ? ['karg->el', 'uarg->el'] : ['karg', 'uarg'];
    const lines = [`${HANDLER} ${pfx}_compat_${identifier(e.name)}(struct file *file, void __user *argp)`, '{'];
    if (onHeap)
      lines.push(
        `\tstruct { ${nElem} el[${length}]; } *karg = kzalloc(sizeof(*karg), GFP_KERNEL);`,
        `\tstruct { ${cElem} el[${length}]; } *uarg = kzalloc(sizeof(*uarg), GFP_KERNEL);`,
        '\tlong ret;',
        '',
        '\tret = -ENOMEM;',
        '\tif (!karg || !uarg)',
        '\t\tgoto out;',
      );
    else
      lines.push(
        `\t${nElem} karg[${length}];`,
        `\t${cElem} uarg[${length}];`,
        '\tlong ret;',
        '',
        '\tmemset(karg, 0, sizeof(karg));',
      );
    // an early return: through `out` where the arrays are the heap's
    const fail = (cond: string, ret: string) =>
      onHeap
        ? [`\tif (${cond}) {`, `\t\tret = ${ret};`, '\t\tgoto out;', '\t}']
        : [`\tif (${cond})`, `\t\treturn ${ret};`];
    const unless = (cond: string) => [`\tif (${cond})`, onHeap ? '\t\tgoto out;' : '\t\treturn ret;'];
    // the elements convert in a function of their own each way, as a record's members do
    const each = (toCompat: boolean) =>
      this.elements(
        `${pfx}_${toCompat ? 'to' : 'from'}_compat_${identifier(e.name)}_elements`,
        `the ${length} elements of ${e.name}'s argument`,
        { native: nElem, compat: cElem, elements: [nt, ct], path: '', count: length },
        toCompat,
      );
    if (access.reads) {
      lines.push(...fail(`copy_from_user(${U}, argp, sizeof(${U}))`, '-EFAULT'));
      lines.push(`\tret = ${each(false)}(${K}, ${U});`, ...unless('ret'));
    }
    lines.push(`\tret = ${this.opts.driver}_ioctl_kernel(file, ${e.name}, ${K});`);
    if (access.writes) {
      lines.push(...unless('ret < 0'), `\tmemset(${U}, 0, sizeof(${U}));`);
      lines.push(...fail(`${each(true)}(${U}, ${K})`, '-EOVERFLOW'));
      lines.push(...fail(`copy_to_user(argp, ${U}, sizeof(${U}))`, '-EFAULT'));
    }
    if (onHeap) lines.push('out:', '\tkfree(karg);', '\tkfree(uarg);');
    lines.push('\treturn ret;', '}');
    return `${lines.join('\n')}\n`;
  }

  scalarHandler(e: IoctlEntry, scalar: Scalar, access: Access): string {
    const { reads, writes } = access;
    const lines = [
      `${HANDLER} ${this.prefix}_compat_${identifier(e.name)}(struct file *file, void __user *argp)`,
      '{',
      `\t${scalar.native} karg = ${scalar.pointer ? 'NULL' : '0'};`,
      `\t${scalar.compat} uarg;`,
      '\tlong ret;',
      '',
    ];
    if (reads)
      lines.push(
        `\tif (get_user(uarg, (${scalar.compat} __user *)argp))`,
        '\t\treturn -EFAULT;',
        scalar.pointer ? '\tkarg = compat_ptr(uarg);' : '\tkarg = uarg;',
      );
    lines.push(`\tret = ${this.opts.driver}_ioctl_kernel(file, ${e.name}, &karg);`);
    if (writes) {
      lines.push(
        '\tif (ret < 0)',
        '\t\treturn ret;',
        ...(scalar.pointer
          ? ['\tuarg = ptr_to_compat(karg);']
          : ['\tuarg = karg;', '\tif (uarg != karg)', '\t\treturn -EOVERFLOW;']),
        `\tif (put_user(uarg, (${scalar.compat} __user *)argp))`,
        '\t\treturn -EFAULT;',
      );
    }
    lines.push('\treturn ret;', '}');
    return `${lines.join('\n')}\n`;
  }

  /** One converted ioctl: the argument in, the driver's kernel entry point, the argument out. */
  /** A record's flexible array with a count (a flex-array annotation): its name, count member and element types. */
  flexOf(nd: RecordDecl): { name: string; count: string; native: CType; compat: CType } | null {
    const last = nd.members?.at(-1);
    const t = last ? strip(last.type) : undefined;
    if (!last?.name || t?.kind !== 'array' || t.length !== null) return null;
    const ann = this.annotations.records.get(this.record || recordName(nd) || '')?.get(last.name);
    if (ann?.kind !== 'flex-array') return null;
    const cd = [...this.twins.values()].find((x) => x.native === nd)?.compat;
    const ct = cd?.members?.at(-1)?.type;
    const c = ct ? strip(ct) : undefined;
    if (c?.kind !== 'array') return null;
    return { name: last.name, count: ann.count, native: t.of, compat: c.of };
  }

  handler(e: IoctlEntry, twin: Twin, access: Access): string {
    const outer = this.record;
    this.record = twin.cname;
    try {
      const flex = this.flexOf(twin.native);
      if (flex) return this.flexHandler(e, twin, access, flex);
    } finally {
      this.record = outer;
    }
    return this.fixedHandler(e, twin, access);
  }

  /**
   * An argument ending in a flexible array whose length another member holds: the fixed part read
   * first for the count, a bound the driver may set (-EINVAL beyond it), the elements converted one by
   * one each way; no more elements written back than the task's buffer held.
   */
  private flexHandler(
    e: IoctlEntry,
    twin: Twin,
    access: Access,
    flex: { name: string; count: string; native: CType; compat: CType },
  ): string {
    const pfx = this.prefix;
    const max = `${this.opts.driver.toUpperCase()}_FLEX_MAX`;
    const head = `offsetof(${twin.twin}, ${flex.name})`;
    const elems = (n: string, base: string) => `${head} + ${n} * sizeof(${base}->${flex.name}[0])`;
    const loop = (toCompat: boolean) =>
      this.elements(
        `${pfx}_${toCompat ? 'to' : 'from'}_compat_${twin.ident}_${flex.name}`,
        `the elements of ${twin.cname}'s ${flex.name}[]`,
        { native: twin.cname, compat: twin.twin, elements: [flex.native, flex.compat], path: flex.name, count: null },
        toCompat,
      );
    const lines = [
      `#ifndef ${max}`,
      '/* the most elements a flexible array may hold here: the driver may set its own */',
      `#define ${max} 1024`,
      '#endif',
      '',
      `${HANDLER} ${pfx}_compat_${identifier(e.name)}(struct file *file, void __user *argp)`,
      '{',
      `\t${twin.twin} head;`,
      `\t${twin.cname} *karg = NULL;`,
      `\t${twin.twin} *uarg = NULL;`,
      '\tu64 count;',
      '\tlong ret;',
      '',
      // the count comes first: the task's buffer holds that many elements
      `\tif (copy_from_user(&head, argp, ${head}))`,
      '\t\treturn -EFAULT;',
      `\tcount = head.${flex.count};`,
      `\tif (count > ${max})`,
      '\t\treturn -EINVAL;',
      `\tkarg = kzalloc(sizeof(*karg) + count * sizeof(karg->${flex.name}[0]), GFP_KERNEL);`,
      `\tuarg = kzalloc(sizeof(*uarg) + count * sizeof(uarg->${flex.name}[0]), GFP_KERNEL);`,
      '\tif (!karg || !uarg) {',
      '\t\tret = -ENOMEM;',
      '\t\tgoto out;',
      '\t}',
    ];
    const fail = (cond: string, code: string) => [`\tif (${cond}) {`, `\t\tret = ${code};`, '\t\tgoto out;', '\t}'];
    if (access.reads) {
      lines.push(...fail(`copy_from_user(uarg, argp, ${elems('count', 'uarg')})`, '-EFAULT'));
      lines.push(`\tret = ${pfx}_from_compat_${twin.ident}(karg, uarg);`, '\tif (!ret)');
      lines.push(`\t\tret = ${loop(false)}(karg, uarg, count);`, '\tif (ret)', '\t\tgoto out;');
    } else {
      // the driver learns how many elements the task has room for
      lines.push(`\tkarg->${flex.count} = count;`);
    }
    lines.push(`\tret = ${this.opts.driver}_ioctl_kernel(file, ${e.name}, karg);`);
    if (access.writes) {
      // the task's own bytes read in above are no answer: what goes back is the driver's alone, padding zeroed
      lines.push('\tif (ret < 0)', '\t\tgoto out;', `\tmemset(uarg, 0, ${elems('count', 'uarg')});`);
      lines.push(...fail(`${pfx}_to_compat_${twin.ident}(uarg, karg)`, '-EOVERFLOW'));
      // the count the driver left goes back; the elements only as many as the task's buffer holds
      lines.push(`\tif (karg->${flex.count} < count)`, `\t\tcount = karg->${flex.count};`);
      lines.push(...fail(`${loop(true)}(uarg, karg, count)`, '-EOVERFLOW'));
      lines.push(...fail(`copy_to_user(argp, uarg, ${elems('count', 'uarg')})`, '-EFAULT'));
    }
    lines.push('out:', '\tkfree(karg);', '\tkfree(uarg);', '\treturn ret;', '}');
    return `${lines.join('\n')}\n`;
  }

  private fixedHandler(e: IoctlEntry, twin: Twin, access: Access): string {
    const pfx = this.prefix;
    const { reads, writes } = access;
    // big arguments go on the heap: kernel stacks are small
    const onHeap = this.nl.layout(twin.native).size + this.cl.layout(twin.compat).size > 512;
    const k = onHeap ? 'karg' : '&karg';
    const u = onHeap ? 'uarg' : '&uarg';
    const lines = [`${HANDLER} ${pfx}_compat_${identifier(e.name)}(struct file *file, void __user *argp)`, '{'];
    if (onHeap) {
      lines.push(
        `\t${twin.cname} *karg = kzalloc(sizeof(*karg), GFP_KERNEL);`,
        `\t${twin.twin} *uarg = kzalloc(sizeof(*uarg), GFP_KERNEL);`,
        '\tlong ret;',
        '',
        '\tif (!karg || !uarg) {',
        '\t\tret = -ENOMEM;',
        '\t\tgoto out;',
        '\t}',
      );
    } else lines.push(`\t${twin.cname} karg;`, `\t${twin.twin} uarg;`, '\tlong ret;', '');
    // `if (cond)` and what a failure does: return, or set ret and free the buffers
    const check = (cond: string, code: string) =>
      onHeap
        ? [`\tif (${cond}) {`, `\t\tret = ${code};`, '\t\tgoto out;', '\t}']
        : [`\tif (${cond})`, `\t\treturn ${code};`];
    if (reads) {
      lines.push(...check(`copy_from_user(${u}, argp, sizeof(${onHeap ? '*uarg' : 'uarg'}))`, '-EFAULT'));
      lines.push(
        `\tret = ${pfx}_from_compat_${twin.ident}(${k}, ${u});`,
        '\tif (ret)',
        onHeap ? '\t\tgoto out;' : '\t\treturn ret;',
      );
    } else if (!onHeap) lines.push('\tmemset(&karg, 0, sizeof(karg));');
    lines.push(`\tret = ${this.opts.driver}_ioctl_kernel(file, ${e.name}, ${k});`);
    if (writes) {
      lines.push('\tif (ret < 0)', onHeap ? '\t\tgoto out;' : '\t\treturn ret;');
      // a value the compat task cannot hold: -EOVERFLOW (the driver's answer is lost, as the kernel's compat code does)
      lines.push(...check(`${pfx}_to_compat_${twin.ident}(${u}, ${k})`, '-EOVERFLOW'));
      lines.push(...check(`copy_to_user(argp, ${u}, sizeof(${onHeap ? '*uarg' : 'uarg'}))`, '-EFAULT'));
    }
    if (onHeap) lines.push('out:', '\tkfree(karg);', '\tkfree(uarg);');
    lines.push('\treturn ret;', '}');
    return `${lines.join('\n')}\n`;
  }
}

/**
 * Where a pointer-free type's scalars lie, as text (`0:2 2:1*14`: offset, size, and count for an
 * array), members of unions all listed, empty ones left out; null where it holds a pointer.
 */
function scalarBytes(t: CType, layouter: Layouter, base = 0, out: string[] = []): string | null {
  const x = strip(t);
  if (x.kind === 'pointer') return null;
  if (x.kind === 'array') {
    const e = strip(x.of);
    if (!x.length) return out.join(' ');
    if (e.kind === 'int' || e.kind === 'enum' || e.kind === 'float') {
      out.push(`${base}:${layouter.typeLayout(x.of).size}*${x.length}`);
      return out.join(' ');
    }
    const size = layouter.typeLayout(x.of).size;
    for (let i = 0; i < x.length; i++) if (scalarBytes(x.of, layouter, base + i * size, out) === null) return null;
    return out.join(' ');
  }
  if (x.kind === 'record') {
    const l = layouter.layout(x.decl);
    const list = x.decl.union ? [...l.members].sort((p, q) => (recordOrder(p) < recordOrder(q) ? -1 : 1)) : l.members;
    for (const m of list) {
      if (m.member.bitWidth !== undefined) {
        if (m.member.name !== undefined) out.push(`${base * 8 + m.bitOffset}b${m.bits}`);
        continue;
      }
      if (scalarBytes(m.member.type, layouter, base + m.offset, out) === null) return null;
    }
    return out.join(' ');
  }
  out.push(`${base}:${layouter.typeLayout(t).size}`);
  return out.join(' ');
}

/** Whether a type is an integer or an array of them (through typedefs). */
function integers(t: CType): boolean {
  const x = strip(t);
  return x.kind === 'array' ? integers(x.of) : x.kind === 'int' || x.kind === 'enum';
}

/** A union's members in an order that does not depend on their names or declaration order. */
function recordOrder(m: MemberLayout): string {
  return `${m.bitOffset}`.padStart(12, '0') + `${m.bits}`.padStart(12, '0');
}

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}

/** A `T _Complex` type (a typedef of T[2] for its layout), through any typedefs of it. */
function isComplex(t: CType): boolean {
  for (let x: CType = t; x.kind === 'typedef'; x = x.decl.type) if (x.decl.complex) return true;
  return false;
}
