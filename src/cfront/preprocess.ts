/**
 * The C preprocessor: directives, conditional inclusion, #include through the ABI's include
 * directories, and macro expansion with Prosser's hide sets ("painted blue" tokens).
 * Files are tokenized once and shared by every ABI (FileCache); a Preprocessor is per ABI.
 * Included files and chunks expanded before in the same context are replayed (memo.ts); #if
 * is evaluated by expression.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Abi } from '../abi/types.js';
import { evaluateIf } from './expression.js';
import { isFloatingConstant, isIntegerConstant } from './constants.js';
import { tokenize } from './lexer.js';
import {
  PreprocessMemo,
  SEARCH,
  type ChunkMemos,
  type IncludeMemo,
  type IncludeMemos,
  type MemoHost,
  type Segment,
} from './memo.js';
import { CFrontError, HideSet, Token } from './token.js';

/** A tokenized file and the include guard macro that wraps all of it, if any. */
export interface CachedFile {
  path: string;
  tokens: Token[];
  guard: string | null;
  /**
   * The path its tokens carry: another ABI's copy of the same file (same name under a system
   * include directory, same text) when one was read first.
   */
  canonical: string;
}

/** Paths looked at in a directory before it is listed (FileCache.listed). */
const LOOKS_BEFORE_LISTING = 8;

/**
 * Reads and tokenizes each file once; shared by every ABI's preprocessor. Every ABI's tree
 * (Debian's /usr/TRIPLE/include) holds its own copy of most headers: files with the same name
 * under a system include directory and the same text share one tokenization.
 */
export class FileCache {
  private readonly files = new Map<string, CachedFile | null>();
  private readonly listings = new Map<string, Set<string> | null>();
  /**
   * Include searches already answered, per include directory list (joined by NUL): by start
   * index and name (Preprocessor.search), and by searchKey (Preprocessor.resolveSearch).
   */
  private readonly searches = new Map<string, SearchAnswers>();

  /** Chunk memos (ChunkMemo) for every preprocessor of every ABI that uses this cache. */
  readonly chunkMemos: ChunkMemos = new WeakMap();
  /** Files by name under a system include directory, with their text (another tree's copy may have the same). */
  private readonly shared = new Map<string, Array<{ file: CachedFile; text: string }>>();
  /** System include directories, longest first. */
  private roots: string[] = [];

  constructor(private readonly overlay: ReadonlyMap<string, string> = new Map()) {}

  /** Marks directories as system include directories: their files may share tokens with other trees'. */
  addSystemDirs(dirs: readonly string[]): void {
    const add = dirs.map((d) => resolve(d)).filter((d) => !this.roots.includes(d));
    if (add.length) this.roots = [...this.roots, ...add].sort((a, b) => b.length - a.length);
  }

  /** The configuration whose include memos are kept (includeMemosFor), and they. */
  private memoKey: string | null = null;
  private memos: IncludeMemos = new Map<string, IncludeMemo[]>();

  /**
   * The include memos of a configuration (PreprocessOptions.memos), shared by the scans that agree on it: a base
   * ABI's and its flavours', whose layout facts are one and whose other predefined macros the memos' dependencies
   * tell apart (a header that tests _TIME_BITS is expanded again). Only the last configuration's are kept: a scan of
   * another drops them.
   */
  includeMemosFor(key: string): IncludeMemos {
    if (key !== this.memoKey) {
      this.memoKey = key;
      this.memos = new Map<string, IncludeMemo[]>();
    }
    return this.memos;
  }

  /** The answers to include searches with these include directories (joined by NUL). */
  searchesFor(dirsKey: string): SearchAnswers {
    let a = this.searches.get(dirsKey);
    if (a === undefined) this.searches.set(dirsKey, (a = { byName: new Map(), byKey: new Map() }));
    return a;
  }

  /** A file's name relative to the system include directory holding it (`linux/types.h`). */
  systemName(path: string): string | null {
    for (const root of this.roots) if (path.startsWith(`${root}/`)) return path.slice(root.length + 1);
    return null;
  }

  /** Every system include directory known: messages drop them from paths. */
  get systemDirs(): readonly string[] {
    return this.roots;
  }

  get(path: string): CachedFile | null {
    let f = this.files.get(path);
    if (f !== undefined) return f;
    const overlaid = this.overlay.get(path);
    const text = overlaid ?? (this.listed(path) ? readText(path) : null);
    if (text === null) f = null;
    else {
      const name = overlaid === undefined ? this.systemName(path) : null;
      const copies = name === null ? undefined : this.shared.get(name);
      const same = copies?.find((c) => c.text === text)?.file;
      if (same) f = { path, tokens: same.tokens, guard: same.guard, canonical: same.canonical };
      else {
        const tokens = tokenize(text, path);
        f = { path, tokens, guard: findGuard(tokens), canonical: path };
        if (name !== null) {
          if (copies) copies.push({ file: f, text });
          else this.shared.set(name, [{ file: f, text }]);
        }
      }
    }
    this.files.set(path, f);
    return f;
  }

  /** The path the tokens of a file carry (see CachedFile.canonical). */
  canonical(path: string): string {
    return this.get(path)?.canonical ?? path;
  }

  /**
   * Whether the file's directory lists it. Include searches mostly miss (each name is tried in
   * every include directory): a listing per directory answers them without a failing open. The
   * first few questions of a directory are answered by a look at the path itself: a driver's
   * header asks a directory of a thousand UAPI headers two or three, which reading it all costs
   * more than.
   */
  private listed(path: string): boolean {
    const dir = dirname(path);
    let names = this.listings.get(dir);
    if (names === undefined) {
      const asked = (this.asked.get(dir) ?? 0) + 1;
      if (asked <= LOOKS_BEFORE_LISTING) {
        this.asked.set(dir, asked);
        return existsSync(path);
      }
      try {
        names = new Set(readdirSync(dir));
      } catch {
        names = null;
      }
      this.listings.set(dir, names);
    }
    return names !== null && names.has(basename(path));
  }

  /** Questions asked of a directory not listed yet. */
  private readonly asked = new Map<string, number>();
}

/** Where an include search leads: the file and the index of the include directory it was found through. */
interface Found {
  path: string;
  dirIndex: number;
  /** Its include memos' key (PreprocessOptions.memos): the directory index and path. */
  memoKey?: string;
}

