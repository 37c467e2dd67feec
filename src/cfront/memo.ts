/**
 * The front end's memos. Units of a scan include the same few headers over and over
 * (linux/types.h, linux/ioctl.h): an included file, or a chunk of one, is preprocessed and
 * parsed once per context and replayed in every unit whose context agrees on everything it
 * consulted. While a stretch of input is handled the first time, a Recording notes what it
 * read of the state before it (its dependencies, with their values then) and what it wrote; its
 * memo holds both and replays the writes wherever every dependency still holds.
 *
 * The preprocessor's state is its macros, the `#pragma once` files entered, include searches and
 * char signedness (PreprocessMemo); the parser's is its name spaces of declarations and the
 * `#pragma pack` state (ParseState).
 */
import type { Abi } from '../abi/types.js';
import type { CValue } from './constants.js';
import type { TranslationUnit } from './parser.js';
import type { Cond, Frame, Macro } from './preprocess.js';
import type { Token } from './token.js';
import type { CType, EnumDecl, RecordDecl, TypedefDecl } from './types.js';

/** What a stretch of input read of the state before it and what it wrote, while it is handled the first time. */
class Recording<W> {
  /** Names consulted before it wrote them, and their values then. */
  readonly deps = new Map<string, unknown>();
  /** Names it wrote: reading them later is no dependency on what came before. */
  readonly written = new Set<string>();
  readonly writes: Array<[string, W]> = [];

  consult(name: string, value: unknown): void {
    if (!this.written.has(name) && !this.deps.has(name)) this.deps.set(name, value);
  }

  /** What a memo replayed within it consulted. */
  inherit(names: readonly string[], values: readonly unknown[]): void {
    for (let i = 0; i < names.length; i++) this.consult(names[i]!, values[i]);
  }

  wrote(name: string, value: W): void {
    this.written.add(name);
    this.writes.push([name, value]);
  }

  /** The stretch around it inherits what it consulted and wrote. */
  mergeInto(parent: Recording<W>): void {
    this.deps.forEach((v, name) => parent.consult(name, v));
    for (const w of this.writes) {
      parent.written.add(w[0]);
      parent.writes.push(w);
    }
  }
}

/** Memos kept per file (or chunk, or included file's parse): contexts that differ more often are handled each time. */
const MAX_MEMOS = 8;

// ---- the preprocessor's memos ---------------------------------------------------------------

/** What a memo replays: the tokens an expansion put out, and what it consulted and wrote. */
export interface Expansion {
  /**
   * Names consulted from the including context, and what each named then: a macro by name
   * (undefined: none); NUL + canonical path: a #pragma once file entered (ONCE) or not; SEARCH
   * + search: the file __has_include found; CHAR_SIGNED: whether char is signed. Arrays:
   * compact, and walked without allocating.
   */
  readonly depNames: readonly string[];
  readonly depValues: readonly unknown[];
  /** #define, #undef and #pragma once, in order. */
  readonly writes: Array<[string, Macro | undefined]>;
  /** The output tokens. */
  readonly tokens: Token[];
  /** Tokens macro expansion placed (counted against the unit's limit). */
  readonly expanded: number;
}

/**
 * What preprocessing an included file did, replayable in another translation unit whose macros
 * agree on every name the file consulted before defining it itself: each of the headers every
 * unit includes is expanded once per context instead of once per unit.
 */
export interface IncludeMemo extends Expansion {
  /** Memos of the files it included, by position in `tokens`. */
  readonly segments: Segment[];
  /** Include nesting below the file. */
  readonly depth: number;
}

/**
 * What preprocessing a chunk of a file did: the tokens from a file's start, or from just after
 * an #include, to its next #include or its end. ABIs differ in their asm/ headers and
 * predefined macros, so few whole files expand alike for two ABIs; but the text between the
 * includes mostly does, and a chunk is replayed for any ABI, unit and scan whose context agrees
 * on what it consulted: macros (predefined ones compared by their text), #pragma once,
 * __has_include searches, char signedness (Expansion.depNames names them).
 */
export interface ChunkMemo extends Expansion {
  /** Where it ends in the file, and the conditional stack there. */
  readonly end: number;
  readonly conds: ReadonlyArray<Readonly<Cond>>;
}

