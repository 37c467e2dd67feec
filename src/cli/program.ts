/**
 * The ioctl32 command line: a thin shell over the library (src/cli/main.cts runs it). A command loads
 * what only it uses when it runs (a cold decode need not load the web server, the audit or codegen).
 */
import { Command, CommanderError } from 'commander';
import { getAbi } from '../abi/index.js';
import { Ioctl32Error, UsageError } from '../errors.js';
import { abisReport, colorFor, formatAbis } from '../report/abis.js';
import { assertHeadersRead, HeaderReadError } from '../scan/failed.js';
import { decodeCommands, formatDecode } from '../report/decode.js';
import { indexHeaderTrees, ioctlNamesFor, slowProgress } from '../scan/names.js';
import { cachedResult, filesSteady, setResultCache } from '../scan/cache.js';
import { uapiHeaders } from '../scan/scan.js';
import { boundHeapGrowth } from '../scan/parallel.js';
import { FileCache } from '../cfront/preprocess.js';
import { ABIS } from '../abi/table.js';
import { parseCmd } from '../ioctl/ioc.js';
import { dump } from '../scan/dump.js';
import { progressLine, type ScanOptions } from '../scan/scan.js';
import { includeConfigFor, type IncludeOptions } from '../cfront/index.js';
import { formatLayouts, layoutReport } from '../report/layout.js';
import { check, needsWork } from '../compat/check.js';
import { loadAnnotations, readAnnotationsFile } from '../compat/annotations.js';
import { formatCheck } from '../report/check.js';
import { compatPairs, noCompatPairs } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import { createRequire } from 'node:module';
import { mkdirSync, readSync, writeFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { join } from 'node:path';
import { defaultKernelTree } from '../cfront/kernel-tree.js';
import { existsSync } from 'node:fs';

interface IncludeCliOptions {
  /** DIR or ABI=DIR, in command-line order. */
  include?: string[];
  sysroot?: string[];
  kernelTree?: string;
}

interface HeaderOptions extends IncludeCliOptions {
  define?: string[];
  undefine?: string[];
}

interface LayoutOptions extends HeaderOptions {
  abi: string;
  svg?: boolean;
  verbose?: boolean;
}

interface CheckCliOptions extends HeaderOptions {
  arch?: string;
  pair?: string;
  format: string;
  annotations?: string;
  lint: boolean;
  verbose?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Where headers come from: -I and --sysroot, each for every ABI (DIR) or one (ABI=DIR), and --kernel-tree. */
function withIncludeOptions(c: Command): Command {
  return c
    .option(
      '-I, --include <dir>',
      'add an include directory (searched first); ABI=DIR: for that ABI (and its flavours) only',
      collect,
    )
    .option(
      '--sysroot <dir>',
      'headers of DIR/include or DIR/usr/include; ABI=DIR: for that ABI (and its flavours) only',
      collect,
    )
    .option('--kernel-tree <dir>', 'UAPI headers from a kernel source or build tree (as headers_install would)');
}

function withHeaderOptions(c: Command): Command {
  return withIncludeOptions(c)
    .option('-D, --define <name[=value]>', 'define a macro', collect)
    .option('-U, --undefine <name>', 'undefine a macro', collect);
}

/** A -I or --sysroot value: `ABI=DIR` names an ABI (one that exists), a plain `DIR` is every ABI's. */
function perAbi(option: string, value: string): { abi?: string; dir: string } {
  const m = /^([\w+]+)=(.*)$/.exec(value);
  if (!m) return { dir: value };
  const [, name, dir] = m as unknown as [string, string, string];
  try {
    getAbi(name);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    throw new UsageError(`${option} ${value}: ${e.message} (a directory of that name: ./${value})`);
  }
  if (!dir) throw new UsageError(`${option} ${value}: no directory after '${name}='`);
  return { abi: name, dir };
}

/** Every ABI that an ABI=DIR names exists (checked before anything runs, whether or not the run reads it). */
function checkPerAbi(o: IncludeCliOptions): void {
  for (const v of o.include ?? []) perAbi('-I', v);
  for (const v of o.sysroot ?? []) perAbi('--sysroot', v);
}

/**
 * One ABI's -I (its own first, then its base ABI's for a flavour — i386=DIR serves i386+t64 too, built with the same
 * libc —, then the plain ones, each in command-line order: the more specific directory wins) and --sysroot (its own,
 * else its base ABI's, else the plain one).
 */
function abiIncludes(abi: Abi, o: IncludeCliOptions): Pick<IncludeOptions, 'includeDirs' | 'sysroot'> {
  const names = [abi.name, ...(abi.flavourOf ? [abi.flavourOf] : []), undefined];
  const includes = (o.include ?? []).map((v) => perAbi('-I', v));
  const includeDirs = names.flatMap((n) => includes.filter((v) => v.abi === n).map((v) => v.dir));
  const sysroots = (o.sysroot ?? []).map((v) => perAbi('--sysroot', v));
  // the last one given wins, as it did before the per-ABI forms
  const sysroot = names.map((n) => sysroots.filter((v) => v.abi === n).pop()).find((v) => v !== undefined);
  return sysroot ? { includeDirs, sysroot: sysroot.dir } : { includeDirs };
}

/** Every include option for one ABI (commands that read the catalogue's names: decode, explain). */
function includeFor(abi: Abi, o: IncludeCliOptions): IncludeOptions {
  return { ...abiIncludes(abi, o), ...(o.kernelTree !== undefined ? { kernelTree: o.kernelTree } : {}) };
}

/**
 * The include options the user gave for any of `abis` (--sysroot, -I, --kernel-tree) made into directories: one
 * that names none is an input error (exit 2), where an ABI's own default headers missing only leave its names out.
 */
function checkGivenIncludes(abis: readonly Abi[], o: IncludeCliOptions): void {
  for (const abi of abis) {
    const inc = includeFor(abi, o);
    if (inc.sysroot !== undefined || inc.kernelTree !== undefined || inc.includeDirs?.length)
      includeConfigFor(abi, inc);
  }
}

/** Scan options for every ABI of a run (without `abi`), and each ABI's own (scanFor: its include options). */
function scanSettings(
  headers: string[],
  o: HeaderOptions,
): { scan: Omit<ScanOptions, 'abi'>; scanFor: (abi: Abi) => Partial<ScanOptions> } {
  checkPerAbi(o);
  const scan: Omit<ScanOptions, 'abi'> = {
    headers,
    defines: (o.define ?? []).map((d) => {
      const eq = d.indexOf('=');
      return eq < 0 ? [d, '1'] : [d.slice(0, eq), d.slice(eq + 1)];
    }),
    undefines: o.undefine ?? [],
  };
  if (o.kernelTree !== undefined) scan.kernelTree = o.kernelTree;
  const scanFor = (abi: Abi): Partial<ScanOptions> => {
    const progress = progressLine(abi.name);
    return { ...abiIncludes(abi, o), ...(progress ? { onProgress: progress } : {}) };
  };
  return { scan, scanFor };
}

function scanOptions(abiName: string, headers: string[], o: HeaderOptions): ScanOptions {
  const abi = getAbi(abiName);
  const { scan, scanFor } = scanSettings(headers, o);
  return { ...scan, ...scanFor(abi), abi };
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function buildProgram(): Command {
  const program = new Command('ioctl32')
    .description('Layouts, command numbers and compat conversions of Linux ioctls for every 32/64-bit ABI')
    .version(packageVersion(), '-V, --version', 'print the version of ioctl32')
    .option('--no-cache', 'neither read nor write the cache of results between runs ($XDG_CACHE_HOME/ioctl32)')
    .exitOverride()
    .showHelpAfterError();
  // results are kept between runs unless --no-cache (src/scan/cache.ts)
  program.hook('preAction', () => setResultCache(program.opts<{ cache: boolean }>().cache));

  program
    .command('abis')
    .description('the facts of every Linux ABI and the compat pairs')
    .option('--json', 'JSON: one object per ABI')
    .action((opts: { json?: boolean }) => {
      print(opts.json ? JSON.stringify(abisReport(), null, 2) : formatAbis());
    });

  withIncludeOptions(
    program
      .command('decode')
      .description('direction, type, nr and size of ioctl numbers, per ABI')
      .argument('<cmd...>', 'command numbers, decimal or 0x-hex')
      .option('--abi <abi>', 'only this ABI (default: every ABI)')
      .option('--json', 'JSON: one object per (number, ABI)'),
  ).action((cmds: string[], opts: IncludeCliOptions & { abi?: string; json?: boolean }) => {
    checkPerAbi(opts);
    const abis = opts.abi !== undefined ? opts.abi.split(',').map(getAbi) : undefined;
    // only the units that may define these numbers, for every ABI (the header index)
    const numbers = cmds.map(parseCmd);
    checkGivenIncludes(abis ?? ABIS, opts);
    const progress = slowProgress('decode');
    progress('indexing the headers');
    indexHeaderTrees(abis ?? ABIS, (abi) => includeFor(abi, opts));
    const files = new FileCache();
    const rows = decodeCommands(numbers, abis, (abi) => {
      progress(`reading ${abi.name}'s headers`);
      // a repeated decode is replayed whole (src/cli/replay.cts): no entry per ABI naming its every file
      return ioctlNamesFor(abi, includeFor(abi, opts), { cmds: numbers, unitsOf: false }, { files, cached: false });
    });
    progress(null);
    print(opts.json ? JSON.stringify(rows, null, 2) : formatDecode(rows));
  });

  withIncludeOptions(
    program
      .command('explain')
      .description(
        'what an ioctl number a compat task passed needs: a kernel log line ("ioctl32(prog:pid): Unknown cmd ' +
          'fd(N) cmd(X){t:\'K\';sz:16} arg(Y) on /dev/kvm" or an older form), QEMU\'s "Unsupported ioctl: cmd=0xX", ' +
          'or a number',
      )
      .argument('[line]', "the line or number; '-' or none (stdin not a terminal): every line on stdin")
      .option('--arch <native>', "the kernel's ABI (default: the host's)")
      .option('--json', 'JSON: an object for one line, an array for lines on stdin'),
  ).action(async (line: string | undefined, opts: IncludeCliOptions & { arch?: string; json?: boolean }) => {
    checkPerAbi(opts);
    const { explainLines, formatExplanation } = await import('../report/explain.js');
    const native = getAbi(opts.arch ?? hostArch());
    checkGivenIncludes([native, ...native.compat.map(getAbi)], opts);
    const fromStdin = line === undefined || line === '-';
    if (line === undefined && isatty(0)) {
      throw new UsageError('explain needs a log line or a number, or lines on stdin (ioctl32 explain - < kern.log)');
    }
    let text = line ?? '';
    if (fromStdin) text = Buffer.from(readStdinBytes()).toString('utf8');
    const progress = slowProgress('explain');
    const { explanations, errors } = filesSteady(() =>
      explainLines(text, { native, includeFor: (abi) => includeFor(abi, opts), progress }),
    );
    progress(null);
    // one line given as the argument: its error is the command's
    const many = fromStdin || explanations.length + errors.length > 1;
    if (!many && errors[0]) throw new UsageError(errors[0].message);
    if (!explanations.length && !errors.length) {
      throw new UsageError(fromStdin ? 'no line to explain on stdin' : 'an empty line: nothing to explain');
    }
    if (opts.json) print(JSON.stringify(many ? explanations : explanations[0], null, 1));
    else if (explanations.length) print(explanations.map(formatExplanation).join('\n\n'));
    for (const e of errors) process.stderr.write(`ioctl32: line ${e.line}: ${e.message}\n`);
    process.exitCode = errors.length ? 2 : 0;
  });

  withHeaderOptions(
    program
      .command('dump')
      .description('every record and ioctl of the headers (default: the whole UAPI set) for one ABI, as JSON')
      .argument('[header...]', 'header paths or include names (linux/kvm.h)')
      .requiredOption('--abi <abi>', 'the ABI'),
  ).action((headers: string[], opts: HeaderOptions & { abi: string }) => {
    const result = dump(scanOptions(opts.abi, headers, opts));
    print(JSON.stringify(result, null, 1));
    // a header named that could not be read: the JSON lists it under `failed` (the contract), and the run fails
    try {
      assertHeadersRead({ [result.abi]: result.failed }, headers, [result.abi]);
    } catch (e) {
      if (!(e instanceof HeaderReadError)) throw e;
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    }
  });

  withHeaderOptions(
    program
      .command('layout')
      .description('pahole-style layouts of records, the ABIs side by side')
      .argument('[header]', 'a header path or include name (default: the whole UAPI set)')
      .argument('[record...]', "records to show: 'struct kvm_dirty_log', kvm_dirty_log, or a typedef name")
      .option('--abi <abis>', 'comma-separated ABIs', 'x86_64,i386,x32')
      .option('--svg', 'one record as a standalone SVG byte diagram, the ABIs side by side (stdout)')
      .option('--verbose', 'list every header that could not be read'),
  ).action(async (header: string | undefined, records: string[], opts: LayoutOptions) => {
    const abis = opts.abi.split(',').map(getAbi);
    if (!abis.length) throw new UsageError('--abi needs at least one ABI');
    if (opts.svg) {
      if (!header || records.length !== 1) throw new UsageError('layout --svg draws one record: HEADER RECORD');
      const { layoutDiagrams, renderSvg } = await import('../report/svg.js');
      const drawn = layoutDiagrams(
        abis.map((a) => scanOptions(a.name, [header], opts)),
        records,
      );
      assertHeadersRead(drawn.failed, [header], drawn.abis);
      if (drawn.missing.length) throw new UsageError(`no such record: ${drawn.missing.join(', ')}`);
      print(renderSvg(drawn.diagrams[0]!));
      return;
    }
    const report = layoutReport(
      abis.map((a) => scanOptions(a.name, header ? [header] : [], opts)),
      records,
    );
    // the header named cannot be read: an input error, not an empty layout
    if (header) assertHeadersRead(report.failed, [header], report.abis);
    // a record named that no ABI has is a usage error (exit 2), after what was found
    const text = formatLayouts(report, { color: colorFor(process.stdout), verbose: opts.verbose === true });
    if (text) print(text);
    if (report.missing.length) throw new UsageError(`no such record: ${report.missing.join(', ')}`);
    // a header that declares no struct or union has nothing to lay out: no silent empty answer
    if (!report.records.length) throw new UsageError(`no struct or union in ${header ?? 'the headers'}`);
  });

  withHeaderOptions(
    program
      .command('check')
      .description('a verdict for every ioctl on every compat pair, and lint findings for the given headers')
      .argument('[header...]', 'header paths or include names (default: the whole UAPI set)')
      .option('--arch <native>', "every compat pair of this native ABI, or of every one: all (default: the host's)")
      .option('--pair <native:compat>', 'one pair, e.g. x86_64:i386')
      .option('--format <format>', 'text, json or sarif', 'text')
      .option(
        '--annotations <file>',
        'JSON sidecar: user pointers, flexible array lengths, union selectors, sigsets, argument types',
      )
      .option('--no-lint', 'skip the lint rules for the given headers')
      .option('--verbose', 'list every header that could not be read'),
  ).action(async (headers: string[], opts: CheckCliOptions) => {
    if (!['text', 'json', 'sarif'].includes(opts.format))
      throw new UsageError(`--format must be text, json or sarif, not '${opts.format}'`);
    const pairs = selectPairs(opts.arch, opts.pair);
    const { scan, scanFor } = scanSettings(headers, opts);
    // the report comes from the cache of results while every file the run read is as it was (--no-cache: never);
    // the annotations file is read here, so its text is part of what was asked
    const annotations = opts.annotations ? readAnnotationsFile(opts.annotations) : null;
    const asked = {
      headers,
      pairs: pairs.map((p) => `${p.native.name}:${p.compat.name}`),
      include: opts.include ?? [],
      sysroot: opts.sysroot ?? [],
      kernelTree: opts.kernelTree ?? null,
      define: opts.define ?? [],
      undefine: opts.undefine ?? [],
      lint: opts.lint,
      annotations,
    };
    const report = cachedResult(
      'check',
      asked,
      () =>
        check({
          pairs,
          scan,
          scanFor,
          lint: opts.lint && headers.length > 0,
          requireHeaders: true,
          ...(opts.annotations ? { annotations: loadAnnotations(opts.annotations) } : {}),
        }),
      uapiHeaders,
    );
    // headers named that define no ioctl: nothing was checked, which is no pass
    if (headers.length && report.pairs.every((p) => p.ioctls.length === 0)) {
      throw new UsageError(
        `no ioctl in ${headers.join(', ')}: nothing to check ` +
          '(an ioctl is a macro that expands to _IO, _IOR, _IOW or _IOWR, or a legacy number ioctl32 knows)',
      );
    }
    if (opts.format === 'json')
      print(
        JSON.stringify(
          { pairs: report.pairs, findings: report.findings, summary: report.summary, failed: report.failed },
          null,
          1,
        ),
      );
    else if (opts.format === 'sarif') {
      const { toSarif } = await import('../report/sarif.js');
      print(JSON.stringify(toSarif(report, packageVersion()), null, 1));
    } else {
      const verbose = opts.verbose === true;
      print(formatCheck(report, { color: colorFor(process.stdout), detail: headers.length > 0, verbose }));
    }
    process.exitCode = needsWork(report) ? 1 : 0;
  });

  program
    .command('audit')
    .description("a kernel tree's drivers read from their C sources: ioctls served wrongly to compat tasks")
    .argument('<kernel-tree>', 'a kernel source tree')
    .argument('[path...]', 'files or directories inside it (default: all of it)')
    .option('--pair <native:compat>', 'the kernel ABI and the compat tasks (default: x86_64:i386)')
    .option('--arch <arch>', "every compat ABI of a native ABI (x86_64: i386, i386+t64, x32), or 'all'")
    .option(
      '--build-tree <dir>',
      "a configured build tree for the sources' includes and autoconf.h (default: the kernel tree when it is " +
        'configured, else the installed /usr/src/linux-headers-* for the ABI)',
    )
    .option('--config <file>', "a .config to read the sources with, in place of the build tree's autoconf.h")
    .option('--format <format>', 'text, json or sarif', 'text')
    .option('--verbose', 'list the ops structures read and the files that could not be')
    .action(async (tree: string, paths: string[], opts: AuditCliOptions) => {
      if (!['text', 'json', 'sarif'].includes(opts.format))
        throw new UsageError(`--format must be text, json or sarif, not '${opts.format}'`);
      const { auditHasErrors, auditPairs, auditReadNothing } = await import('../audit/audit.js');
      const { auditToSarif, formatAudit } = await import('../report/audit.js');
      const chosen = selectPairs(opts.arch, opts.pair ?? (opts.arch ? undefined : 'x86_64:i386'));
      // --arch all: the native ABIs with no build tree are named, not dropped silently
      const builds = new Map<string, string>();
      const pairs = chosen.filter(({ native }) => {
        if (builds.has(native.name)) return true;
        try {
          builds.set(native.name, opts.buildTree ?? auditBuildTree(tree, native));
          return true;
        } catch (e) {
          if (!(e instanceof UsageError) || opts.arch !== 'all') throw e;
          process.stderr.write(`ioctl32 audit: ${native.name} not audited: ${e.message}\n`);
          return false;
        }
      });
      if (pairs.length === 0) throw new UsageError('no native ABI has a build tree: pass --build-tree DIR');
      const onProgress = progressLine('audit');
      const reports = auditPairs(
        {
          tree,
          paths,
          build: (n) => builds.get(n.name)!,
          ...(opts.config !== undefined ? { config: opts.config } : {}),
          ...(onProgress ? { onProgress } : {}),
        },
        pairs,
      );
      const sarif = () => {
        const logs = reports.map((r) => auditToSarif(r, packageVersion()));
        return { ...logs[0]!, runs: logs.flatMap((l) => l.runs) };
      };
      print(
        opts.format === 'json'
          ? JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 1)
          : opts.format === 'sarif'
            ? JSON.stringify(sarif(), null, 1)
            : reports.map((r) => formatAudit(r, { verbose: opts.verbose === true })).join('\n'),
      );
      // nothing read is nothing judged: an input error, not a clean tree
      const nothing = reports.map(auditReadNothing).find((m) => m !== null);
      if (nothing) process.stderr.write(`ioctl32 audit: ${nothing}\n`);
      process.exitCode = nothing ? 2 : reports.some(auditHasErrors) ? 1 : 0;
    });

  withHeaderOptions(
    program
      .command('convert')
      .description('one argument buffer (stdin) from one ABI layout to another (stdout, binary)')
      .argument('[header...]', 'header paths or include names that define TYPE (default: the whole UAPI set)')
      .requiredOption('--from <abi>', 'the layout of the input')
      .requiredOption('--to <abi>', 'the layout of the output')
      .option('--type <type>', "'struct TAG', 'union TAG', a typedef name or a scalar such as 'unsigned long'")
      .option(
        '--ioctl <name>',
        "an ioctl's argument, as its handler converts it: in from the compat ABI, back from the native one",
      )
      .option(
        '--member <path=name>',
        'the active member of the union at PATH (a bare NAME for an anonymous union)',
        collect,
      )
      .option('--annotations <file>', 'JSON sidecar (flexible array lengths, union selectors)'),
  ).action(
    async (
      headers: string[],
      opts: HeaderOptions & {
        from: string;
        to: string;
        type?: string;
        ioctl?: string;
        member?: string[];
        annotations?: string;
      },
    ) => {
      const { convertArgument, convertIoctlArgument } = await import('../thunk/convert.js');
      const { ErrnoError } = await import('../thunk/errors.js');
      if ((opts.type === undefined) === (opts.ioctl === undefined))
        throw new UsageError('convert takes one of --type TYPE and --ioctl NAME');
      const from = getAbi(opts.from);
      const to = getAbi(opts.to);
      const { members, choose } = unionChoices(opts.member);
      const { scan, scanFor } = scanSettings(headers, opts);
      const input = readStdin();
      const req = {
        from,
        to,
        members,
        choose,
        scan,
        scanFor,
        ...(opts.annotations ? { annotations: loadAnnotations(opts.annotations) } : {}),
      };
      try {
        const out =
          opts.ioctl !== undefined
            ? convertIoctlArgument({ ...req, ioctl: opts.ioctl }, input)
            : convertArgument({ ...req, type: opts.type! }, input);
        if (out === null) {
          const way = to.bits >= from.bits ? 'read' : 'write back';
          process.stderr.write(`ioctl32: the kernel does not ${way} ${opts.ioctl}'s argument: nothing to convert\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(out);
      } catch (e) {
        if (!(e instanceof ErrnoError)) throw e;
        process.stderr.write(`ioctl32: ${e.message}\n`);
        process.exitCode = 1;
      }
    },
  );

  withHeaderOptions(
    program
      .command('gen')
      .description(
        "a driver's .compat_ioctl in kernel C: compat structs with static_asserts of their layout, " +
          'converters, command numbers and the handler',
      )
      .argument('<language>', 'c')
      .argument('<header...>', "the driver's header paths or include names")
      .option(
        '--arch <native>',
        "the kernel's ABI, serving every compat ABI it has but flavours (default: the host's); all: every native ABI",
      )
      .option('--pair <native:compat>', "the kernel's ABI and one compat ABI's tasks (x86_64:i386, x86_64:i386+t64)")
      .option(
        '--member <path=name>',
        'the member to convert of the union at PATH (a bare NAME for an anonymous union)',
        collect,
      )
      .option('--annotations <file>', 'JSON sidecar (user pointers, argument types)')
      .option('--prefix <name>', "prefix of the generated functions (default: the header's name)")
      .option('--out-dir <dir>', 'write DIR/NATIVE.c for each native ABI instead of stdout (needed by --arch all)'),
  ).action(
    async (
      language: string,
      headers: string[],
      opts: HeaderOptions & {
        arch?: string;
        pair?: string;
        member?: string[];
        annotations?: string;
        prefix?: string;
        outDir?: string;
      },
    ) => {
      if (language !== 'c') throw new UsageError(`gen makes C (ioctl32 gen c HEADER...), not '${language}'`);
      const { CodegenError, generateCompatC } = await import('../codegen/c.js');
      // one .compat_ioctl serves every compat ABI of the kernel (i386 and x32 tasks on x86_64): one per native
      const natives = new Map<string, { native: Abi; compat: Abi[] }>();
      // a kernel cannot tell a flavour's tasks from its base's (i386+t64 from i386): one file cannot serve
      // both, so flavours come only when --pair names one
      const pairs = selectPairs(opts.arch, opts.pair).filter((p) => opts.pair || !p.compat.flavourOf);
      for (const p of pairs) {
        const n = natives.get(p.native.name) ?? { native: p.native, compat: [] };
        natives.set(p.native.name, n);
        n.compat.push(p.compat);
      }
      if (natives.size > 1 && opts.outDir === undefined) {
        throw new UsageError('gen c --arch all makes one file per native ABI: give --out-dir DIR (DIR/NATIVE.c)');
      }
      const { members, choose } = unionChoices(opts.member);
      const { scan, scanFor } = scanSettings(headers, opts);
      const annotations = opts.annotations ? { annotations: loadAnnotations(opts.annotations) } : {};
      const made = [...natives.values()].map((pair) => {
        try {
          return generateCompatC({
            pair,
            scan,
            scanFor,
            members,
            choose,
            ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
            ...annotations,
          });
        } catch (e) {
          if (!(e instanceof CodegenError)) throw e;
          throw new UsageError(e.message);
        }
      });
      // headers that define no ioctl: nothing generated is no success
      if (made.some((g) => !g.ioctls.length)) {
        throw new UsageError(
          `no ioctl in ${headers.join(', ')}: nothing to generate ` +
            '(an ioctl is a macro that expands to _IO, _IOR, _IOW or _IOWR, or a legacy number ioctl32 knows)',
        );
      }
      if (opts.outDir !== undefined) makeOutDir(opts.outDir);
      let skippedAny = false;
      const treeless: Abi[] = [];
      [...natives.values()].forEach(({ native }, i) => {
        const g = made[i]!;
        if (opts.outDir === undefined) print(g.source);
        else writeFileSync(join(opts.outDir, `${native.name}.c`), g.source);
        if (g.kernelTree === null) treeless.push(native);
        const on = natives.size > 1 ? ` on ${native.name}` : '';
        for (const x of g.ioctls.filter((y) => y.handling === 'skipped')) {
          skippedAny = true;
          process.stderr.write(`ioctl32: ${x.name} (${x.verdict}) not handled for ${x.abi} tasks${on}: ${x.why}\n`);
        }
      });
      if (treeless.length) {
        const packages = treeless.map((a) => `linux-headers-${a.debianArch}`).join(', ');
        process.stderr.write(
          `ioctl32: no kernel build tree for ${treeless.map((a) => a.name).join(', ')} (install ${packages} or ` +
            "pass --kernel-tree DIR): the native side is read as user space reads it, which the kernel's may differ " +
            'from (the static_asserts say so at build time)\n',
        );
      }
      // an ioctl left out needs a handler written by hand: a CI gate must not pass it
      process.exitCode = skippedAny ? 1 : 0;
    },
  );

  withHeaderOptions(
    program
      .command('serve')
      .description('a local web viewer: ioctls with verdicts, layouts side by side as byte diagrams, gen c')
      .option('--port <n>', 'the port (0: any free one)', '8032')
      .option('--host <host>', 'the address to listen on (default: this machine only)', '127.0.0.1'),
  ).action(async (opts: HeaderOptions & { port: string; host: string }) => {
    // Number('') and Number(' ') are 0 (any free port): only digits name a port
    const port = /^\d+$/.test(opts.port) ? Number(opts.port) : NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port: '${opts.port}'`);
    const { scan, scanFor } = scanSettings([], opts);
    // a --sysroot or -I that names nothing is an input error before the viewer starts (as for decode)
    checkGivenIncludes([getAbi(hostArch())], opts);
    const { serve } = await import('../web/server.js');
    let url: string;
    try {
      ({ url } = await serve({ scan, scanFor, native: getAbi(hostArch()), port, host: opts.host }));
    } catch (e) {
      // a port in use or an address not this machine's: the user picks another (--port, --host)
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: in use (another --port, or 0 for any free one)`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES' || code === 'EAI_AGAIN')
        throw new UsageError(`cannot listen on ${opts.host}:${port}: ${(e as Error).message}`);
      throw e;
    }
    print(`ioctl32 serve: ${url}`);
  });

  return program;
}

/** convert's input: all of stdin, which must be data (not a terminal, not a directory). */
function readStdin(): Uint8Array {
  if (isatty(0)) {
    throw new UsageError('convert reads the argument buffer from stdin: redirect a file into it (< arg.bin)');
  }
  return readStdinBytes('convert reads the argument buffer from a file (< arg.bin)', ARGUMENT_LIMIT);
}

/** More bytes than any argument with its arrays: an endless stdin (< /dev/zero) is refused, not read until memory ends. */
const ARGUMENT_LIMIT = 64 << 20;

/**
 * All of stdin, to its end. A pipe whose writer has not written yet may be non-blocking (another
 * part of the process, or the shell, set O_NONBLOCK): EAGAIN waits a little and reads again, where
 * readFileSync(0) gives up (`journalctl -k | ioctl32 explain`, a slow producer). A directory on stdin says
 * `directoryHint` where one is given. More than `limit` bytes is a usage error.
 */
function readStdinBytes(directoryHint?: string, limit = Infinity): Uint8Array {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(1 << 16);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      if (code === 'EOF') break;
      if (code === 'EISDIR' && directoryHint !== undefined)
        throw new UsageError(`stdin is a directory: ${directoryHint}`);
      if (code !== undefined) throw new UsageError(`cannot read stdin: ${(e as Error).message}`);
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > limit)
      throw new UsageError(
        `stdin holds more than ${limit >> 20} MiB, more than any argument: is it an endless device?`,
      );
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** --member options: PATH=NAME for a named union, a bare NAME for an anonymous one. */
function unionChoices(list: string[] = []): { members: Record<string, string>; choose: string[] } {
  const members: Record<string, string> = {};
  const choose: string[] = [];
  for (const m of list) {
    const eq = m.indexOf('=');
    if (eq < 0) choose.push(m);
    else members[m.slice(0, eq)] = m.slice(eq + 1);
  }
  return { members, choose };
}

function hostArch(): string {
  const map: Record<string, string> = {
    x64: 'x86_64',
    arm64: 'arm64',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
  };
  return map[process.arch] ?? 'x86_64';
}

interface AuditCliOptions {
  config?: string;
  pair?: string;
  arch?: string;
  buildTree?: string;
  format: string;
  verbose?: boolean;
}

/** audit's build tree: the kernel tree when configured, else the installed linux-headers for the ABI. */
function auditBuildTree(tree: string, native: Abi): string {
  // a configured tree serves the architecture it was configured for (its arch/ARCH/include/generated)
  if (
    existsSync(join(tree, 'include/generated/autoconf.h')) &&
    existsSync(join(tree, `arch/${native.kernelArch}/include/generated`))
  )
    return tree;
  const installed = defaultKernelTree(native);
  if (installed === null) {
    throw new UsageError(
      `${tree} is not configured (no include/generated/autoconf.h) and no /usr/src/linux-headers-* serves ` +
        `${native.name}: pass --build-tree DIR`,
    );
  }
  return installed;
}

/** --arch NATIVE: its compat pairs; --arch all: every native ABI's; --pair N:C: that one; none: the host's. */
/** gen c's --out-dir: made if missing; a file of that name is an input error, not a crash. */
function makeOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'not a directory' : (e as Error).message;
    throw new UsageError(`--out-dir ${dir}: ${why}`);
  }
}

function selectPairs(arch: string | undefined, pair: string | undefined): Array<{ native: Abi; compat: Abi }> {
  if (arch !== undefined && pair !== undefined) throw new UsageError('--arch and --pair exclude each other');
  if (arch === 'all') return compatPairs();
  // an empty --pair (a CI variable left unset) names no pair: not the default ones
  if (pair !== undefined) {
    const [n, c, extra] = pair.split(':');
    if (!n || !c || extra !== undefined)
      throw new UsageError(`--pair takes NATIVE:COMPAT, e.g. x86_64:i386 (got '${pair}')`);
    const native = getAbi(n);
    const compat = getAbi(c);
    if (!native.compat.includes(compat.name))
      throw new UsageError(
        `${compat.name} is not a compat ABI of ${native.name} (its compat ABIs: ${native.compat.join(' ') || 'none'})`,
      );
    return [{ native, compat }];
  }
  const native = getAbi(arch ?? hostArch());
  const pairs = compatPairs().filter((p) => p.native.name === native.name);
  if (!pairs.length) throw new UsageError(`${noCompatPairs(native)} (try --arch x86_64)`);
  return pairs;
}

function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  // a run over every ABI's headers holds little and discards much: the heap need not grow to several times that
  boundHeapGrowth();
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    // commands that find work to do (check, layout) set the exit code themselves
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // located errors of a header start their lines, as a compiler's do
    if (e instanceof HeaderReadError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof Ioctl32Error) {
      process.stderr.write(`ioctl32: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