/** Include searches answered for one list of include directories (FileCache.searchesFor). */
interface SearchAnswers {
  /** By start index, NUL, name. */
  byName: Map<string, Found | null>;
  /** By searchKey. */
  byKey: Map<string, Found | null>;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `#ifndef X / #define X ... #endif` around the whole file: the file can be skipped once X is defined. */
function findGuard(tokens: Token[]): string | null {
  const t = (i: number) => tokens[i];
  if (t(0)?.text !== '#' || t(1)?.text !== 'ifndef' || t(2)?.kind !== 'ident') return null;
  if (t(3)?.text !== '#' || !t(3)!.bol || t(4)?.text !== 'define' || t(5)?.text !== t(2)!.text) return null;
  const n = tokens.length;
  if (tokens[n - 1]?.text !== 'endif' || tokens[n - 2]?.text !== '#' || !tokens[n - 2]!.bol) return null;
  // the #endif must close the #ifndef: no other top-level conditional in between
  let depth = 0;
  for (let i = 3; i < n - 2; i++) {
    const tok = tokens[i]!;
    if (tok.text !== '#' || !tok.bol) continue;
    const d = tokens[i + 1]?.text;
    if (d === 'if' || d === 'ifdef' || d === 'ifndef') depth++;
    else if (d === 'endif') {
      if (depth === 0) return null;
      depth--;
    } else if ((d === 'else' || d === 'elif' || d === 'elifdef' || d === 'elifndef') && depth === 0) return null;
  }
  return t(2)!.text;
}

export interface Macro {
  name: string;
  /** null for an object-like macro. */
  params: string[] | null;
  variadic: boolean;
  body: Token[];
  /** The `#define` directive's name token (null for predefined macros). */
  def: Token | null;
  builtin?: '__FILE__' | '__LINE__' | '__COUNTER__' | '__INCLUDE_LEVEL__';
  /** An object-like macro whose body has no `##`: its expansion is its body, copied. */
  plain?: boolean;
  /** Per body token, the index of the parameter it names (-1: none); made at the first expansion. */
  paramAt?: number[];
  /** A variadic macro whose body has `__VA_OPT__` (made at the first expansion). */
  vaOpt?: boolean;
}

export interface PreprocessOptions {
  abi: Abi;
  /** Searched in order for <...>, after the including file's directory for "...". */
  includeDirs: string[];
  /** -D NAME[=VALUE], in order. */
  defines?: Array<[string, string]>;
  /** -U NAME, applied after the defines. */
  undefines?: string[];
  files?: FileCache;
  /**
   * Replayable includes, by file: shared by the translation units of one configuration (ABI,
   * include directories, -D/-U), as a scan's are. Without it every include is expanded.
   */
  memos?: IncludeMemos;
  /**
   * With memos: also replay and keep chunk memos (ChunkMemo) in the FileCache, for the other
   * ABIs that will use it. Recording them costs a single scan a few percent.
   */
  shareChunks?: boolean;
  /**
   * Directives only: macros are defined, includes followed and #if evaluated, but the text is
   * passed on unexpanded (expand() expands a part of it on demand). For readers of whole kernel
   * units, whose function bodies expand to millions of tokens. Memos given must be kept apart
   * from those of expanding preprocessors (the outputs differ).
   */
  keepText?: boolean;
}

export interface Cond {
  /** A branch was taken (so later #elif/#else are skipped). */
  taken: boolean;
  sawElse: boolean;
  tok: Token;
}

export interface Frame {
  tokens: Token[];
  pos: number;
  /**
   * For file frames: the file, its conditional stack, and the position where its next chunk
   * starts once the file it includes there is done (-1: none).
   */
  file: { path: string; dirIndex: number; conds: Cond[]; chunkAt: number } | null;
}

/** Operators GCC reports as defined (`#ifdef __has_include`), evaluated in #if only. */
const OPERATORS = new Set([
  '__has_include',
  '__has_include_next',
  '__has_attribute',
  '__has_builtin',
  '__has_feature',
  '__has_extension',
  '__has_c_attribute',
  '__has_cpp_attribute',
  '__has_warning',
  '__has_declspec_attribute',
]);

/**
 * The builtins the parser evaluates in constant expressions (parser.ts primary): `__has_builtin` is 1 for these, as
 * gcc and clang say, and 0 for the others, which a header's fallback then replaces.
 */
const EVALUATED_BUILTINS = new Set(['__builtin_offsetof', '__builtin_constant_p']);

/** The operators of OPERATORS that #if evaluates as 0 or 1 from their parenthesized argument. */
const HAS_OPERATOR =
  /^__has_(attribute|builtin|feature|extension|c_attribute|cpp_attribute|warning|declspec_attribute)$/;

const MAX_INCLUDE_DEPTH = 200;

/** The predefined macros per (ABI, -D, -U): computed once, copied into each translation unit. */
const INITIAL_MACROS = new Map<string, Map<string, Macro>>();
const MAX_EXPANDED_TOKENS = 1_000_000;

const ATTRIBUTES = new Set([
  'packed',
  '__packed__',
  'aligned',
  '__aligned__',
  'unused',
  '__unused__',
  'deprecated',
  '__deprecated__',
  'may_alias',
  '__may_alias__',
  'noreturn',
  '__noreturn__',
  'const',
  '__const__',
  'pure',
  '__pure__',
  'always_inline',
  '__always_inline__',
  'section',
  'format',
  'nonnull',
  'warn_unused_result',
  'mode',
  '__mode__',
  'counted_by',
  '__counted_by__',
  'designated_init',
  'transparent_union',
  '__transparent_union__',
  'vector_size',
]);

/** Hook for the ioctl catalogue: sees each function-like macro invocation and its raw arguments. */
export type InvocationHook = (name: string, args: Token[][], at: Token) => void;

/**
 * A unit's macros: its own definitions over the ABI's predefined ones, which are shared by
 * every unit and never copied (a scan makes hundreds of units; an ABI predefines ~350 macros).
 */
export class MacroTable {
  private readonly own = new Map<string, Macro>();
  /** Predefined names this unit #undef'd. */
  private readonly hidden = new Set<string>();

  constructor(private readonly base: ReadonlyMap<string, Macro> = new Map()) {}