/** An included file's stretch of a unit's output, for the parser's own memo (ParseState). */
export interface Segment {
  start: number;
  end: number;
  memo: IncludeMemo;
}

/** Include memos by include directory index and path (PreprocessOptions.memos). */
export type IncludeMemos = Map<string, IncludeMemo[]>;

/** Chunk memos by the file's tokens (shared by the trees' identical copies), then directory index and position. */
export type ChunkMemos = WeakMap<Token[], Map<string, ChunkMemo[]>>;

/** Pseudo macro marking a `#pragma once` file as entered; its dependency name is NUL + canonical path. */
const ONCE: Macro = { name: '#pragma once', params: null, variadic: false, body: [], def: null };
/** Starts (and separates the parts of) the dependency name of an include search. */
export const SEARCH = '\x01';
const CHAR_SIGNED = '\x02';

/** What the include memo reads and changes of its preprocessor. */
export interface MemoHost {
  readonly abi: Abi;
  readonly macros: {
    get(name: string): Macro | undefined;
    set(name: string, m: Macro): void;
    delete(name: string): void;
  };
  /** `#pragma once` files entered, by canonical path. */
  readonly once: Set<string>;
  /** The unit's output so far, and its included files' stretches of it. */
  readonly out: Token[];
  readonly segments: Segment[];
  /** Inside a macro's argument list (or looking for its '('): file boundaries are not clean there. */
  readonly invoking: number;
  readonly expandedTokens: number;
  /** Counts tokens macro expansion placed; throws (at `at`) past the unit's limit. */
  countExpanded(n: number, at: Token): void;
  /** Where an include search leads now (SEARCH names it). */
  searchFor(search: string): string;
}

/** An included file or a chunk being expanded for the first time in its context: what its memo will hold. */
class IncludeRecording extends Recording<Macro | undefined> {
  /** Include nesting below it. */
  depth = 0;
  /** It used __COUNTER__ or __INCLUDE_LEVEL__ (different at every use): not replayable. */
  spoiled = false;

  constructor(
    /** A whole included file (an IncludeMemo), or a chunk (a ChunkMemo, `key` in the frame's chunk memos). */
    readonly kind: 'file' | 'chunk',
    /** The file that included it, if that is being recorded too. */
    readonly parent: IncludeRecording | null,
    readonly frame: Frame,
    /** Where its memo is kept (directory index and path, or position). */
    readonly key: string,
    /** Where its tokens begin in the unit's output, its segments in the unit's segments. */
    readonly start: number,
    readonly segmentStart: number,
    readonly expandedStart: number,
  ) {
    super();
  }
}

/**
 * A preprocessor's include memos (shared by the units of one configuration) and chunk memos
 * (shared through the FileCache with every ABI): what is being recorded, and replays.
 */
export class PreprocessMemo {
  private rec: IncludeRecording | null = null;
  /** With shared chunks: the chunk memos of every preprocessor of the cache. */
  private chunks: ChunkMemos | null = null;

  constructor(
    private readonly host: MemoHost,
    private readonly memos: IncludeMemos | null,
  ) {}

  /** Replays and records chunk memos from now on (PreprocessOptions.shareChunks). */
  shareChunks(chunks: ChunkMemos): void {
    this.chunks = chunks;
  }

  /** A unit starts: nothing is being recorded. */
  reset(): void {
    this.rec = null;
  }

  /** Runs `f` (an expansion outside the unit's output) without recording what it reads. */
  unrecorded<T>(f: () => T): T {
    const saved = this.rec;
    this.rec = null;
    try {
      return f();
    } finally {
      this.rec = saved;
    }
  }

  /** A name read (a macro, or none, by name; an include search): consulted by the stretches being recorded. */
  consult(name: string, value: unknown): void {
    const r = this.rec;
    if (r !== null) r.consult(name, value);
  }

  /** An #if read a character constant: the one thing of the ABI it can see is whether char is signed. */
  consultCharSigned(): void {
    this.consult(CHAR_SIGNED, this.host.abi.charSigned);
  }

  /** #pragma once is per file, whichever ABI's copy of it: keyed by the canonical path. */
  enteredOnce(canonical: string): boolean {
    const entered = this.host.once.has(canonical);
    this.consult(`\0${canonical}`, entered ? ONCE : undefined);
    return entered;
  }

