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
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Abi } from '../abi/types.js';
import { kernelSourceTree } from '../cfront/kernel-tree.js';
import type { CValue } from '../cfront/constants.js';
import { Parser } from '../cfront/parser.js';
import type { RecordDecl } from '../cfront/types.js';
import { FileCache, Preprocessor, type Macro } from '../cfront/preprocess.js';
import { CFrontError, Token } from '../cfront/token.js';
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

/**
 * The top Makefile's CC_FLAGS_USING (linux 6.1, `ifdef CONFIG_FUNCTION_TRACER`): -D flags every
 * unit gets when the configuration options are set (arch/x86/include/asm/ftrace.h stops with
 * `#error Compiler does not support fentry?` without CC_USING_FENTRY).
 */
const CONFIG_DEFINES: ReadonlyArray<{ when: readonly string[]; define: string }> = [
  { when: ['CONFIG_FUNCTION_TRACER', 'CONFIG_HAVE_FENTRY'], define: 'CC_USING_FENTRY' },
  { when: ['CONFIG_FUNCTION_TRACER', 'CONFIG_FTRACE_MCOUNT_USE_OBJTOOL'], define: 'CC_USING_NOP_MCOUNT' },
];

/** A configured build tree: where kernel C units find their headers and configuration. */
export interface KernelBuild {
  /** The build tree (include/generated/autoconf.h) and the source tree its Makefile names. */
  build: string;
  source: string;
  /**
   * The tree the catalogue reads the UAPI headers from, as headers_install installs them: the audited tree when it
   * is a whole source tree (its own headers, the ones its units read: an ioctl the build tree's source lacks is
   * there), else the build tree.
   */
  uapiTree: string;
  /** In LINUXINCLUDE's order, those that exist. */
  includeDirs: string[];
  /** The UAPI directories among them: their files are the headers ioctl32's catalogue reads. */
  uapiDirs: string[];
  abi: Abi;
  /** -D flags of the configuration (CONFIG_DEFINES). */
  defines: Array<[string, string]>;
  /** Files read in place of the tree's (autoconf.h from --config). */
  overlay: ReadonlyMap<string, string>;
  /** Whether the configuration sets an option, =y or =m (CONFIG_X or CONFIG_X_MODULE defined). */
  isSet: (option: string) => boolean;
}

/**
 * The build tree for kernel C units: a configured tree (include/generated/autoconf.h) whose
 * include/ and arch/ARCH/include (its own or its source tree's) exist. Else a UsageError saying what lacks.
 */