  get(name: string): Macro | undefined {
    const m = this.own.get(name);
    if (m !== undefined) return m;
    return this.hidden.size !== 0 && this.hidden.has(name) ? undefined : this.base.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, m: Macro): void {
    this.own.set(name, m);
    if (this.hidden.size !== 0) this.hidden.delete(name);
  }

  delete(name: string): void {
    this.own.delete(name);
    if (this.base.has(name)) this.hidden.add(name);
  }

  /** The unit's own definitions (not the predefined ones), in the order they were first made. */
  ownValues(): IterableIterator<Macro> {
    return this.own.values();
  }

  /** Every macro defined now, predefined ones first. */
  *values(): IterableIterator<Macro> {
    for (const [name, m] of this.base) if (!this.own.has(name) && !this.hidden.has(name)) yield m;
    yield* this.own.values();
  }

  *keys(): IterableIterator<string> {
    for (const m of this.values()) yield m.name;
  }

  /** The definitions as a plain map (to become another table's base). */
  toMap(): Map<string, Macro> {
    return new Map([...this.values()].map((m) => [m.name, m]));
  }
}

export class Preprocessor implements MemoHost {
  macros = new MacroTable();
  readonly abi: Abi;
  readonly files: FileCache;
  readonly includeDirs: string[];
  /** -D and -U as given: a helper unit of the same configuration (the catalogue's) starts alike. */
  readonly defines: ReadonlyArray<[string, string]>;
  readonly undefines: readonly string[];
  /** Include searches answered for these include directories, by every preprocessor of the FileCache. */
  private readonly searches: SearchAnswers;
  private frames: Frame[] = [];
  /** `#pragma once` files entered, by canonical path. */
  readonly once = new Set<string>();
  private counter = 0;
  private expanded = 0;
  private hook: InvocationHook | null = null;
  private readonly keepText: boolean;
  /** Most tokens the expansions of the current run (or expand() call) may place. */
  private limit = MAX_EXPANDED_TOKENS;
  /** Included files' stretches of the last run's output, by start (outer first). */
  segments: Segment[] = [];
  /** The last run's output so far. */
  out: Token[] = [];
  /** Inside a macro's argument list (or looking for its '('): file boundaries are not clean there. */
  invoking = 0;
  /** Included files and chunks expanded before in the same context, replayed (PreprocessOptions.memos). */
  private readonly memo: PreprocessMemo;

  constructor(opts: PreprocessOptions) {
    this.abi = opts.abi;
    this.files = opts.files ?? new FileCache();
    this.includeDirs = opts.includeDirs.map((d) => resolve(d));
    this.defines = opts.defines ?? [];
    this.undefines = opts.undefines ?? [];
    this.keepText = opts.keepText ?? false;
    this.searches = this.files.searchesFor(this.includeDirs.join('\0'));
    const key = JSON.stringify([opts.abi.name, opts.defines ?? [], opts.undefines ?? []]);
    this.memo = new PreprocessMemo(this, opts.memos ?? null);
    let initial = INITIAL_MACROS.get(key);
    if (!initial) {
      const predefined: string[] = [];
      for (const [name, value] of Object.entries(opts.abi.predefined)) predefined.push(`#define ${name} ${value}`);
      for (const [name, value] of opts.defines ?? []) predefined.push(`#define ${name} ${value}`);
      for (const name of opts.undefines ?? []) predefined.push(`#undef ${name}`);
      for (const name of ['__FILE__', '__LINE__', '__COUNTER__', '__INCLUDE_LEVEL__'] as const) {
        this.macros.set(name, { name, params: null, variadic: false, body: [], def: null, builtin: name });
      }
      this.run(tokenize(predefined.join('\n'), '<command line>'), {
        path: '<command line>',
        dirIndex: -1,
        conds: [],
        chunkAt: -1,
      });
      for (const m of this.macros.values()) if (m.def?.file === '<command line>') m.def = null;
      initial = this.macros.toMap();
      INITIAL_MACROS.set(key, initial);
    }
    // macros are never mutated once defined (#define replaces the entry): sharing is safe
    this.macros = new MacroTable(initial);
    if (opts.memos && opts.shareChunks) this.memo.shareChunks(this.files.chunkMemos);
  }

  /** Preprocesses a file (a path, or an include name found through the include dirs). */
  preprocessFile(pathOrName: string): Token[] {
    const path = this.findEntry(pathOrName);
    // found by name, the entry is `#include <NAME>` from a unit: #include_next goes on after its directory
    const byName = !(pathOrName.startsWith('/') || pathOrName.startsWith('.'));
    const dirIndex = byName ? (this.search(pathOrName, 0)?.dirIndex ?? -1) : -1;
    const f = this.files.get(path);
    // the message is located at the file itself: `./foo.h: error: file not found`
    if (!f) {
      const why = isDirectory(path) ? 'a directory, not a header file' : 'file not found';
      throw new CFrontError(why, { file: pathOrName, line: 0, column: 0 });
    }
    return this.run(f.tokens, { path, dirIndex, conds: [], chunkAt: -1 });
  }

  /** Preprocesses source text as if it were the file `name` (tests, probes). */
  preprocessSource(text: string, name = '<source>'): Token[] {
    return this.run(tokenize(text, name), { path: name, dirIndex: -1, conds: [], chunkAt: -1 });
  }

  /** Where an include name or path resolves, for the entry file. */
  findEntry(pathOrName: string): string {
    if (pathOrName.startsWith('/') || pathOrName.startsWith('.')) return resolve(pathOrName);
    const found = this.search(pathOrName, 0);
    return found ? found.path : resolve(pathOrName);
  }

  /**
   * Fully macro-expands tokens (an object-like macro's name, say), reporting invocations. With
   * `limit`, this expansion alone may place at most that many tokens (else a CFrontError).
   */
  expand(tokens: Token[], hook?: InvocationHook, limit?: number): Token[] {
    const saved = this.frames;
    const savedHook = this.hook;
    const savedCount = this.expanded;
    const savedLimit = this.limit;
    this.hook = hook ?? null;
    if (limit !== undefined) {
      this.expanded = 0;
      this.limit = limit;
    }
    try {
      return this.memo.unrecorded(() => this.expandList(tokens));
    } finally {
      this.frames = saved;
      this.hook = savedHook;
      if (limit !== undefined) {
        this.expanded = savedCount;
        this.limit = savedLimit;
      }
    }
  }