  /** #define or #undef (m undefined): applied and noted. */
  write(name: string, m: Macro | undefined): void {
    if (m === ONCE) this.host.once.add(name.slice(1));
    else if (m) this.host.macros.set(name, m);
    else this.host.macros.delete(name);
    const r = this.rec;
    if (r !== null) r.wrote(name, m);
  }

  pragmaOnce(canonical: string): void {
    this.write(`\0${canonical}`, ONCE);
  }

  /** __COUNTER__ or __INCLUDE_LEVEL__ expanded: what is being recorded cannot be replayed. */
  spoil(): void {
    for (let r = this.rec; r; r = r.parent) r.spoiled = true;
  }

  /** Whether a dependency (Expansion.depNames) still holds. */
  private holds(name: string, then: unknown): boolean {
    switch (name[0]) {
      case '\0':
        return (this.host.once.has(name.slice(1)) ? ONCE : undefined) === then;
      case SEARCH:
        return this.host.searchFor(name) === then;
      case CHAR_SIGNED:
        return this.host.abi.charSigned === then;
    }
    const now = this.host.macros.get(name);
    // the same #define (one token of one file) gives the same expansion
    return now === then || (now !== undefined && then !== undefined && sameMacro(now, then as Macro));
  }

  private holdsAll(names: readonly string[], values: readonly unknown[]): boolean {
    for (let i = 0; i < names.length; i++) if (!this.holds(names[i]!, values[i])) return false;
    return true;
  }

  /**
   * An #include of the file kept under `key`: replays a memo of it that holds and nests fewer
   * than `room` levels below, and says whether it did.
   */
  replayInclude(key: string, room: number, at: Token): boolean {
    // an include among a macro's arguments goes into them, not the output: expanded as it is
    if (this.memos === null || this.host.invoking > 0) return false;
    for (const memo of this.memos.get(key) ?? []) {
      if (memo.depth < room && this.holdsAll(memo.depNames, memo.depValues)) {
        this.replay(memo, at);
        return true;
      }
    }
    return false;
  }

  /** An included file's frame starts: it is recorded, and so is its first chunk. */
  enterFile(frame: Frame, key: string): void {
    if (this.memos !== null && this.host.invoking === 0) this.rec = this.recording('file', frame, key);
    this.startChunk(frame);
  }

  private recording(kind: 'file' | 'chunk', frame: Frame, key: string): IncludeRecording {
    const h = this.host;
    return new IncludeRecording(kind, this.rec, frame, key, h.out.length, h.segments.length, h.expandedTokens);
  }

  /** Where a file frame's chunk starts: replays a chunk memo that holds, or records a new one. */
  startChunk(frame: Frame): void {
    const file = frame.file;
    if (this.chunks === null || file === null || this.host.invoking > 0 || frame.pos >= frame.tokens.length) return;
    file.chunkAt = -1;
    let byPlace = this.chunks.get(frame.tokens);
    if (!byPlace) this.chunks.set(frame.tokens, (byPlace = new Map<string, ChunkMemo[]>()));
    const key = `${file.dirIndex}\0${frame.pos}`;
    for (const memo of byPlace.get(key) ?? []) {
      if (!this.holdsAll(memo.depNames, memo.depValues)) continue;
      this.replayExpansion(memo, frame.tokens[frame.pos]!);
      frame.pos = memo.end;
      file.conds = memo.conds.map((c) => ({ ...c }));
      return;
    }
    this.rec = this.recording('chunk', frame, key);
  }

  /** An #include directive (its `#` at `hashAt`) in `frame`: the chunk recorded there ends. */
  chunkEndsAt(frame: Frame, hashAt: number): void {
    const r = this.rec;
    if (r === null || r.kind !== 'chunk' || r.frame !== frame) return;
    if (this.host.invoking > 0) r.spoiled = true;
    this.finishChunk(r, hashAt);
  }

  /** A frame ends: the chunk and the file recorded in it are done. */
  frameEnded(f: Frame): void {
    if (this.rec !== null && this.rec.frame === f && this.rec.kind === 'chunk') {
      this.finishChunk(this.rec, f.tokens.length);
    }
    if (this.rec !== null && this.rec.frame === f) this.finishFile(this.rec);
  }