export function kernelBuild(tree: string, abi: Abi, sources?: string, config?: string): KernelBuild {
  const build = resolve(tree);
  if (!existsSync(build)) throw new UsageError(`build tree ${tree}: no such directory`);
  // the audited tree's own headers where it has them, as an `O=` build reads them: a Debian build
  // tree's -common holds the headers but not what they reach by relative path (define_trace.h's
  // TRACE_INCLUDE_PATH ../../arch/x86/kvm, relative to include/trace)
  const source = sources !== undefined && isSourceTree(sources, abi) ? resolve(sources) : kernelSourceTree(build);
  const autoconf = join(build, 'include/generated/autoconf.h');
  const overlay = new Map<string, string>();
  if (config !== undefined) overlay.set(autoconf, autoconfOf(config));
  if (!existsSync(autoconf) && config === undefined) {
    throw new UsageError(
      `build tree ${tree}: no include/generated/autoconf.h (not a configured kernel tree: run make ` +
        `olddefconfig && make prepare there, or name Debian's /usr/src/linux-headers-VERSION-ARCH)`,
    );
  }
  if (!hasKernelHeaders(source, abi)) {
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
  const text = overlay.get(autoconf) ?? readFileSync(autoconf, 'latin1');
  const set = new Set([...text.matchAll(/^#define (CONFIG_\w+) 1$/gm)].map((m) => m[1]!));
  const defines = CONFIG_DEFINES.filter((c) => c.when.every((w) => set.has(w))).map((c): [string, string] => [
    c.define,
    '1',
  ]);
  const isSet = (option: string) => set.has(option) || set.has(`${option}_MODULE`);
  const uapiTree = sources !== undefined && source === resolve(sources) ? source : build;
  return { build, source, uapiTree, includeDirs, uapiDirs, abi, defines, overlay, isSet };
}

/**
 * include/generated/autoconf.h as kconfig writes it from a .config (scripts/kconfig/confdata.c,
 * print_symbol_for_c): `=y` defines CONFIG_X 1, `=m` CONFIG_X_MODULE 1, strings and numbers their
 * value; `# CONFIG_X is not set` nothing. A hex symbol written without 0x in the .config ("0") keeps
 * its decimal spelling (kconfig, knowing the type, writes 0x0: the same number). A UsageError for a
 * line it cannot read.
 */
export function autoconfOf(configPath: string): string {
  let text: string;
  try {
    text = readFileSync(configPath, 'latin1');
  } catch (e) {
    // node's message without its code and call: "no such file or directory"
    const why = (e as Error).message.replace(/^E[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    throw new UsageError(`--config ${configPath}: ${why}`);
  }
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (!m) throw new UsageError(`${configPath}:${i + 1}:1: not a .config line: '${line.slice(0, 60)}'`);
    const [, name, value] = m as unknown as [string, string, string];
    if (value === 'y') out.push(`#define ${name} 1`);
    else if (value === 'm') out.push(`#define ${name}_MODULE 1`);
    else if (value === 'n') return;
    else if (/^"(?:[^"\\]|\\.)*"$/.test(value) || /^-?\d+$/.test(value)) out.push(`#define ${name} ${value}`);
    else if (/^(0x)?[0-9a-fA-F]+$/.test(value))
      out.push(`#define ${name} ${value.startsWith('0x') ? '' : '0x'}${value}`);
    else throw new UsageError(`${configPath}:${i + 1}:${name.length + 2}: not a kconfig value: '${value}'`);
  });
  return `${out.join('\n')}\n`;
}

function hasKernelHeaders(tree: string, abi: Abi): boolean {
  return existsSync(join(tree, 'include/linux')) && existsSync(join(tree, `arch/${abi.kernelArch}/include`));
}

/** A whole source tree (its top Makefile and headers), not a few files of one: its headers can serve a unit. */
function isSourceTree(tree: string, abi: Abi): boolean {
  return (
    existsSync(join(tree, 'Makefile')) &&
    existsSync(join(tree, 'include/linux/kernel.h')) &&
    existsSync(join(tree, `arch/${abi.kernelArch}/include/asm`))
  );
}

/**
 * Most tokens one on-demand expansion (a label, a declaration, a macro call) may place: real
 * kernel code expands to millions (nested min()/max(), tracepoints); past this the one thing
 * asked becomes unknown, not the whole file.
 */
export const EXPANSION_LIMIT = 200_000;

/** One .c file with its directives processed and its text kept unexpanded, for the native ABI. */
export interface KernelUnit {
  /** The file's path (resolved). */
  path: string;
  /**
   * The configured token stream, unexpanded: the forced includes', then the file's (with what it
   * includes). Macros defined, includes followed, #if resolved; text as written.
   */
  tokens: Token[];
  /** Declarations parsed on demand that failed, and the first message (for --verbose). */
  skipped: number;
  firstSkip: string | null;
  macros: (name: string) => Macro | undefined;
  /** Macro-expands tokens of the unit, bounded (EXPANSION_LIMIT): a CFrontError past it. */
  expand(tokens: Token[]): Token[];
  /**
   * A constant expression of the unit's unexpanded tokens as the native compiler computes it:
   * expanded, and the declarations it needs (records it sizes, typedefs, enumerators) parsed.
   */
  evaluate(tokens: Token[]): CValue;
  /** A complete record the unit declares (`struct TAG`), parsed on demand. */
  record(key: string): RecordDecl | undefined;
}

/**
 * What readKernelUnit keeps between units of one build tree (and between audits of its compat ABIs): each
 * header is tokenized, and its directives run, once.
 */
export interface UnitCache {
  files: FileCache;
  memos: IncludeMemos;
  /** Units read, by path and tree: a unit is the native ABI's, the same for every compat ABI audited. */
  units: Map<string, KernelUnit | CFrontError>;
}

export function unitCache(overlay?: ReadonlyMap<string, string>): UnitCache {
  return { files: new FileCache(overlay), memos: new Map(), units: new Map() };
}

/**
 * The -I directories a unit's kbuild Makefile adds (`ccflags-y += -I$(srctree)/drivers/usb/gadget/`
 * in its directory's Makefile or Kbuild, `subdir-ccflags-y` in those above it up to `tree`), after
 * LINUXINCLUDE as scripts/Makefile.lib's c_flags order them. Only literal $(srctree) and $(src) paths.
 */
export function makefileIncludeDirs(path: string, tree: string): string[] {
  const out: string[] = [];
  const root = resolve(tree);
  let dir = dirname(resolve(path));
  for (let own = true; dir === root || dir.startsWith(`${root}/`); own = false) {
    for (const name of ['Makefile', 'Kbuild']) {
      const file = join(dir, name);
      if (!existsSync(file)) continue;
      const text = readFileSync(file, 'latin1').replace(/\\\n/g, ' ');
      const re = own ? /^\s*(?:subdir-)?ccflags-y\s*[:+]?=(.*)$/gm : /^\s*subdir-ccflags-y\s*[:+]?=(.*)$/gm;
      for (const m of text.matchAll(re)) {
        for (const i of m[1]!.matchAll(/-I\s*\$\((srctree|src)\)\/?(\S*)/g)) {
          const d = i[1] === 'srctree' ? join(root, i[2]!) : join(dir, i[2]!);
          if (existsSync(d) && !out.includes(d)) out.push(d);
        }
      }
    }
    if (dir === root) break;
    dir = dirname(dir);
  }
  return out;
}

/**
 * Reads a .c file as kbuild would compile it for `kb.abi` (`tree`: the source tree its Makefiles'
 * $(srctree) names). Throws a located CFrontError when its directives fail.
 */
export function readKernelUnit(
  path: string,
  kb: KernelBuild,
  cache: UnitCache = unitCache(),
  tree?: string,
): KernelUnit {
  const key = `${resolve(path)}\0${tree ?? ''}\0${kb.build}\0${kb.source}`;
  const known = cache.units.get(key);
  if (known !== undefined) {
    // the most recently used last: the first ones are evicted
    cache.units.delete(key);
    cache.units.set(key, known);
    if (known instanceof CFrontError) throw known;
    return known;
  }
  let unit: KernelUnit | CFrontError;
  try {
    unit = readUnit(path, kb, cache, tree);
  } catch (e) {
    if (!(e instanceof CFrontError)) throw e;
    unit = e;
  }
  cache.units.set(key, unit);
  if (cache.units.size > UNITS_KEPT) cache.units.delete(cache.units.keys().next().value!);
  if (unit instanceof CFrontError) throw unit;
  return unit;
}

/** Units a UnitCache keeps (15-20 MB each, their headers' tokens): an audit part's, for the next compat ABI. */
const UNITS_KEPT = 48;

function readUnit(path: string, kb: KernelBuild, cache: UnitCache, tree: string | undefined): KernelUnit {
  const pp = new Preprocessor({
    abi: kb.abi,
    includeDirs: tree ? [...kb.includeDirs, ...makefileIncludeDirs(path, tree)] : kb.includeDirs,
    defines: [...KBUILD_DEFINES, ...kb.defines],
    files: cache.files,
    memos: cache.memos,
    keepText: true,
  });
  const forced = pp.preprocessSource(FORCED_INCLUDES.map((f) => `#include <${f}>`).join('\n'), '<kbuild -include>');
  const own = pp.preprocessFile(resolve(path));
  const tokens = forced.concat(own);
  const decls = new Declarations(tokens, kb.abi, (t) => pp.expand(t, undefined, EXPANSION_LIMIT));
  return {
    path: resolve(path),
    tokens,
    get skipped() {
      return decls.failed;
    },
    get firstSkip() {
      return decls.firstFailure;
    },
    macros: (name) => pp.macros.get(name),
    expand: (t) => pp.expand(t, undefined, EXPANSION_LIMIT),
    evaluate: (t) => decls.evaluate(t),
    record: (key) => decls.record(key),
  };
}

/** Names an expression or declaration may need declared first, from the parser's messages. */
const MISSING: ReadonlyArray<[RegExp, (m: RegExpExecArray) => Need]> = [
  [/unknown type name '([A-Za-z_]\w*)'/, (m) => ({ kind: 'name', name: m[1]! })],
  [/'([A-Za-z_]\w*)' undeclared/, (m) => ({ kind: 'name', name: m[1]! })],
  [/incomplete type '((?:struct|union|enum) [A-Za-z_]\w*)'/, (m) => ({ kind: 'tag', name: m[1]! })],
];

type Need = { kind: 'name' | 'tag'; name: string };

const TAG_WORDS = new Set(['struct', 'union', 'enum']);

/** Words a declarator's name is not. */
const KEYWORDS = new Set([
  'void',
  'char',
  'short',
  'int',
  'long',
  'float',
  'double',
  'signed',
  'unsigned',
  '_Bool',
  'const',
  'volatile',
  'struct',
  'union',
  'enum',
  'typedef',
  'static',
  'extern',
  'inline',
  'restrict',
]);

/**
 * The unit's top-level declarations, indexed by what they declare (tags, typedef names,
 * enumerators) and parsed on demand: expanded one at a time (bounded), after those they use.
 * The expansion uses the macros as they stand at the end of the unit, which for the kernel's
 * type declarations is as they stood there.
 */
class Declarations {
  private readonly ranges: Array<[number, number]>;
  /** 0 not parsed, 1 being parsed, 2 parsed, 3 failed. */
  private readonly state: Uint8Array;
  /** The #pragma pack value in force at each declaration (undefined: none). */
  private readonly pack: Array<number | undefined>;
  private readonly tags = new Map<string, number[]>();
  /** Typedef names and enumerators: what a declaration must see declared to parse. */
  private readonly names = new Map<string, number[]>();
  /** Objects (`extern unsigned int __invalid_size_argument_for_IOC;`): parsed when an expression names one. */
  private readonly objects = new Map<string, number[]>();
  private readonly attempts: Uint8Array;
  private readonly parser: Parser;
  failed = 0;
  firstFailure: string | null = null;

  constructor(
    private readonly tokens: readonly Token[],
    abi: Abi,
    private readonly expand: (t: Token[]) => Token[],
  ) {
    this.parser = new Parser(abi, new Layouter(abi));
    this.ranges = topLevelDeclarations(tokens);
    this.state = new Uint8Array(this.ranges.length);
    this.attempts = new Uint8Array(this.ranges.length);
    this.pack = [];
    const stack: Array<number | undefined> = [];
    let pack: number | undefined;
    this.ranges.forEach(([from, to], d) => {
      let start = from;
      while (start < to && tokens[start]!.kind === 'pragma') pack = packAfter(tokens[start++]!.text, pack, stack);
      this.pack.push(pack);
      if (tokens[to - 1]?.text === '}' && isFunctionBody(tokens, start, to)) return;
      this.index(start, to, d);
      for (let i = start; i < to; i++) if (tokens[i]!.kind === 'pragma') pack = packAfter(tokens[i]!.text, pack, stack);
    });
  }

  private add(map: Map<string, number[]>, key: string, d: number): void {
    const list = map.get(key);
    if (!list) map.set(key, [d]);
    else if (list[list.length - 1] !== d) list.push(d);
  }

  /** What the declaration in [from, to) declares: tags defined, typedef names, enumerators. */
  private index(from: number, to: number, d: number): void {
    const t = this.tokens;
    let typedef = false;
    let depth = 0;
    for (let i = from; i < to; i++) {
      const x = t[i]!.text;
      if (x === '{') depth++;
      else if (x === '}') depth--;
      else if (x === 'typedef' && depth === 0) typedef = true;
      else if (TAG_WORDS.has(x)) {
        const tag = t[i + 1];
        const brace = tag?.kind === 'ident' ? t[i + 2] : tag;
        if (brace?.text !== '{') continue;
        if (tag!.kind === 'ident') this.add(this.tags, `${x} ${tag!.text}`, d);
        if (x === 'enum') {
          const close = matchingClose(t, brace === tag ? i + 1 : i + 2, to);
          let item = true;
          for (let j = (brace === tag ? i + 1 : i + 2) + 1, dd = 0; j < close; j++) {
            const y = t[j]!;
            if (y.text === '(' || y.text === '{' || y.text === '[') dd++;
            else if (y.text === ')' || y.text === '}' || y.text === ']') dd--;
            else if (y.text === ',' && dd === 0) item = true;
            else if (item && y.kind === 'ident') {
              this.add(this.names, y.text, d);
              item = false;
            } else item = false;
          }
        }
      }
    }
    // declarator names: per declarator (commas at depth 0), the one after '(' '*' (a function
    // pointer), else the last identifier outside brackets not followed by '(' (an attribute macro)
    const names = typedef ? this.names : this.objects;
    let last: string | null = null;
    let pointer: string | null = null;
    let dd = 0;
    const flush = () => {
      const name = pointer ?? last;
      if (name !== null && !KEYWORDS.has(name)) this.add(names, name, d);
      last = pointer = null;
    };
    for (let i = from; i < to; i++) {
      const y = t[i]!;
      if (y.text === '{' || y.text === '(' || y.text === '[') {
        if (y.text === '(' && dd === 0 && t[i + 1]?.text === '*' && t[i + 2]?.kind === 'ident')
          pointer ??= t[i + 2]!.text;
        dd++;
      } else if (y.text === '}' || y.text === ')' || y.text === ']') dd--;
      else if (dd === 0 && (y.text === ',' || y.text === ';' || y.text === '=')) {
        flush();
        if (y.text === '=') break;
      } else if (dd === 0 && y.kind === 'ident' && t[i + 1]?.text !== '(') last = y.text;
    }
    flush();
  }

  /** Parses declaration `d` (after what it uses); false when it failed or is being parsed. */
  private ensure(d: number): boolean {
    if (this.state[d] !== 0) return this.state[d] === 2;
    this.state[d] = 1;
    const [from, to] = this.ranges[d]!;
    try {
      const raw = this.tokens.slice(from, to).filter((x) => x.kind !== 'pragma');
      const tokens = this.expand(raw);
      this.need(tokens);
      const pack = this.pack[d];
      const at = tokens[0] ?? raw[0]!;
      const pragma = (text: string) => new Token('pragma', text, at.file, at.line, at.col, false, true);
      this.parser.parse(pack === undefined ? tokens : [pragma(`pack(${pack})`), ...tokens, pragma('pack()')]);
      this.state[d] = 2;
      return true;
    } catch (e) {
      if (!(e instanceof Ioctl32Error)) throw e;
      // a name missing while what declares it was being parsed (a cycle): asked again later
      if (missing(e.message) !== null && ++this.attempts[d]! < 3) {
        this.state[d] = 0;
        return false;
      }
      this.state[d] = 3;
      this.failed++;
      this.firstFailure ??= e.message;
      return false;
    }
  }

  /** Parses the declarations of what expanded tokens use: typedef names, enumerators, records used by value. */
  private need(tokens: readonly Token[]): void {
    const unit = this.parser.unit;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind !== 'ident') continue;
      if (TAG_WORDS.has(t.text) && tokens[i + 1]?.kind === 'ident') {
        const key = `${t.text} ${tokens[i + 1]!.text}`;
        let j = i + 2;
        while (tokens[j]?.text === '__attribute__') j = matchingClose(tokens, j + 1, tokens.length) + 1;
        const after = tokens[j]?.text;
        i++;
        // a pointer needs no layout; `{` is the definition itself
        if (after === '*' || after === '{') continue;
        if (!(t.text === 'enum' ? unit.enums : unit.records).has(key)) this.resolve({ kind: 'tag', name: key });
      } else if (this.names.has(t.text) && !unit.typedefs.has(t.text) && !unit.enumConstants.has(t.text)) {
        this.resolve({ kind: 'name', name: t.text });
      }
    }
  }

  /** Parses a declaration of `need`; whether one succeeded. */
  private resolve(need: Need): boolean {
    const list =
      need.kind === 'tag'
        ? (this.tags.get(need.name) ?? [])
        : [...(this.names.get(need.name) ?? []), ...(this.objects.get(need.name) ?? [])];
    let ok = false;
    for (const d of list) if (this.ensure(d)) ok = true;
    return ok;
  }

  evaluate(raw: Token[]): CValue {
    const tokens = this.expand(raw);
    this.need(tokens);
    // what need() did not foresee (a tag behind a typedef, say): the parser's message names it
    for (let tries = 0; ; tries++) {
      try {
        return this.parser.evaluate(tokens);
      } catch (e) {
        if (!(e instanceof Ioctl32Error) || tries >= 20) throw e;
        const need = missing(e.message);
        if (!need || !this.resolve(need)) throw e;
      }
    }
  }

  record(key: string): RecordDecl | undefined {
    if (!this.parser.unit.records.has(key)) this.resolve({ kind: 'tag', name: key });
    return this.parser.unit.records.get(key);
  }
}

function missing(message: string): Need | null {
  for (const [re, need] of MISSING) {
    const m = re.exec(message);
    if (m) return need(m);
  }
  return null;
}

/** The #pragma pack value after `#pragma TEXT` (the parser's pragma token text: `pack(...)`). */
function packAfter(text: string, pack: number | undefined, stack: Array<number | undefined>): number | undefined {
  const args = (/^pack\((.*)\)$/.exec(text)?.[1] ?? '').split(',').map((a) => a.trim());
  const num = args.find((a) => /^\d+$/.test(a));
  const n = num === undefined || num === '0' ? undefined : Number(num);
  if (args[0] === 'push') {
    stack.push(pack);
    return num === undefined ? pack : n;
  }
  if (args[0] === 'pop') return stack.pop();
  return n;
}

function matchingClose(tokens: readonly Token[], open: number, limit: number): number {
  const o = tokens[open]?.text;
  const c = o === '(' ? ')' : o === '[' ? ']' : '}';
  for (let j = open, depth = 0; j < limit; j++) {
    const x = tokens[j]!.text;
    if (x === o) depth++;
    else if (x === c && --depth === 0) return j;
  }
  return limit - 1;
}

/** Whether the declaration ending in `}` is a function definition (its body follows a parameter list). */
function isFunctionBody(tokens: readonly Token[], from: number, to: number): boolean {
  for (let i = from, paren = 0; i < to; i++) {
    const x = tokens[i]!.text;
    if (x === '(') paren++;
    else if (x === ')') paren--;
    else if (x === '{' && paren === 0) return tokens[i - 1]?.text === ')';
  }
  return false;
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