  private run(tokens: Token[], file: Frame['file']): Token[] {
    this.frames = [{ tokens, pos: 0, file }];
    const out: Token[] = (this.out = []);
    this.segments = [];
    this.memo.reset();
    this.invoking = 0;
    this.memo.startChunk(this.frames[0]!);
    for (let t = this.next(); t; t = this.next()) out.push(t);
    this.segments.sort((a, b) => a.start - b.start || b.end - a.end);
    return out;
  }

  /** A macro by name, noted as consulted by the files being recorded. */
  private lookup(name: string): Macro | undefined {
    const m = this.macros.get(name);
    this.memo.consult(name, m);
    return m;
  }

  // ---- the token stream -------------------------------------------------------------------

  private peekRaw(): Token | null {
    for (;;) {
      const f = this.frames[this.frames.length - 1];
      if (!f) return null;
      if (f.pos < f.tokens.length) return f.tokens[f.pos]!;
      this.popFrame(f);
    }
  }

  private readRaw(): Token | null {
    const t = this.peekRaw();
    if (t) this.frames[this.frames.length - 1]!.pos++;
    return t;
  }

  private popFrame(f: Frame): void {
    const open = f.file?.conds[f.file.conds.length - 1];
    if (open) throw CFrontError.at(open.tok, 'unterminated conditional directive');
    this.frames.pop();
    this.memo.frameEnded(f);
    // back in the includer, just after the #include: its next chunk starts
    const top = this.frames[this.frames.length - 1];
    if (f.file !== null && top?.file && top.file.chunkAt === top.pos) this.memo.startChunk(top);
  }

  /** Most tokens macro expansion placed in one translation unit so far (for tests and tuning). */
  get expandedTokens(): number {
    return this.expanded;
  }

  countExpanded(n: number, at: Token): void {
    this.expanded += n;
    if (this.expanded > this.limit) {
      throw CFrontError.at(at, `macro expansion exceeds ${this.limit} tokens`);
    }
  }

  private push(tokens: Token[]): void {
    this.countExpanded(tokens.length, tokens[0]!);
    if (this.frames.length > 100_000) throw CFrontError.at(tokens[0]!, 'macro expansion nested too deeply');
    this.frames.push({ tokens, pos: 0, file: null });
  }

  /** Rest of the directive line (raw tokens up to the next line start). */
  private line(): Token[] {
    const out: Token[] = [];
    for (let t = this.peekLineToken(); t; t = this.peekLineToken()) out.push(this.readRaw()!);
    return out;
  }

  private peekLineToken(): Token | null {
    const f = this.frames[this.frames.length - 1];
    if (!f || f.pos >= f.tokens.length) return null;
    const t = f.tokens[f.pos]!;
    return t.bol ? null : t;
  }

  /** The next fully expanded token of the output, processing directives on the way. */
  private next(): Token | null {
    for (;;) {
      const t = this.readRaw();
      if (!t) return null;
      if (t.bol && t.text === '#' && t.origin === null) {
        this.directive(t);
        continue;
      }
      if (t.kind === 'invalid')
        throw CFrontError.at(t, `missing terminating ${t.text.includes('"') ? '"' : "'"} character`);
      if (t.kind === 'ident' && !this.keepText && this.expandMacro(t)) continue;
      if (t.text === '_Pragma' && t.kind === 'ident' && !this.keepText) {
        this.pragmaOperator(t);
        continue;
      }
      return t;
    }
  }

  // ---- macro expansion --------------------------------------------------------------------

  /** If `tok` names a macro that may expand here, pushes its expansion and returns true. */
  private expandMacro(tok: Token): boolean {
    const m = this.lookup(tok.text);
    if (!m || tok.hide?.has(m.name)) return false;
    const origin = tok.origin ?? tok;
    if (m.builtin) {
      if (m.builtin === '__COUNTER__' || m.builtin === '__INCLUDE_LEVEL__') this.memo.spoil();
      this.push([this.builtin(m.builtin, tok).copy(tok.hide, tok.space, origin)]);
      return true;
    }
    if (m.params === null) {
      const hide = withName(tok.hide, m.name);
      this.push(this.substitute(m, [], hide, tok, origin));
      return true;
    }
    this.invoking++;
    let paren: Token | null;
    let args: Token[][];
    let rparen: Token;
    try {
      paren = this.peekRaw();
      if (!paren || paren.text !== '(') return false;
      this.readRaw();
      ({ args, rparen } = this.readArgs(m, tok));
    } finally {
      this.invoking--;
    }
    this.hook?.(m.name, args, tok);
    const hide = withName(intersect(tok.hide, rparen.hide), m.name);
    this.push(this.substitute(m, args, hide, tok, origin));
    return true;
  }

  private readArgs(m: Macro, at: Token): { args: Token[][]; rparen: Token } {
    const args: Token[][] = [[]];
    let depth = 0;
    for (;;) {
      const t = this.readRaw();
      if (!t) throw CFrontError.at(at, `unterminated argument list invoking macro '${m.name}'`);
      if (t.bol && t.text === '#' && t.origin === null) {
        this.directive(t);
        continue;
      }
      if (t.text === '(' && t.kind === 'punct') depth++;
      else if (t.text === ')' && t.kind === 'punct') {
        if (depth === 0) {
          const params = m.params!;
          if (args.length === 1 && args[0]!.length === 0 && params.length === 0) args.pop();
          if (args.length < params.length && !(m.variadic && args.length === params.length - 1)) {
            throw CFrontError.at(
              at,
              `macro '${m.name}' requires ${params.length} arguments, but only ${args.length} given`,
            );
          }
          if (args.length > params.length)
            throw CFrontError.at(
              at,
              `macro '${m.name}' passed ${args.length} arguments, but takes just ${params.length}`,
            );
          while (args.length < params.length) args.push([]);
          return { args, rparen: t };
        }
        depth--;
      } else if (
        t.text === ',' &&
        t.kind === 'punct' &&
        depth === 0 &&
        !(m.variadic && args.length === m.params!.length)
      ) {
        args.push([]);
        continue;
      }
      args[args.length - 1]!.push(t);
    }
  }