  /** A chunk ends (at an #include, or the file's end at `end`): its memo, and what its parent inherits. */
  private finishChunk(r: IncludeRecording, end: number): void {
    this.mergeIntoParent(r);
    if (r.spoiled || this.host.invoking > 0) return;
    const memo: ChunkMemo = { ...this.expansionOf(r), end, conds: r.frame.file!.conds.map((c) => ({ ...c })) };
    const byPlace = this.chunks!.get(r.frame.tokens)!;
    const list = byPlace.get(r.key);
    if (!list) byPlace.set(r.key, [memo]);
    else {
      if (list.length >= MAX_MEMOS) list.shift();
      list.push(memo);
    }
  }

  /** An included file's frame ends: its memo, and what its includer inherits. */
  private finishFile(r: IncludeRecording): void {
    this.mergeIntoParent(r);
    if (r.spoiled || this.host.invoking > 0) return;
    const segments = this.host.segments
      .slice(r.segmentStart)
      .map((s) => ({ start: s.start - r.start, end: s.end - r.start, memo: s.memo }));
    const memo: IncludeMemo = { ...this.expansionOf(r), segments, depth: r.depth };
    this.host.segments.push({ start: r.start, end: this.host.out.length, memo });
    const list = this.memos!.get(r.key);
    if (!list) this.memos!.set(r.key, [memo]);
    else if (list.length < MAX_MEMOS) list.push(memo);
  }

  /** Pops a recording: its parent inherits what it consulted and wrote. */
  private mergeIntoParent(r: IncludeRecording): void {
    const parent = (this.rec = r.parent);
    if (parent === null) return;
    r.mergeInto(parent);
    parent.depth = Math.max(parent.depth, r.depth + 1);
  }

  private replay(memo: IncludeMemo, at: Token): void {
    const segments = this.host.segments;
    const base = this.host.out.length;
    this.replayExpansion(memo, at);
    for (const s of memo.segments) segments.push({ start: base + s.start, end: base + s.end, memo: s.memo });
    segments.push({ start: base, end: this.host.out.length, memo });
    if (this.rec !== null) this.rec.depth = Math.max(this.rec.depth, memo.depth + 1);
  }

  /** A memo's tokens to the output, its writes applied; the recording above inherits what it consulted. */
  private replayExpansion(e: Expansion, at: Token): void {
    const out = this.host.out;
    for (const t of e.tokens) out.push(t);
    this.rec?.inherit(e.depNames, e.depValues);
    for (const [name, m] of e.writes) this.write(name, m);
    this.host.countExpanded(e.expanded, at);
  }

  /** What a finished recording's memo replays. */
  private expansionOf(r: IncludeRecording): Expansion {
    return {
      depNames: [...r.deps.keys()],
      depValues: [...r.deps.values()],
      writes: r.writes,
      tokens: this.host.out.slice(r.start),
      expanded: this.host.expandedTokens - r.expandedStart,
    };
  }
}

/** The same definition: the same #define, or predefined alike (each ABI has its own objects). */
function sameMacro(a: Macro, b: Macro): boolean {
  if (a.def !== null || b.def !== null) return a.def === b.def;
  if (a.name !== b.name || a.builtin !== b.builtin || a.variadic !== b.variadic) return false;
  if (a.body.length !== b.body.length) return false;
  if (a.params === null ? b.params !== null : b.params === null || a.params.join(',') !== b.params.join(',')) {
    return false;
  }
  for (let i = 0; i < a.body.length; i++) {
    const x = a.body[i]!;
    const y = b.body[i]!;
    if (x.text !== y.text || x.kind !== y.kind || x.space !== y.space) return false;
  }
  return true;
}

// ---- the parser's state and its memo --------------------------------------------------------

type TagDecl = RecordDecl | EnumDecl;
type FunctionBody = TranslationUnit['functionBodies'][number];

/**
 * The parser's state is a set of name spaces; a key (StateKey) is one letter for the space and
 * the name. Function bodies are a list; the #pragma pack state has one key, its snapshot.
 */
const TYPEDEF = 't';
const TAG = 's';
const OBJECT = 'o';
const ENUM_CONSTANT = 'c';
const RECORD = 'r';
const ENUM = 'e';
const FUNCTION_BODY = 'f';
const PACK = 'p';
type StateKey = string;