  /** The body of `m` with arguments substituted, `#` and `##` applied, hide sets added. */
  private substitute(m: Macro, args: Token[][], hide: HideSet, at: Token, origin: Token): Token[] {
    if (m.plain) {
      const body = m.body;
      const out = new Array<Token>(body.length);
      for (let i = 0; i < body.length; i++) {
        const t = body[i]!;
        out[i] = t.copy(union(t.hide, hide), i === 0 ? at.space : t.space, origin);
      }
      return out;
    }
    const params = m.params ?? [];
    // each argument is expanded once, when the body first uses it expanded
    const expandedArgs = new Array<Token[] | undefined>(args.length);
    const expandedArg = (i: number) => (expandedArgs[i] ??= this.expandList(args[i]!));
    let body = m.body;
    let paramAt = (m.paramAt ??= paramIndexes(body, params));
    if (m.variadic && (m.vaOpt ??= body.some((t) => t.kind === 'ident' && t.text === '__VA_OPT__'))) {
      // the variable arguments as they expand: none (a macro that expands to nothing too) drops the content
      body = vaOpt(body, expandedArg(params.length - 1).length === 0);
      paramAt = paramIndexes(body, params);
    }
    const out: Token[] = [];
    const place = (t: Token, space: boolean) => out.push(t.copy(union(t.hide, hide), space, origin));
    for (let i = 0; i < body.length; i++) {
      const t = body[i]!;
      const space = i === 0 ? at.space : t.space;
      if (m.params && t.text === '#' && t.kind === 'punct') {
        const p = i + 1 < body.length ? paramAt[i + 1]! : -1;
        if (p < 0) throw CFrontError.at(t, "'#' is not followed by a macro parameter");
        out.push(stringify(args[p]!, t).copy(hide, space, origin));
        i++;
        continue;
      }
      if (t.text === '##' && t.kind === 'punct' && out.length > 0 && i + 1 < body.length) {
        const rhs = body[i + 1]!;
        const p = paramAt[i + 1]!;
        const rhsTokens = p >= 0 ? args[p]! : [rhs];
        i++;
        const gnuComma = p === params.length - 1 && m.variadic && out[out.length - 1]!.text === ',';
        if (rhsTokens.length === 0) {
          // GNU: `, ## __VA_ARGS__` with no variable arguments drops the comma
          if (gnuComma) out.pop();
          continue;
        }
        if (gnuComma) {
          // ... and with some, it is a plain comma followed by them
          rhsTokens.forEach((r, j) => place(r, j === 0 ? rhs.space : r.space));
          continue;
        }
        const lhs = out.pop()!;
        out.push(paste(lhs, rhsTokens[0]!, t).copy(union(lhs.hide, hide), lhs.space, origin));
        for (const r of rhsTokens.slice(1)) place(r, r.space);
        continue;
      }
      const p = paramAt[i]!;
      if (p >= 0) {
        const raw = body[i + 1]?.text === '##';
        const tokens = raw ? args[p]! : expandedArg(p);
        tokens.forEach((a, j) => place(a, j === 0 ? space : a.space));
        // an empty argument before ## is a placemarker: ## then pastes onto nothing
        if (raw && tokens.length === 0) i++;
        continue;
      }
      place(t, space);
    }
    return out;
  }

  /** Expands a finite list in isolation (macro arguments, #if lines). */
  private expandList(tokens: Token[]): Token[] {
    const saved = this.frames;
    this.frames = [{ tokens, pos: 0, file: null }];
    const out: Token[] = [];
    try {
      for (let t = this.readRaw(); t; t = this.readRaw()) {
        if (t.kind === 'ident' && this.expandMacro(t)) continue;
        out.push(t);
      }
    } finally {
      this.frames = saved;
    }
    return out;
  }

  private builtin(kind: NonNullable<Macro['builtin']>, at: Token): Token {
    const loc = at.origin ?? at;
    const text =
      kind === '__FILE__'
        ? JSON.stringify(loc.file)
        : kind === '__LINE__'
          ? String(loc.line)
          : kind === '__COUNTER__'
            ? String(this.counter++)
            : String(this.frames.filter((f) => f.file).length - 1);
    return new Token(kind === '__FILE__' ? 'string' : 'number', text, loc.file, loc.line, loc.col, false, at.space);
  }

  // ---- directives -------------------------------------------------------------------------

  private currentFile(): NonNullable<Frame['file']> | null {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!.file;
      if (f) return f;
    }
    return null;
  }