/**
 * What parsing an included file's tokens (one IncludeMemo's) did: replayable in another unit
 * where every name it consulted before declaring it itself means the same. Declarations are
 * shared, and a forward-declared record is completed in place (pointers to it must see the
 * definition), so what it saw of a tag's completeness is part of the context too.
 */
interface ParseMemo {
  abi: string;
  /** Consulted names and their values then (arrays: compact, walked without allocating). */
  depKeys: StateKey[];
  depValues: unknown[];
  /** Tags consulted: the declaration then (if any) and whether it was complete. */
  tagKeys: StateKey[];
  tagValues: Array<[TagDecl | undefined, boolean]>;
  writes: Array<[StateKey, unknown]>;
  /** Tags it declared and left incomplete: another unit may have completed them since. */
  leftIncomplete: TagDecl[];
}

class ParseRecording extends Recording<unknown> {
  /** Tags consulted: the declaration then and whether it was complete (ParseMemo.tagValues). */
  readonly tagDeps = new Map<StateKey, [TagDecl | undefined, boolean]>();

  constructor(
    readonly parent: ParseRecording | null,
    readonly segment: Segment,
  ) {
    super();
  }

  consultTag(key: StateKey, decl: TagDecl | undefined): void {
    if (this.written.has(key) || this.tagDeps.has(key)) return;
    this.tagDeps.set(key, [decl, decl !== undefined && isComplete(decl)]);
  }

  inheritTags(keys: readonly StateKey[], values: ReadonlyArray<[TagDecl | undefined, boolean]>): void {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (!this.written.has(key) && !this.tagDeps.has(key)) this.tagDeps.set(key, values[i]!);
    }
  }

  /** Tags before writes (as deps): a tag it consulted, then declared, stays a dependency of the parent. */
  override mergeInto(parent: ParseRecording): void {
    this.tagDeps.forEach((v, key) => {
      if (!parent.written.has(key) && !parent.tagDeps.has(key)) parent.tagDeps.set(key, v);
    });
    super.mergeInto(parent);
  }
}

/** Per included file expansion: the parses of it, for every parser given the preprocessor's segments. */
const PARSE_MEMOS = new WeakMap<IncludeMemo, ParseMemo[]>();

const isComplete = (d: TagDecl): boolean => ('union' in d ? d.members !== null : d.values !== null);

/**
 * What a parser has declared at file scope, by name space: every name read is noted as
 * consulted, and every declaration as written, by the included files being parsed for the
 * first time in their context; such a file's parse is replayed where it holds.
 */
export class ParseState {
  readonly unit: TranslationUnit = {
    records: new Map(),
    typedefs: new Map(),
    enums: new Map(),
    enumConstants: new Map(),
    functionBodies: [],
  };
  /** Tags at file scope: `struct x`, `union x`, `enum x`. */
  private readonly tags = new Map<string, TagDecl>();
  /** Functions and variables declared at file scope (for sizeof and __typeof__ of them). */
  private readonly objects = new Map<string, CType>();
  /** `#pragma pack(push[, label][, n])` entries: the value before the push, and its label. */
  private packStack: Array<[number | undefined, string | undefined]> = [];
  private pack: number | undefined;
  /** The included files being parsed for the first time in their context, innermost first. */
  private rec: ParseRecording | null = null;
  /** The unit's included files, by start (outer first), and the next one to reach. */
  private segments: readonly Segment[] = [];
  private next = 0;

  /** `abi` names the ABI: a parse is replayed for the same ABI only. */
  constructor(private readonly abi: string) {}

  // ---- names read -------------------------------------------------------------------------

  typedef(name: string): TypedefDecl | undefined {
    return this.consult(TYPEDEF, name, this.unit.typedefs.get(name));
  }

  /** `struct x`, `union x` or `enum x`, complete or not (a tag's completeness is consulted too). */
  tag(key: string): TagDecl | undefined {
    const decl = this.tags.get(key);
    if (this.rec !== null) this.rec.consultTag(TAG + key, decl);
    return decl;
  }

  object(name: string): CType | undefined {
    return this.consult(OBJECT, name, this.objects.get(name));
  }

  enumConstant(name: string): CValue | undefined {
    return this.consult(ENUM_CONSTANT, name, this.unit.enumConstants.get(name));
  }

  record(name: string): RecordDecl | undefined {
    return this.consult(RECORD, name, this.unit.records.get(name));
  }

  /** The `#pragma pack` in force. */
  packing(): number | undefined {
    this.consultPack();
    return this.pack;
  }

  private consult<T>(space: string, name: string, value: T): T {
    if (this.rec !== null) this.rec.consult(space + name, value);
    return value;
  }

  private consultPack(): void {
    if (this.rec !== null) this.consult(PACK, '', this.packSnapshot());
  }

  /** The #pragma pack state as a memo compares it. */
  private packSnapshot(): string {
    if (this.pack === undefined && this.packStack.length === 0) return '';
    return JSON.stringify([this.pack ?? null, this.packStack.map(([v, l]) => [v ?? null, l ?? null])]);
  }

  // ---- declarations -----------------------------------------------------------------------

  declareTypedef(name: string, decl: TypedefDecl): void {
    this.declare(TYPEDEF + name, decl);
  }

  declareTag(key: string, decl: TagDecl): void {
    this.declare(TAG + key, decl);
  }

  declareObject(name: string, type: CType): void {
    this.declare(OBJECT + name, type);
  }

  declareEnumConstant(name: string, value: CValue): void {
    this.declare(ENUM_CONSTANT + name, value);
  }

  /** A complete record by CONTRACT.md name (TranslationUnit.records). */
  declareRecord(name: string, decl: RecordDecl): void {
    this.declare(RECORD + name, decl);
  }

  declareEnum(key: string, decl: EnumDecl): void {
    this.declare(ENUM + key, decl);
  }

  declareFunctionBody(body: FunctionBody): void {
    this.declare(FUNCTION_BODY, body);
  }

  /**
   * `#pragma pack`: push (and set, when `given`), pop, or set; `value` undefined is the default. A label names a
   * push; pop with it drops every entry above the one it names and restores what that push saved (gcc c-pragma.cc
   * pop_alignment). A pop of an empty stack changes nothing (both compilers warn); false for a pop naming a label
   * no entry has, where gcc pops every entry and clang none (the caller says so).
   */
  pragmaPack(op: string | undefined, label: string | undefined, given: boolean, value: number | undefined): boolean {
    this.consultPack();
    if (op === 'push') {
      this.packStack.push([this.pack, label]);
      if (given) this.pack = value;
    } else if (op === 'pop') {
      if (this.packStack.length === 0) return true;
      if (label !== undefined) {
        let at = this.packStack.length - 1;
        while (at >= 0 && this.packStack[at]![1] !== label) at--;
        if (at < 0) return false;
        this.packStack.length = at + 1;
      }
      this.pack = this.packStack.pop()![0];
    } else {
      this.pack = value;
    }
    if (this.rec !== null) this.declare(PACK, this.packSnapshot());
    return true;
  }

  /** Changes the state and notes it. */
  private declare(key: StateKey, value: unknown): void {
    this.apply(key, value);
    if (this.rec !== null) this.rec.wrote(key, value);
  }

  /** The map a name space keeps its names in (not function bodies and pack, which are not maps). */
  private space(letter: string | undefined): Map<string, unknown> | null {
    switch (letter) {
      case TYPEDEF:
        return this.unit.typedefs;
      case TAG:
        return this.tags;
      case OBJECT:
        return this.objects;
      case ENUM_CONSTANT:
        return this.unit.enumConstants;
      case RECORD:
        return this.unit.records;
      case ENUM:
        return this.unit.enums;
    }
    return null;
  }

  private apply(key: StateKey, value: unknown): void {
    const letter = key[0];
    const names = this.space(letter);
    if (names !== null) names.set(key.slice(1), value);
    else if (letter === FUNCTION_BODY) this.unit.functionBodies.push(value as FunctionBody);
    else if (letter === PACK) {
      type Snapshot = [number | null, Array<[number | null, string | null]>];
      const [pack, stack] = value === '' ? [null, []] : (JSON.parse(value as string) as Snapshot);
      this.pack = pack ?? undefined;
      this.packStack = stack.map(([v, l]) => [v ?? undefined, l ?? undefined]);
    }
  }