  private directive(hash: Token): void {
    const frame = this.frames[this.frames.length - 1]!;
    const hashAt = frame.pos - 1;
    const nameTok = this.peekLineToken();
    if (!nameTok) return; // the null directive
    this.readRaw();
    const name = nameTok.text;
    const file = this.currentFile()!;
    switch (name) {
      case 'define':
        return this.define(this.line(), nameTok);
      case 'undef': {
        const [id, ...extra] = this.line();
        if (!id || id.kind !== 'ident') throw CFrontError.at(nameTok, 'macro name missing after #undef');
        if (extra.length) throw CFrontError.at(extra[0]!, 'extra tokens at end of #undef directive');
        this.memo.write(id.text, undefined);
        return;
      }
      case 'include':
      case 'include_next': {
        // a chunk ends at an #include; the next starts after it (at once, or when the file it
        // includes is done)
        this.memo.chunkEndsAt(frame, hashAt);
        this.include(this.line(), nameTok, name === 'include_next');
        if (frame.file !== null) {
          frame.file.chunkAt = frame.pos;
          if (this.frames[this.frames.length - 1] === frame) this.memo.startChunk(frame);
        }
        return;
      }
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const line = this.line();
        const taken =
          name === 'if' ? this.condition(line, nameTok) : this.defined(line, nameTok) === (name === 'ifdef');
        file.conds.push({ taken, sawElse: false, tok: hash });
        if (!taken) this.skip(file);
        return;
      }
      case 'elif':
      case 'elifdef':
      case 'elifndef':
      case 'else': {
        const c = file.conds[file.conds.length - 1];
        if (!c) throw CFrontError.at(nameTok, `#${name} without #if`);
        if (c.sawElse) throw CFrontError.at(nameTok, `#${name} after #else`);
        this.line();
        // we were in a taken branch: everything up to #endif is skipped
        c.sawElse = name === 'else';
        this.skipRest(file);
        return;
      }
      case 'endif': {
        if (!file.conds.pop()) throw CFrontError.at(nameTok, '#endif without #if');
        this.line();
        return;
      }
      case 'error':
        throw CFrontError.at(nameTok, `#error ${spell(this.line())}`.trimEnd());
      case 'warning':
      case 'line':
      case 'ident':
      case 'sccs':
      case 'assert':
      case 'unassert':
        this.line();
        return;
      case 'pragma':
        return this.pragma(this.line(), nameTok);
      default:
        if (nameTok.kind === 'number') {
          this.line(); // `# 33 "file"` line markers
          return;
        }
        throw CFrontError.at(nameTok, `invalid preprocessing directive #${name}`);
    }
  }

  private define(line: Token[], at: Token): void {
    const id = line[0];
    if (!id || id.kind !== 'ident') throw CFrontError.at(at, 'macro name missing after #define');
    if (id.text === 'defined') throw CFrontError.at(id, '"defined" cannot be used as a macro name');
    let i = 1;
    let params: string[] | null = null;
    let variadic = false;
    if (line[1]?.text === '(' && !line[1].space) {
      params = [];
      i = 2;
      for (;;) {
        const t = line[i++];
        if (!t) throw CFrontError.at(id, `missing ')' in parameter list of macro '${id.text}'`);
        if (t.text === ')' && params.length === 0) break;
        if (t.text === '...') {
          params.push('__VA_ARGS__');
          variadic = true;
        } else if (t.kind === 'ident') {
          params.push(t.text);
          if (line[i]?.text === '...') {
            variadic = true;
            i++;
          }
        } else throw CFrontError.at(t, `invalid token '${t.text}' in parameter list of macro '${id.text}'`);
        const sep = line[i++];
        if (sep?.text === ')') break;
        if (sep?.text !== ',' || variadic)
          throw CFrontError.at(sep ?? t, `expected ',' or ')' in parameter list of macro '${id.text}'`);
      }
    }
    const body = line.slice(i);
    if (body[0]?.text === '##' || (body.length && body[body.length - 1]!.text === '##')) {
      throw CFrontError.at(
        body[0]!.text === '##' ? body[0]! : body[body.length - 1]!,
        "'##' cannot appear at either end of a macro expansion",
      );
    }
    if (params) {
      body.forEach((t, j) => {
        const next = body[j + 1];
        if (t.text === '#' && t.kind === 'punct' && !(next?.kind === 'ident' && params.includes(next.text))) {
          throw CFrontError.at(t, "'#' is not followed by a macro parameter");
        }
      });
    }
    const macro: Macro = { name: id.text, params, variadic, body, def: id };
    if (!params && !body.some((t) => t.text === '##' && t.kind === 'punct')) macro.plain = true;
    this.memo.write(id.text, macro);
  }

  /** `#ifdef X` / `#ifndef X`: whether X is defined. */
  private defined(line: Token[], at: Token): boolean {
    const id = line[0];
    if (!id || id.kind !== 'ident') throw CFrontError.at(at, `macro name missing after #${at.text}`);
    return this.lookup(id.text) !== undefined || OPERATORS.has(id.text);
  }

  /** Skips a group whose condition was false, stopping after the #elif/#else that is taken. */
  private skip(file: NonNullable<Frame['file']>): void {
    const cond = file.conds[file.conds.length - 1]!;
    for (;;) {
      const d = this.skipToDirective();
      if (!d) return; // end of file: popFrame reports the open conditional
      const name = d.text;
      if (name === 'endif') {
        file.conds.pop();
        this.line();
        return;
      }
      if (name === 'else') {
        if (cond.sawElse) throw CFrontError.at(d, '#else after #else');
        cond.sawElse = true;
        this.line();
        cond.taken = true;
        return;
      }
      const line = this.line();
      if (cond.sawElse) throw CFrontError.at(d, `#${name} after #else`);
      const taken = name === 'elif' ? this.condition(line, d) : this.defined(line, d) === (name === 'elifdef');
      if (taken) {
        cond.taken = true;
        return;
      }
    }
  }

  /** After a taken group: skips every remaining group up to and including #endif. */
  private skipRest(file: NonNullable<Frame['file']>): void {
    const cond = file.conds[file.conds.length - 1]!;
    for (;;) {
      const d = this.skipToDirective();
      if (!d) return;
      this.line();
      if (d.text === 'endif') {
        file.conds.pop();
        return;
      }
      if (d.text === 'else') {
        if (cond.sawElse) throw CFrontError.at(d, '#else after #else');
        cond.sawElse = true;
      } else if (cond.sawElse) throw CFrontError.at(d, `#${d.text} after #else`);
    }
  }

  /**
   * Skips raw tokens (nested conditionals included) to the next #elif/#else/#endif of the
   * current level; returns its name token, or null at the end of the file.
   */
  private skipToDirective(): Token | null {
    const f = this.frames[this.frames.length - 1]!;
    const tokens = f.tokens;
    let depth = 0;
    while (f.pos < tokens.length) {
      const t = tokens[f.pos++]!;
      if (!(t.bol && t.text === '#')) continue;
      const d = tokens[f.pos];
      if (!d || d.bol) continue;
      const name = d.text;
      if (name === 'if' || name === 'ifdef' || name === 'ifndef') depth++;
      else if (name === 'endif' || name === 'else' || name === 'elif' || name === 'elifdef' || name === 'elifndef') {
        if (depth === 0) {
          f.pos++;
          return d;
        }
        if (name === 'endif') depth--;
      }
    }
    return null;
  }

  private include(line: Token[], at: Token, next: boolean): void {
    if (!line.length) throw CFrontError.at(at, '#include expects "FILENAME" or <FILENAME>');
    let spec = line;
    if (line[0]!.kind === 'ident') spec = this.expandList(line);
    const first = spec[0];
    let name: string;
    let quoted: boolean;
    if (first?.kind === 'string' && first.text.startsWith('"')) {
      name = first.text.slice(1, -1);
      quoted = true;
    } else if (first?.text === '<') {
      const close = spec.findIndex((t) => t.text === '>');
      if (close < 0) throw CFrontError.at(first, "missing terminating '>' character");
      name = spec
        .slice(1, close)
        .map((t, i) => (i > 0 && t.space ? ' ' : '') + t.text)
        .join('');
      quoted = false;
    } else throw CFrontError.at(first ?? at, '#include expects "FILENAME" or <FILENAME>');
    const found = this.resolveSearch(this.searchKey(name, quoted, next, this.currentFile()));
    if (!found) throw CFrontError.at(first, `'${name}' file not found`);
    const f = this.files.get(found.path)!;
    if (this.memo.enteredOnce(f.canonical) || (f.guard !== null && this.lookup(f.guard) !== undefined)) return;
    let depth = 0;
    for (const x of this.frames) if (x.file !== null) depth++;
    if (depth >= MAX_INCLUDE_DEPTH)
      throw CFrontError.at(first, `#include nested too deeply (${depth} levels): include cycle?`);
    const key = (found.memoKey ??= `${found.dirIndex}\0${f.path}`);
    if (this.memo.replayInclude(key, MAX_INCLUDE_DEPTH - depth, first)) return;
    const frame: Frame = {
      tokens: f.tokens,
      pos: 0,
      file: { path: f.path, dirIndex: found.dirIndex, conds: [], chunkAt: -1 },
    };
    this.frames.push(frame);
    this.memo.enterFile(frame, key);
  }

  /** The first include directory at or after `from` that has `name`. */
  private search(name: string, from: number): Found | null {
    // every unit of a scan asks the same questions: remember the answers per directory list
    const key = `${from}\0${name}`;
    const known = this.searches.byName.get(key);
    if (known !== undefined) return known;
    let found: Found | null = null;
    for (let i = Math.max(0, from); i < this.includeDirs.length; i++) {
      const path = join(this.includeDirs[i]!, name);
      if (this.files.get(path)) {
        found = { path, dirIndex: i };
        break;
      }
    }
    this.searches.byName.set(key, found);
    return found;
  }

  private pragma(line: Token[], at: Token): void {
    const first = line[0]?.text;
    if (first === 'once') {
      this.memo.pragmaOnce(this.files.canonical(this.currentFile()!.path));
      return;
    }
    if (first === 'pack') {
      for (const a of line.slice(1)) {
        // clang expands a macro here, gcc reads the name as a label or an unknown action
        if (a.kind === 'ident' && a.text !== 'push' && a.text !== 'pop' && this.lookup(a.text) !== undefined)
          throw CFrontError.at(a, `macro '${a.text}' in #pragma pack: clang expands it, gcc does not`);
        // gcc and clang reject what is no number (2x), and ignore the pragma for a floating one (2.)
        if (a.kind === 'number' && !isIntegerConstant(a.text) && !isFloatingConstant(a.text))
          throw CFrontError.at(a, `invalid constant '${a.text}' in #pragma pack`);
      }
      // handed to the parser, which applies it to the records that follow
      this.push([new Token('pragma', `pack${spell(line.slice(1))}`, at.file, at.line, at.col, false, true)]);
    }
    // other pragmas (GCC system_header, diagnostic ...) do not change layouts
  }

  private pragmaOperator(at: Token): void {
    const open = this.readRaw();
    const str = this.readRaw();
    const close = this.readRaw();
    if (open?.text !== '(' || str?.kind !== 'string' || close?.text !== ')')
      throw CFrontError.at(at, '_Pragma takes a parenthesized string literal');
    const body = str.text.slice(1, -1).replace(/\\(["\\])/g, '$1');
    this.pragma(tokenize(body, at.file), at);
  }

  // ---- #if expressions --------------------------------------------------------------------

  private condition(line: Token[], at: Token): boolean {
    if (!line.length) throw CFrontError.at(at, `#${at.text} with no expression`);
    const resolved = this.expandList(this.replaceDefined(line));
    const tokens = this.replaceDefined(resolved).map((t) =>
      t.kind === 'ident'
        ? new Token('number', t.text === 'true' ? '1' : '0', t.file, t.line, t.col, false, t.space)
        : t,
    );
    // the one thing of the ABI an #if can see: whether char is signed
    if (tokens.some((t) => t.kind === 'char')) this.memo.consultCharSigned();
    return evaluateIf(tokens, this.abi, at).v !== 0n;
  }

  /** `defined X`, `defined(X)`, `__has_include(...)` and friends become 0 or 1. */
  private replaceDefined(line: Token[]): Token[] {
    const out: Token[] = [];
    for (let i = 0; i < line.length; i++) {
      const t = line[i]!;
      const num = (v: boolean) => out.push(new Token('number', v ? '1' : '0', t.file, t.line, t.col, false, t.space));
      if (t.kind !== 'ident') {
        out.push(t);
        continue;
      }
      if (t.text === 'defined') {
        const paren = line[i + 1]?.text === '(';
        const id = line[i + (paren ? 2 : 1)];
        if (!id || id.kind !== 'ident') throw CFrontError.at(t, "macro name missing after 'defined'");
        if (paren && line[i + 3]?.text !== ')') throw CFrontError.at(id, "missing ')' after 'defined'");
        num(this.lookup(id.text) !== undefined || OPERATORS.has(id.text));
        i += paren ? 3 : 1;
        continue;
      }
      if (t.text === '__has_include' || t.text === '__has_include_next') {
        const close = line.findIndex((x, j) => j > i && x.text === ')');
        if (line[i + 1]?.text !== '(' || close < 0) throw CFrontError.at(t, `missing '(' after '${t.text}'`);
        num(this.hasInclude(line.slice(i + 2, close), t, t.text === '__has_include_next'));
        i = close;
        continue;
      }
      if (t.text.startsWith('__has_') && HAS_OPERATOR.test(t.text)) {
        let close = i + 1;
        let depth = 0;
        for (; close < line.length; close++) {
          if (line[close]!.text === '(') depth++;
          else if (line[close]!.text === ')' && --depth === 0) break;
        }
        if (line[i + 1]?.text !== '(' || close >= line.length) throw CFrontError.at(t, `missing '(' after '${t.text}'`);
        const arg = line
          .slice(i + 2, close)
          .map((x) => x.text)
          .join('');
        num(
          (t.text === '__has_attribute' && ATTRIBUTES.has(arg)) ||
            (t.text === '__has_builtin' && EVALUATED_BUILTINS.has(arg)),
        );
        i = close;
        continue;
      }
      out.push(t);
    }
    return out;
  }

  private hasInclude(spec: Token[], at: Token, next: boolean): boolean {
    const first = spec[0];
    let name: string | undefined;
    let quoted = false;
    if (first?.kind === 'string') {
      name = first.text.slice(1, -1);
      quoted = true;
    } else if (first?.text === '<') {
      name = spec
        .slice(1)
        .filter((t) => t.text !== '>')
        .map((t) => t.text)
        .join('');
    }
    if (name === undefined) throw CFrontError.at(at, `${at.text} expects "FILENAME" or <FILENAME>`);
    const key = this.searchKey(name, quoted, next, this.currentFile());
    const found = this.searchFor(key);
    this.memo.consult(key, found);
    return found !== '';
  }

  /**
   * An #include or __has_include search, named by what it depends on: the directory index it
   * starts at and, for "...", the including file's directory index and directory (relative to
   * that include directory when inside it). Another ABI's tree answers the same question alike
   * when it has the same files.
   */
  private searchKey(name: string, quoted: boolean, next: boolean, current: NonNullable<Frame['file']> | null): string {
    const dirIndex = current?.dirIndex ?? -1;
    let local = '';
    if (quoted && !next && current) {
      const dir = dirname(current.path);
      const root = this.includeDirs[dirIndex];
      local =
        root !== undefined && (dir === root || dir.startsWith(`${root}/`))
          ? `${dirIndex}=${dir.slice(root.length)}`
          : `${dirIndex}:${dir}`;
    }
    return `${SEARCH}${next ? dirIndex + 1 : 0}${SEARCH}${local}${SEARCH}${name}`;
  }

  /**
   * Where a search (searchKey) leads with this preprocessor's include directories: "..." first looks beside the
   * includer.
   */
  private resolveSearch(key: string): Found | null {
    const known = this.searches.byKey.get(key);
    if (known !== undefined) return known;
    const found = this.answerSearch(key);
    this.searches.byKey.set(key, found);
    return found;
  }

  private answerSearch(key: string): Found | null {
    const [, fromText, local, name] = key.split(SEARCH) as [string, string, string, string];
    if (local !== '') {
      const sep = /^-?\d+/.exec(local)![0].length;
      const dirIndex = Number(local.slice(0, sep));
      const dir = local[sep] === '=' ? this.includeDirs[dirIndex] + local.slice(sep + 1) : local.slice(sep + 1);
      const path = join(dir, name);
      if (this.files.get(path)) return { path, dirIndex };
    }
    return this.search(name, Number(fromText));
  }

  /** A search's answer as a dependency compares it: the canonical path and directory index found, or ''. */
  searchFor(key: string): string {
    const found = this.resolveSearch(key);
    return found === null ? '' : `${this.files.get(found.path)!.canonical}${SEARCH}${found.dirIndex}`;
  }
}

function withName(hide: HideSet | null, name: string): HideSet {
  return hide?.has(name) ? hide : new HideSet(name, hide);
}

function intersect(a: HideSet | null, b: HideSet | null): HideSet | null {
  if (!a || !b) return null;
  if (a === b) return a;
  let s: HideSet | null = null;
  for (let h: HideSet | null = a; h !== null; h = h.next) if (b.has(h.name)) s = new HideSet(h.name, s);
  return s;
}

function union(a: HideSet | null, b: HideSet): HideSet {
  if (!a || a === b) return b;
  let s = b;
  for (let h: HideSet | null = a; h !== null; h = h.next) if (!b.has(h.name)) s = new HideSet(h.name, s);
  return s;
}

/** Per body token, the index of the parameter it names (-1: none). */
function paramIndexes(body: readonly Token[], params: readonly string[]): number[] {
  return body.map((t) => (t.kind === 'ident' ? params.indexOf(t.text) : -1));
}

/**
 * A variadic macro's body with each `__VA_OPT__(content)` replaced: by the content where the variable arguments
 * expand to something, else by nothing, a `##` beside it going too (a placemarker pastes onto nothing).
 */
function vaOpt(body: Token[], empty: boolean): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < body.length; i++) {
    const t = body[i]!;
    if (t.kind !== 'ident' || t.text !== '__VA_OPT__') {
      out.push(t);
      continue;
    }
    if (body[i + 1]?.text !== '(') throw CFrontError.at(t, "'__VA_OPT__' must be followed by '('");
    if (out[out.length - 1]?.text === '#') throw CFrontError.at(t, "'#__VA_OPT__' is not supported");
    let depth = 0;
    let close = i + 1;
    for (; close < body.length; close++) {
      if (body[close]!.text === '(') depth++;
      else if (body[close]!.text === ')' && --depth === 0) break;
    }
    if (close >= body.length) throw CFrontError.at(t, "unterminated '__VA_OPT__('");
    const content = body.slice(i + 2, close);
    if (content.some((c) => c.kind === 'ident' && c.text === '__VA_OPT__'))
      throw CFrontError.at(t, "'__VA_OPT__' may not appear inside '__VA_OPT__'");
    // no content is a placemarker too: `x ## __VA_OPT__() z` keeps x and z apart
    if (!empty && content.length) out.push(...content);
    else {
      if (out[out.length - 1]?.text === '##') out.pop();
      if (body[close + 1]?.text === '##') close++;
    }
    i = close;
  }
  return out;
}

/** Tokens back to text, one space where the source had whitespace. */
export function spell(tokens: Token[]): string {
  return tokens.map((t, i) => (i > 0 && t.space ? ' ' : '') + t.text).join('');
}

function stringify(arg: Token[], at: Token): Token {
  const text = arg
    .map((t, i) => {
      const s = t.kind === 'string' || t.kind === 'char' ? t.text.replace(/[\\"]/g, '\\$&') : t.text;
      return (i > 0 && t.space ? ' ' : '') + s;
    })
    .join('');
  return new Token('string', `"${text}"`, at.file, at.line, at.col, false, at.space);
}

function paste(lhs: Token, rhs: Token, at: Token): Token {
  const text = lhs.text + rhs.text;
  const toks = tokenize(text, lhs.file);
  if (toks.length !== 1)
    throw CFrontError.at(at, `pasting "${lhs.text}" and "${rhs.text}" does not give a valid preprocessing token`);
  const t = toks[0]!;
  return new Token(t.kind, t.text, lhs.file, lhs.line, lhs.col, false, lhs.space);
}