  /** A consulted name's value now (tags are compared apart, with their completeness). */
  private current(key: StateKey): unknown {
    const letter = key[0];
    return letter === PACK ? this.packSnapshot() : this.space(letter)?.get(key.slice(1));
  }

  // ---- the parse memo ---------------------------------------------------------------------

  /** A unit's parse starts, over the preprocessor's segments (its included files' stretches). */
  startUnit(segments: readonly Segment[]): void {
    this.segments = segments;
    this.next = 0;
    this.rec = null;
  }

  /**
   * A declaration starts at `pos`: the files that ended before it are done; an included file
   * that starts here and was parsed before in the same context is replayed (the position after
   * it is returned), or else recorded (-1: parse on).
   */
  declarationAt(pos: number): number {
    const segments = this.segments;
    while (this.rec !== null && this.rec.segment.end <= pos) this.finishRecording(this.rec, pos);
    // segments that began inside a declaration are parsed with it
    while (this.next < segments.length && segments[this.next]!.start < pos) this.next++;
    while (this.next < segments.length && segments[this.next]!.start === pos) {
      const s = segments[this.next++]!;
      if (s.end === s.start) continue;
      const memo = PARSE_MEMOS.get(s.memo)?.find((m) => this.replayable(m));
      if (memo) {
        this.replay(memo);
        return s.end;
      }
      this.rec = new ParseRecording(this.rec, s);
    }
    return -1;
  }

  /** The unit's tokens end at `pos`: the files still recorded are done. */
  endUnit(pos: number): void {
    while (this.rec !== null) this.finishRecording(this.rec, pos);
  }

  /** Runs `f` (an expression or type name outside the unit's declarations) without recording. */
  unrecorded<T>(f: () => T): T {
    const saved = this.rec;
    this.rec = null;
    try {
      return f();
    } finally {
      this.rec = saved;
    }
  }

  private replayable(m: ParseMemo): boolean {
    if (m.abi !== this.abi) return false;
    for (let i = 0; i < m.depKeys.length; i++) {
      const key = m.depKeys[i]!;
      const then = m.depValues[i];
      const now = this.current(key);
      if (now === then) continue;
      // enum constants are values: the same value declared anew is the same constant
      if (key[0] !== ENUM_CONSTANT || now === undefined || then === undefined) return false;
      if (!sameValue(now as CValue, then as CValue)) return false;
    }
    for (let i = 0; i < m.tagKeys.length; i++) {
      const [decl, complete] = m.tagValues[i]!;
      if (this.tags.get(m.tagKeys[i]!.slice(1)) !== decl) return false;
      if (decl !== undefined && isComplete(decl) !== complete) return false;
    }
    for (const d of m.leftIncomplete) if (isComplete(d)) return false;
    return true;
  }

  private replay(m: ParseMemo): void {
    const r = this.rec;
    if (r !== null) {
      r.inherit(m.depKeys, m.depValues);
      r.inheritTags(m.tagKeys, m.tagValues);
    }
    for (const [key, v] of m.writes) this.declare(key, v);
  }

  /** A recorded file's tokens end (the parse is at `pos`): its memo, and what the file around it inherits. */
  private finishRecording(r: ParseRecording, pos: number): void {
    const parent = (this.rec = r.parent);
    if (parent !== null) r.mergeInto(parent);
    // a declaration ran past the file's end: its parse is not the file's alone
    if (r.segment.end !== pos) return;
    const leftIncomplete: TagDecl[] = [];
    for (const [key, v] of r.writes) if (key[0] === TAG && !isComplete(v as TagDecl)) leftIncomplete.push(v as TagDecl);
    const memo: ParseMemo = {
      abi: this.abi,
      depKeys: [...r.deps.keys()],
      depValues: [...r.deps.values()],
      tagKeys: [...r.tagDeps.keys()],
      tagValues: [...r.tagDeps.values()],
      writes: r.writes,
      leftIncomplete,
    };
    const list = PARSE_MEMOS.get(r.segment.memo);
    if (!list) PARSE_MEMOS.set(r.segment.memo, [memo]);
    else if (list.length < MAX_MEMOS) list.push(memo);
  }
}

const sameValue = (a: CValue, b: CValue): boolean => a.v === b.v && a.t === b.t;
