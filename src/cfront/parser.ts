/**
 * The declaration parser: a typedef-aware recursive descent over preprocessed tokens that
 * builds the C type graph of a translation unit (records, enums, typedefs) and evaluates the
 * constant expressions declarations need (array sizes, bitfield widths, enum values,
 * _Static_assert, sizeof/_Alignof/offsetof against the ABI's layout, asked through TypeSizes).
 * Function bodies and initializers are skipped, balanced, without being parsed. The expression
 * grammar is shared with #if (expression.ts); the declarations and their memo are ParseState's
 * (memo.ts).
 */
import type { Abi } from '../abi/types.js';
import {
  bool,
  charLiteral,
  convert,
  enumUnderlying,
  floatingConstant,
  integerConstantValue,
  integerLiteral,
  isFloatingConstant,
  isIntegerConstant,
  isUnsigned,
  stringLiteral,
  unary,
  type CValue,
} from './constants.js';
import { ConstantExpressions } from './expression.js';
import { ParseState, type Segment } from './memo.js';
import { typeName } from './print.js';
import { SizeError, type TypeSizes } from './sizes.js';
import { CFrontError, type Token } from './token.js';
import type { CType, EnumConstant, EnumDecl, FloatName, IntName, Member, RecordDecl, TypedefDecl } from './types.js';
import { recordName, stripTypedefs } from './types.js';

/** What a translation unit declares at file scope. */
export interface TranslationUnit {
  /** Complete records by CONTRACT.md name: `struct TAG`, `union TAG`, or the typedef name of an untagged one. */
  records: Map<string, RecordDecl>;
  typedefs: Map<string, TypedefDecl>;
  enums: Map<string, EnumDecl>;
  enumConstants: Map<string, CValue>;
  /**
   * Function bodies (static inline helpers) skipped unparsed, by file and line range: an error
   * a compiler finds inside one is beyond what a layout tool checks.
   */
  functionBodies: Array<{ file: string; from: number; to: number }>;
}

/**
 * Attributes that change sizes, alignments or bit order (gcc's vector types, the Microsoft bit-field rules,
 * a byte order of the record's own): none is in the UAPI headers.
 */
const UNMODELLED_LAYOUT_ATTRIBUTES = new Set(['vector_size', 'ms_struct', 'gcc_struct', 'scalar_storage_order']);

interface Attrs {
  packed?: boolean;
  align?: number;
  /** mode(QI/HI/SI/DI/TI): the integer of that many bytes. */
  modeBytes?: number;
}

interface Specifiers {
  type: CType;
  isTypedef: boolean;
  attrs: Attrs;
  /** `_Atomic` qualified (or the `_Atomic(T)` specifier): no bit-field may have it. */
  atomic?: Token;
  /** const, volatile or restrict among the specifiers (`_Atomic(const int)` is an error). */
  cv?: Token;
}

/** A declarator's name and the type it declares. */
interface Declarator {
  name?: string;
  nameTok?: Token;
  type: CType;
  pointerAlign?: { align: number; at: Token };
  /** Whether the declared pointer is qualified (`int * const`); absent without a '*' (the specifiers' say). */
  cv?: boolean;
}

/** An atomic type, itself or through typedefs (`typedef _Atomic int ai`). */
function isAtomic(t: CType): boolean {
  for (let u = t; u.kind === 'typedef'; u = u.decl.type) if (u.decl.atomic) return true;
  return false;
}

/** A type a typedef declared qualified (`typedef const int ci`), itself or through typedefs. */
function isQualified(t: CType): boolean {
  for (let u = t; u.kind === 'typedef'; u = u.decl.type) if (u.decl.qualified) return true;
  return false;
}

const STORAGE = new Set([
  'extern',
  'static',
  'auto',
  'register',
  '_Thread_local',
  '__thread',
  'inline',
  '__inline',
  '__inline__',
  '_Noreturn',
  '__extension__',
]);
/** The qualifiers `_Atomic(T)` refuses in T (gcc and clang). */
const CV = new Set([
  'const',
  'volatile',
  'restrict',
  '__restrict',
  '__restrict__',
  '__const',
  '__const__',
  '__volatile',
  '__volatile__',
]);
const QUALIFIERS = new Set([...CV, '_Atomic', '_Nonnull', '_Nullable']);
const BASIC = new Set([
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
  '__int128',
  '__signed__',
  '__signed',
  '__unsigned__',
  '_Complex',
  '__complex__',
  '_Float128',
  '__float128',
  '_Float64',
  '_Float32',
  '_Float32x',
  '_Float64x',
  '__builtin_va_list',
  '__int128_t',
  '__uint128_t',
]);
const MODE_BYTES: Record<string, number> = { QI: 1, HI: 2, SI: 4, DI: 8, TI: 16, byte: 1 };
/** The spellings of `signed` and `unsigned` among the type specifiers. */
const SIGNED_WORDS: ReadonlySet<string> = new Set(['signed', '__signed__', '__signed']);
const UNSIGNED_WORDS: ReadonlySet<string> = new Set(['unsigned', '__unsigned__']);

export class Parser extends ConstantExpressions<Value> {
  /** The declarations so far, by name space; an included file's parse is replayed from its memo. */
  private readonly state: ParseState;
  readonly unit: TranslationUnit;

  /**
   * `sizes` lays types out for the ABI (the layout stage's Layouter); one may be shared by the
   * parsers of one ABI (declarations shared by memos are laid out once).
   */
  constructor(
    abi: Abi,
    readonly sizes: TypeSizes,
  ) {
    super(abi);
    // a flavour's layout facts are its base's: a parse replays for both (ParseState)
    this.state = new ParseState(abi.flavourOf ?? abi.name);
    this.unit = this.state.unit;
  }

  /**
   * Parses file-scope declarations; the first error is thrown located. With the preprocessor's
   * segments, an included file parsed before in the same context is replayed instead.
   */
  parse(tokens: Token[], segments: readonly Segment[] = []): TranslationUnit {
    this.tokens = tokens;
    this.pos = 0;
    this.state.startUnit(segments);
    while (this.pos < tokens.length) {
      const replayedTo = this.state.declarationAt(this.pos);
      if (replayedTo >= 0) this.pos = replayedTo;
      else this.externalDeclaration();
    }
    this.state.endUnit(this.pos);
    return this.unit;
  }

  /** A constant expression from tokens (ioctl macro values). */
  evaluate(tokens: Token[]): CValue {
    return this.withTokens(tokens, () => {
      const v = this.intValue(this.expression(), this.tokens[0]!);
      this.expectEnd();
      return v;
    });
  }

  /** A type name from tokens (the argument type of _IOR and friends). */
  typeName(tokens: Token[]): CType {
    return this.withTokens(tokens, () => {
      const t = this.parseTypeName();
      this.expectEnd();
      return t;
    });
  }

  /** Whether the tokens start a type name (so `_IOR(x, y, int)` is a type, `_IOR(x, y, 4)` not). */
  startsTypeName(tokens: Token[]): boolean {
    return this.withTokens(tokens, () => this.isTypeStart());
  }

  private withTokens<T>(tokens: Token[], f: () => T): T {
    const saved = [this.tokens, this.pos] as const;
    this.tokens = tokens;
    this.pos = 0;
    try {
      if (!tokens.length) throw new CFrontError('empty expression', { file: '<macro>', line: 0, column: 0 });
      return this.state.unrecorded(f);
    } finally {
      [this.tokens, this.pos] = saved;
    }
  }

  // ---- token helpers (peek, is and take are ConstantExpressions') --------------------------

  private next(): Token {
    const t = this.tokens[this.pos];
    if (!t) throw this.errorAtEnd('unexpected end of input');
    this.pos++;
    return t;
  }

  protected override expect(text: string): Token {
    const t = this.peek();
    if (!t || !this.is(text))
      throw t
        ? CFrontError.at(t, `expected '${text}' before '${t.text}'`)
        : this.errorAtEnd(`expected '${text}' at end of input`);
    this.pos++;
    return t;
  }

  private expectEnd(): void {
    const t = this.peek();
    if (t) throw CFrontError.at(t, `unexpected '${t.text}'`);
  }

  private errorAtEnd(message: string): CFrontError {
    const last = this.tokens[this.tokens.length - 1];
    return last ? CFrontError.at(last, message) : new CFrontError(message, { file: '<input>', line: 0, column: 0 });
  }

  /** Skips a balanced (...), [...] or {...} group starting at the current opening token. */
  private skipBalanced(): void {
    const open = this.next();
    const close = open.text === '(' ? ')' : open.text === '[' ? ']' : '}';
    let depth = 1;
    while (depth > 0) {
      const t = this.tokens[this.pos++];
      if (!t) throw CFrontError.at(open, `unbalanced '${open.text}'`);
      if (t.kind !== 'punct') continue;
      if (t.text === open.text) depth++;
      else if (t.text === close) depth--;
    }
  }

  // ---- declarations -----------------------------------------------------------------------

  private externalDeclaration(): void {
    const t = this.peek()!;
    if (t.kind === 'pragma') {
      this.pos++;
      this.pragmaPack(t);
      return;
    }
    if (this.take(';')) return;
    if (this.is('_Static_assert') || this.is('static_assert')) return this.staticAssert();
    if (this.is('__asm__') || this.is('asm') || this.is('__asm')) {
      this.pos++;
      this.skipBalanced();
      this.expect(';');
      return;
    }
    const spec = this.specifiers(t);
    if (this.take(';')) return;
    for (;;) {
      const attrs: Attrs = { ...spec.attrs };
      // `typedef int a, __attribute__((aligned(8))) b;`: b's own (gcc and clang)
      this.attributes(attrs);
      const { name, type, nameTok, pointerAlign, cv } = this.declarator(spec.type, attrs);
      this.skipAsmLabel();
      this.attributes(attrs);
      // a typedef's pointer aligned(N) raises or lowers, as aligned on the typedef does (gcc and clang)
      if (spec.isTypedef && pointerAlign !== undefined && attrs.align === undefined) attrs.align = pointerAlign.align;
      if (this.is('{') && type.kind === 'function') {
        const open = this.peek()!;
        this.skipBalanced();
        const close = this.tokens[this.pos - 1]!;
        this.state.declareFunctionBody({ file: open.file, from: open.line, to: close.line });
        return;
      }
      if (spec.isTypedef) {
        if (!name || !nameTok) throw CFrontError.at(t, 'typedef requires a name');
        this.defineTypedef(name, type, attrs, nameTok, cv ?? spec.cv !== undefined);
      } else if (name !== undefined) {
        this.state.declareObject(name, type);
      }
      if (this.take('=')) this.skipInitializer();
      if (this.take(',')) continue;
      this.expect(';');
      return;
    }
  }

  /** `__asm__("symbol")` after a declarator names the symbol; nothing to lay out. */
  private skipAsmLabel(): void {
    while (this.is('__asm__') || this.is('__asm') || this.is('asm')) {
      this.pos++;
      this.skipBalanced();
      this.attributes({});
    }
  }

  private skipInitializer(): void {
    for (;;) {
      const t = this.peek();
      if (!t) throw this.errorAtEnd("expected ';' after initializer");
      if (t.text === ',' || t.text === ';') return;
      if (t.text === '(' || t.text === '{' || t.text === '[') this.skipBalanced();
      else this.pos++;
    }
  }

  private defineTypedef(name: string, type: CType, attrs: Attrs, at: Token, qualified: boolean): void {
    let t = type;
    if (attrs.modeBytes !== undefined) t = this.modeType(t, attrs.modeBytes, at);
    const decl: TypedefDecl = { name, type: t, loc: at.loc };
    if (attrs.align !== undefined) decl.align = attrs.align;
    if (qualified) decl.qualified = true;
    this.state.declareTypedef(name, decl);
    // an untagged record is known by its typedef name (CONTRACT.md)
    if (t.kind === 'record' && t.decl.tag === undefined && t.decl.members !== null && !this.state.record(name)) {
      this.state.declareRecord(name, t.decl);
    }
  }

  private modeType(t: CType, bytes: number, at: Token): CType {
    const base = stripTypedefs(t);
    if (base.kind !== 'int') throw CFrontError.at(at, 'mode attribute on a type that is not an integer');
    const unsigned = isUnsigned(base.name, this.abi);
    const names: Array<[IntName, 'char' | 'short' | 'int' | 'longLong' | 'int128']> = [
      ['char', 'char'],
      ['short', 'short'],
      ['int', 'int'],
      ['long long', 'longLong'],
      ['__int128', 'int128'],
    ];
    const name = names.find(([, key]) => this.abi.sizes[key] === bytes)?.[0];
    if (!name) throw CFrontError.at(at, `no integer mode of ${bytes} bytes`);
    return {
      kind: 'int',
      name: unsigned
        ? ((name === 'char' ? 'unsigned char' : `unsigned ${name}`) as IntName)
        : name === 'char'
          ? 'signed char'
          : name,
    };
  }

  private staticAssert(): void {
    const at = this.next();
    this.expect('(');
    const v = this.intValue(this.conditional(), at);
    let message = '';
    if (this.take(',')) {
      while (this.peek()?.kind === 'string') message += this.next().text.slice(1, -1);
    }
    this.expect(')');
    this.take(';');
    if (v.v === 0n) throw CFrontError.at(at, `static assertion failed${message ? `: "${message}"` : ''}`);
  }

  /**
   * `#pragma pack` as gcc (c-pragma.cc, handle_pragma_pack) and clang (ParsePragma.cpp) both read it: (), (N),
   * (push[, ID][, N]), (pop[, ID]), N an integer constant (0x2, 2u). They ignore the pragma for another form, an
   * unknown action, a floating N or an alignment but 1, 2, 4, 8, 16; the forms only one of them takes are errors.
   */
  private pragmaPack(t: Token): void {
    const m = /^pack\s*\(\s*(.*?)\s*\)$/.exec(t.text);
    if (!m) return;
    const args = m[1] === '' ? [] : m[1]!.split(',').map((s) => s.trim());
    const op = args[0] === 'push' || args[0] === 'pop' ? args[0] : undefined;
    const rest = op === undefined ? args : args.slice(1);
    // each argument's kind: n an integer constant, id a label, ? anything else
    const shape = rest.map((a) => (isIntegerConstant(a) ? 'n' : /^[A-Za-z_$][\w$]*$/.test(a) ? 'id' : '?')).join();
    if ((op === 'push' && shape === 'n,id') || (op === 'pop' && (shape === 'n' || shape === 'id,n')))
      throw CFrontError.at(t, `#pragma ${t.text} is read otherwise by gcc and by clang`);
    const takes = op === undefined ? ['', 'n'] : op === 'push' ? ['', 'id', 'n', 'id,n'] : ['', 'id'];
    if (!takes.includes(shape)) return;
    const label = shape.startsWith('id') ? rest[0] : undefined;
    const num = shape.endsWith('n') ? rest[rest.length - 1] : undefined;
    const n = num === undefined ? undefined : Number(integerConstantValue(num));
    if (n !== undefined && ![0, 1, 2, 4, 8, 16].includes(n)) return;
    if (!this.state.pragmaPack(op, label, n !== undefined, n === 0 ? undefined : n))
      throw CFrontError.at(t, `#pragma pack(pop, ${label}) with no push of ${label}: gcc pops every entry, clang none`);
  }

  private isTypeStart(): boolean {
    const t = this.peek();
    if (!t || t.kind !== 'ident') return false;
    const s = t.text;
    return (
      BASIC.has(s) ||
      QUALIFIERS.has(s) ||
      s === 'struct' ||
      s === 'union' ||
      s === 'enum' ||
      s === '__typeof__' ||
      s === 'typeof' ||
      s === '__typeof' ||
      s === '__attribute__' ||
      s === '__attribute' ||
      s === '_Alignas' ||
      s === '__extension__' ||
      this.state.typedef(s) !== undefined
    );
  }

  /** Declaration specifiers: storage class, qualifiers, type specifiers and attributes. */
  private specifiers(at: Token): Specifiers {
    let isTypedef = false;
    const attrs: Attrs = {};
    const words: string[] = [];
    let type: CType | null = null;
    /** `_Atomic` as a qualifier of the specifiers' type (its layout is the ABI's atomic one). */
    let atomic: Token | null = null;
    /** `_Atomic(T)`: the type is atomic already. */
    let atomicSpecifier: Token | null = null;
    let cv: Token | undefined;
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'ident') break;
      const s = t.text;
      if (s === 'typedef') {
        isTypedef = true;
        this.pos++;
      } else if (s === '_Atomic' && this.peek(1)?.text === '(') {
        // the specifier `_Atomic(T)`
        if (type || words.length) break;
        this.pos += 2;
        const inner = this.typeNameQualified();
        // C11 6.7.2.4p3
        if (inner.qualified) throw CFrontError.at(t, '_Atomic(T) of a qualified type (gcc and clang reject it)');
        if (isAtomic(inner.type)) throw CFrontError.at(t, '_Atomic(T) of an atomic type (gcc and clang reject it)');
        type = this.atomicType(inner.type, t);
        this.expect(')');
        atomic = null;
        atomicSpecifier = t;
      } else if (s === '_Atomic') {
        atomic = t;
        this.pos++;
      } else if (STORAGE.has(s) || QUALIFIERS.has(s)) {
        if (CV.has(s)) cv ??= t;
        this.pos++;
      } else if (s === '__attribute__' || s === '__attribute') {
        this.attributes(attrs);
      } else if (s === '_Alignas') {
        this.pos++;
        this.expect('(');
        const a = this.isTypeStart()
          ? this.layout(this.parseTypeName(), t).align
          : Number(this.intValue(this.conditional(), t).v);
        this.expect(')');
        attrs.align = Math.max(attrs.align ?? 1, a);
      } else if (s === 'struct' || s === 'union') {
        if (type || words.length) break;
        this.pos++;
        type = this.recordSpecifier(s === 'union', t, attrs);
      } else if (s === 'enum') {
        if (type || words.length) break;
        this.pos++;
        type = this.enumSpecifier(t, attrs);
      } else if (s === '__typeof__' || s === 'typeof' || s === '__typeof') {
        if (type || words.length) break;
        this.pos++;
        this.expect('(');
        type = this.isTypeStart() ? this.parseTypeName() : this.exprType(this.expression());
        this.expect(')');
      } else if (BASIC.has(s)) {
        if (type) throw CFrontError.at(t, `two or more data types in declaration specifiers`);
        words.push(s);
        this.pos++;
      } else if (!type && !words.length && this.state.typedef(s) !== undefined) {
        type = { kind: 'typedef', decl: this.unit.typedefs.get(s)! };
        this.pos++;
      } else break;
    }
    if (words.length) type = this.basicType(words, at);
    if (!type) {
      const t = this.peek() ?? at;
      if (t.kind === 'ident') throw CFrontError.at(t, `unknown type name '${t.text}'`);
      throw CFrontError.at(t, `expected a type before '${t.text}'`);
    }
    if (atomic) type = this.atomicType(type, atomic);
    const atomicAt = atomic ?? atomicSpecifier;
    return { type, isTypedef, attrs, ...(atomicAt ? { atomic: atomicAt } : {}), ...(cv ? { cv } : {}) };
  }

  /**
   * `_Atomic T`: T aligned as the ABI's reference compiler aligns atomics (Abi.atomicPromote), as a typedef of T named
   * `_Atomic T` (with that alignment where it differs from T's). clang also rounds a size up to a power of two, which
   * no typedef can say: that case is a located error.
   */
  private atomicType(t: CType, at: Token): CType {
    let size: number;
    let align: number;
    try {
      ({ size, align } = this.sizes.typeLayout(t));
    } catch (e) {
      // `_Atomic struct fwd *p`: clang rejects an atomic incomplete type, gcc takes it
      if (e instanceof SizeError)
        throw CFrontError.at(at, `_Atomic of an incomplete type: clang rejects it (${e.bare})`);
      throw e;
    }
    const abi = this.abi;
    if (stripTypedefs(t).kind === 'array')
      throw CFrontError.at(at, '_Atomic of an array type (gcc and clang reject it)');
    let atomicAlign = align;
    if (abi.atomicPromote !== null) {
      if (size === 0)
        throw CFrontError.at(at, `_Atomic of an empty type: clang makes it 1 byte on ${abi.name}, not modelled`);
      if (size <= abi.atomicPromote) {
        const pow2 = 2 ** Math.ceil(Math.log2(size));
        if (pow2 !== size)
          throw CFrontError.at(
            at,
            `_Atomic of a ${size}-byte type: clang makes it ${pow2} bytes on ${abi.name}, which ioctl32 does not model`,
          );
        atomicAlign = size;
      }
    } else if ([1, 2, 4, 8, 16].includes(size)) atomicAlign = Math.max(align, Math.min(size, abi.biggestAlignment));
    // named `_Atomic T` whether or not the alignment moved: reports and generated C say what the header says
    const inner = typeName(t);
    // `_Atomic int *` would be a pointer to an atomic int
    const name = /[*)\]]$/.test(inner) ? `_Atomic(${inner})` : `_Atomic ${inner}`;
    if (atomicAlign === align) return { kind: 'typedef', decl: { name, type: t, atomic: true } };
    return { kind: 'typedef', decl: { name, type: t, align: atomicAlign, atomic: true } };
  }

  /**
   * The type specifiers' combination is one C11 6.7.2p2 lists (`unsigned long long int`, `long double`, `signed
   * char`): another (`int int`, `long long long`, `unsigned signed`) is the error gcc and clang give, located.
   */
  private checkCombination(words: readonly string[], at: Token): void {
    const signs = words.filter((w) => SIGNED_WORDS.has(w) || UNSIGNED_WORDS.has(w));
    const bases = words.filter((w) => w !== 'short' && w !== 'long' && !signs.includes(w));
    const shorts = words.filter((w) => w === 'short').length;
    const longs = words.filter((w) => w === 'long').length;
    const fail = (message: string): never => {
      throw CFrontError.at(at, message);
    };
    if (bases.length > 1) fail('two or more data types in declaration specifiers');
    if (signs.some((w) => SIGNED_WORDS.has(w)) && signs.some((w) => UNSIGNED_WORDS.has(w)))
      fail("both 'signed' and 'unsigned' in declaration specifiers");
    if (signs.length > 1) fail(`duplicate '${signs[1]}'`);
    if (shorts > 1) fail("duplicate 'short'");
    if (shorts && longs) fail("both 'long' and 'short' in declaration specifiers");
    if (longs > 2) fail("'long long long' is too long");
    const base = bases[0];
    if (base === undefined || base === 'int') return;
    if (shorts) fail(`both 'short' and '${base}' in declaration specifiers`);
    if (longs && !(base === 'double' && longs === 1))
      fail(`both '${longs > 1 ? 'long long' : 'long'}' and '${base}' in declaration specifiers`);
    if (signs.length && base !== 'char' && base !== '__int128')
      fail(`both '${signs[0]}' and '${base}' in declaration specifiers`);
  }

  private basicType(words: string[], at: Token): CType {
    const count = (w: string) => words.filter((x) => x === w).length;
    const unsigned = count('unsigned') + count('__unsigned__') > 0;
    const signed = count('signed') + count('__signed__') + count('__signed') > 0;
    const longs = count('long');
    if (words.includes('_Complex') || words.includes('__complex__')) {
      // C11 6.2.5p13: the representation and alignment of an array of two of the real type; `_Complex` alone is
      // gcc's and clang's `_Complex double`, `_Complex int` their extension
      const rest = words.filter((w) => w !== '_Complex' && w !== '__complex__');
      if (words.length - rest.length > 1) throw CFrontError.at(at, "duplicate '_Complex'");
      const real = this.basicType(rest.length ? rest : ['double'], at);
      // gcc and clang reject a complex _Bool; clang a complex __int128
      if ((real.kind !== 'float' && real.kind !== 'int') || (real.kind === 'int' && /_Bool|__int128/.test(real.name)))
        throw CFrontError.at(at, `_Complex of ${typeName(real)}`);
      return {
        kind: 'typedef',
        decl: { name: `${typeName(real)} _Complex`, type: { kind: 'array', of: real, length: 2 }, complex: true },
      };
    }
    this.checkCombination(words, at);
    if (words.includes('void')) return { kind: 'void' };
    if (words.includes('_Bool')) return { kind: 'int', name: '_Bool' };
    if (words.includes('__builtin_va_list')) return { kind: 'pointer', to: { kind: 'void' } };
    if (words.includes('float') || words.includes('_Float32')) return { kind: 'float', name: 'float' };
    if (words.includes('_Float64') || words.includes('_Float32x')) return { kind: 'float', name: 'double' };
    if (words.includes('_Float128') || words.includes('__float128') || words.includes('_Float64x')) {
      throw CFrontError.at(at, '_Float128 is not supported');
    }
    if (words.includes('double')) return { kind: 'float', name: (longs ? 'long double' : 'double') as FloatName };
    if (words.includes('__int128_t')) return { kind: 'int', name: '__int128' };
    if (words.includes('__uint128_t')) return { kind: 'int', name: 'unsigned __int128' };
    let name: IntName;
    if (words.includes('char')) name = unsigned ? 'unsigned char' : signed ? 'signed char' : 'char';
    else if (words.includes('__int128')) name = unsigned ? 'unsigned __int128' : '__int128';
    else if (words.includes('short')) name = unsigned ? 'unsigned short' : 'short';
    else if (longs >= 2) name = unsigned ? 'unsigned long long' : 'long long';
    else if (longs === 1) name = unsigned ? 'unsigned long' : 'long';
    else name = unsigned ? 'unsigned int' : 'int';
    if (name.includes('__int128') && this.abi.sizes.int128 === undefined)
      throw CFrontError.at(at, `__int128 is not supported on ${this.abi.name}`);
    return { kind: 'int', name };
  }

  /** `__attribute__((...))` lists (any number), merged into `into`. */
  private attributes(into: Attrs): Attrs {
    while (this.is('__attribute__') || this.is('__attribute')) {
      const at = this.next();
      this.expect('(');
      this.expect('(');
      while (!this.is(')')) {
        const name = this.next();
        const n = name.text.replace(/^__(.*)__$/, '$1');
        // they change a layout in ways not modelled here: an error, not a silently other layout
        if (UNMODELLED_LAYOUT_ATTRIBUTES.has(n)) {
          throw CFrontError.at(name, `__attribute__((${n})) changes the layout in a way ioctl32 does not model`);
        }
        if (this.is('(')) {
          const open = this.pos;
          if (n === 'aligned') {
            this.pos++;
            const v = Number(this.intValue(this.expression(), name).v);
            this.expect(')');
            into.align = Math.max(into.align ?? 0, v);
          } else if (n === 'mode') {
            this.pos++;
            const mode = this.next().text.replace(/^__(.*)__$/, '$1');
            this.expect(')');
            const bytes = mode === 'word' || mode === 'pointer' ? this.abi.sizes.pointer : MODE_BYTES[mode];
            if (bytes === undefined) throw CFrontError.at(name, `unknown machine mode '${mode}'`);
            into.modeBytes = bytes;
          } else {
            this.pos = open;
            this.skipBalanced();
          }
        } else if (n === 'packed') into.packed = true;
        else if (n === 'aligned') {
          const clang = this.abi.clangBareAligned;
          if (clang !== undefined && clang !== this.abi.biggestAlignment)
            throw CFrontError.at(
              name,
              `a bare aligned on ${this.abi.name}: clang aligns to ${clang}, gcc to ${this.abi.biggestAlignment}; ` +
                'give the alignment (aligned(N))',
            );
          into.align = Math.max(into.align ?? 0, this.abi.biggestAlignment);
        }
        if (!this.take(',')) break;
      }
      this.expect(')');
      if (!this.take(')')) throw CFrontError.at(at, "expected ')' to close __attribute__");
    }
    return into;
  }

  /**
   * `struct tag`, or a definition. Attributes written after a tag that is only referenced
   * (`struct ts_config __attribute__((aligned(8))) *config;`) belong to the declaration: they
   * go to `declAttrs`.
   */
  private recordSpecifier(isUnion: boolean, at: Token, declAttrs: Attrs): CType {
    const attrs = this.attributes({});
    let tag: string | undefined;
    if (this.peek()?.kind === 'ident' && !this.is('{') && this.peek()!.text !== '__attribute__') tag = this.next().text;
    this.attributes(attrs);
    const key = tag !== undefined ? `${isUnion ? 'union' : 'struct'} ${tag}` : undefined;
    let decl = key ? this.state.tag(key) : undefined;
    if (decl && !('union' in decl)) throw CFrontError.at(at, `'${key}' defined as wrong kind of tag`);
    if (!this.is('{')) {
      mergeAttrs(declAttrs, attrs);
      if (!decl) {
        decl = { union: isUnion, members: null, loc: at.loc };
        if (tag !== undefined) decl.tag = tag;
        if (key) this.state.declareTag(key, decl);
      }
      return { kind: 'record', decl: decl };
    }
    const rec = decl ?? { union: isUnion, members: null, loc: at.loc };
    if (rec.members !== null) throw CFrontError.at(at, `redefinition of '${key}'`);
    if (tag !== undefined) rec.tag = tag;
    if (key) this.state.declareTag(key, rec);
    rec.loc = at.loc;
    this.pos++;
    const members: Member[] = [];
    while (!this.is('}')) this.memberDeclaration(members);
    rec.endLoc = this.next().loc;
    this.attributes(attrs);
    duplicateMember(members);
    rec.members = members;
    if (attrs.packed) rec.packed = true;
    if (attrs.align !== undefined) rec.align = attrs.align;
    const pack = this.state.packing();
    if (pack !== undefined) rec.maxFieldAlign = pack;
    if (key) this.state.declareRecord(key, rec);
    // a record the compiler would reject (a bitfield too wide, ...) is an error here too
    this.layout({ kind: 'record', decl: rec }, at);
    return { kind: 'record', decl: rec };
  }

  private memberDeclaration(members: Member[]): void {
    const first = this.peek();
    if (!first) throw this.errorAtEnd("expected '}' at end of input");
    if (this.take(';')) return;
    if (first.kind === 'pragma') {
      this.pos++;
      this.pragmaPack(first);
      return;
    }
    if (this.is('_Static_assert') || this.is('static_assert')) return this.staticAssert();
    const spec = this.specifiers(first);
    if (this.is(';')) {
      // an anonymous struct/union member (C11)
      const semi = this.next();
      const t = spec.type;
      if (t.kind === 'record' && t.decl.tag === undefined) {
        members.push({ type: t, loc: first.loc, declLoc: first.loc, declEnd: semi.loc });
      }
      return;
    }
    const declared = members.length;
    // one place object per token: the declaration's members share theirs
    const firstLoc = first.loc;
    for (;;) {
      let name: string | undefined;
      let type = spec.type;
      let nameTok: Token | undefined;
      const attrs: Attrs = { ...spec.attrs };
      let pointerAlign: { align: number; at: Token } | undefined;
      if (!this.is(':')) ({ name, type, nameTok, pointerAlign } = this.declarator(spec.type, attrs));
      this.attributes(attrs);
      if (pointerAlign !== undefined) {
        // a member's pointer aligned(N): raising, both compilers agree (as aligned on the member); lowering,
        // gcc lowers and clang does not (measured: struct { char c; void * __attribute__((aligned(2))) p; })
        if (pointerAlign.align < this.layout(type, pointerAlign.at).align)
          throw CFrontError.at(
            pointerAlign.at,
            `aligned(${pointerAlign.align}) after '*' lowers the pointer's alignment: gcc lowers it, clang does not`,
          );
        attrs.align = Math.max(attrs.align ?? 0, pointerAlign.align);
      }
      const member: Member = { type, loc: nameTok ? nameTok.loc : firstLoc, declLoc: firstLoc };
      if (name !== undefined) member.name = name;
      if (this.take(':')) {
        const at = this.peek() ?? first;
        if (spec.atomic) throw CFrontError.at(spec.atomic, 'a bit-field of an _Atomic type (gcc and clang reject it)');
        member.bitWidth = Number(this.intValue(this.conditional(), at).v);
        this.attributes(attrs);
      }
      if (attrs.modeBytes !== undefined) member.type = this.modeType(member.type, attrs.modeBytes, first);
      if (attrs.packed) member.packed = true;
      if (attrs.align !== undefined) member.align = attrs.align;
      members.push(member);
      if (this.take(',')) {
        const next = this.peek();
        // `int x, __attribute__((aligned(8))) y;` in a record: clang aligns y, gcc rejects the declaration
        if (next && (next.text === '__attribute__' || next.text === '__attribute'))
          throw CFrontError.at(next, "an attribute before a member's declarator: clang applies it, gcc rejects it");
        continue;
      }
      const semi = this.peek();
      // a record's last member without its ';' (`int b }`): gcc and clang take it, with a warning
      if (semi?.text !== '}') this.expect(';');
      const end = semi?.loc;
      for (const m of members.slice(declared)) {
        if (end) m.declEnd = end;
        // `long a, b;`: one declaration, several members (a fix that rewrites it touches them all)
        if (members.length - declared > 1) m.sharesDeclaration = true;
      }
      return;
    }
  }

  private enumSpecifier(at: Token, declAttrs: Attrs): CType {
    const attrs = this.attributes({});
    let tag: string | undefined;
    if (this.peek()?.kind === 'ident' && !this.is('{')) tag = this.next().text;
    this.attributes(attrs);
    const key = tag !== undefined ? `enum ${tag}` : undefined;
    let decl = key ? (this.state.tag(key) as EnumDecl | undefined) : undefined;
    if (decl && 'union' in decl) throw CFrontError.at(at, `'${key}' defined as wrong kind of tag`);
    if (!this.is('{')) {
      mergeAttrs(declAttrs, attrs);
      if (!decl) {
        decl = { values: null, loc: at.loc };
        if (tag !== undefined) decl.tag = tag;
        if (key) this.state.declareTag(key, decl);
      }
      return { kind: 'enum', decl };
    }
    const e: EnumDecl = decl ?? { values: null, loc: at.loc };
    if (e.values !== null) throw CFrontError.at(at, `redefinition of '${key}'`);
    if (tag !== undefined) e.tag = tag;
    if (key) this.state.declareTag(key, e);
    this.pos++;
    const values: EnumConstant[] = [];
    let next = 0n;
    while (!this.take('}')) {
      const id = this.next();
      if (id.kind !== 'ident') throw CFrontError.at(id, `expected an enumerator name before '${id.text}'`);
      this.attributes({});
      if (this.take('=')) next = this.intValue(this.conditional(), id).v;
      values.push({ name: id.text, value: next });
      // GCC gives an enumerator int when it fits, otherwise the type of its value
      this.state.declareEnumConstant(id.text, this.enumConstantValue(next));
      next++;
      if (!this.take(',')) {
        this.expect('}');
        break;
      }
    }
    this.attributes(attrs);
    e.values = values;
    if (attrs.packed) e.packed = true;
    if (key) this.state.declareEnum(key, e);
    return { kind: 'enum', decl: e };
  }

  private enumConstantValue(v: bigint): CValue {
    if (v >= -(1n << 31n) && v < 1n << 31n) return { v, t: 'int' };
    if (v >= 0n && v < 1n << 32n) return { v, t: 'unsigned int' };
    return v < 0n || v < 1n << 63n ? convert(v, 'long long', this.abi) : convert(v, 'unsigned long long', this.abi);
  }

  // ---- declarators ------------------------------------------------------------------------

  /** A (possibly abstract) declarator applied to `base`. */
  private declarator(base: CType, attrs: Attrs = {}): Declarator {
    let type = base;
    /** Whether the last '*' was qualified (null: no '*'): the declared type's own qualifiers then. */
    let pointerCv: boolean | null = null;
    // `T * __attribute__((aligned(N))) x`: the declared pointer takes it (gcc and clang). After an inner
    // '*' (`T * __attribute__((aligned(8))) *x`) they part: clang aligns x, gcc does not (measured:
    // struct { char c; void * __attribute__((aligned(8))) *p; } is 16 bytes with clang -m32, 8 with gcc)
    let outer: Attrs = {};
    let outerAt: Token | undefined;
    for (;;) {
      this.attributes({});
      const star = this.peek();
      if (!this.take('*')) break;
      if (outer.align !== undefined)
        throw CFrontError.at(outerAt!, "aligned after an inner '*': gcc ignores it, clang aligns the declared pointer");
      type = { kind: 'pointer', to: type };
      outer = {};
      outerAt = star!;
      pointerCv = false;
      let atomicAt: Token | undefined;
      while (this.peek()?.kind === 'ident' && (QUALIFIERS.has(this.peek()!.text) || this.is('__attribute__'))) {
        if (this.is('__attribute__')) this.attributes(outer);
        else {
          const q = this.next();
          if (q.text === '_Atomic') atomicAt ??= q;
          else if (CV.has(q.text)) pointerCv = true;
        }
      }
      // `T * _Atomic p`: an atomic pointer, as `_Atomic(T *) p`
      if (atomicAt) type = this.atomicType(type, atomicAt);
    }
    if (this.is('(') && !this.startsParameterList()) {
      // `(*name)(params)`: the suffixes outside apply first, then the inner declarator
      const start = this.pos;
      this.pos++;
      this.declarator({ kind: 'void' });
      this.expect(')');
      const outer = this.suffixes(type);
      const end = this.pos;
      this.pos = start + 1;
      const inner = this.declarator(outer, attrs);
      this.expect(')');
      this.pos = end;
      return inner;
    }
    let name: string | undefined;
    let nameTok: Token | undefined;
    const t = this.peek();
    if (t?.kind === 'ident' && !this.is('__attribute__') && !QUALIFIERS.has(t.text)) {
      name = t.text;
      nameTok = t;
      this.pos++;
    }
    // attributes after the name belong to the declared member or typedef
    this.attributes(attrs);
    const result: Declarator = { type: this.suffixes(type) };
    // the qualifiers after the last '*' are the declared type's, unless an array or function declarator follows
    if (pointerCv !== null) result.cv = pointerCv && result.type === type;
    if (name !== undefined) result.name = name;
    if (nameTok !== undefined) result.nameTok = nameTok;
    if (outer.align !== undefined) {
      // an array of aligned pointers: gcc refuses it on 32-bit ABIs (elements smaller than their alignment)
      if (result.type !== type)
        throw CFrontError.at(outerAt!, "aligned after '*' on an array or function declarator is not supported");
      result.pointerAlign = { align: outer.align, at: outerAt! };
    }
    return result;
  }

  /** After `(`: does a parameter list (abstract function declarator) start here? */
  private startsParameterList(): boolean {
    const next = this.peek(1);
    if (!next) return false;
    if (next.text === ')') return true;
    const saved = this.pos;
    this.pos++;
    const isType = this.isTypeStart() && !this.is('__attribute__');
    this.pos = saved;
    return isType;
  }

  private suffixes(type: CType): CType {
    if (this.is('[')) {
      const open = this.next();
      while (this.peek()?.kind === 'ident' && (QUALIFIERS.has(this.peek()!.text) || this.is('static'))) this.pos++;
      let length: number | null = null;
      if (!this.is(']')) {
        const v = this.intValue(this.expression(), open);
        if (v.v < 0n) throw CFrontError.at(open, `size of array is negative (${v.v})`);
        if (v.v > BigInt(Number.MAX_SAFE_INTEGER)) throw CFrontError.at(open, 'size of array is too large');
        length = Number(v.v);
      }
      this.expect(']');
      return { kind: 'array', of: this.suffixes(type), length };
    }
    if (this.is('(')) {
      this.pos++;
      const params: CType[] = [];
      let variadic = false;
      if (this.is('void') && this.is(')', 1)) this.pos++;
      while (!this.take(')')) {
        if (this.take('...')) {
          variadic = true;
          continue;
        }
        const spec = this.specifiers(this.peek()!);
        params.push(this.declarator(spec.type).type);
        this.attributes({});
        if (!this.is(')')) this.expect(',');
      }
      return { kind: 'function', result: this.suffixes(type), params, variadic };
    }
    return type;
  }

  private parseTypeName(): CType {
    return this.typeNameQualified().type;
  }

  /** A type name, and whether it is qualified (const, volatile, restrict), itself or through a typedef. */
  private typeNameQualified(): { type: CType; qualified: boolean } {
    const at = this.peek();
    if (!at) throw this.errorAtEnd('expected a type name');
    const spec = this.specifiers(at);
    const d = this.declarator(spec.type);
    if (d.name !== undefined) throw CFrontError.at(d.nameTok!, `unexpected identifier '${d.name}' in type name`);
    return { type: d.type, qualified: d.cv ?? (spec.cv !== undefined || isQualified(d.type)) };
  }

  // ---- constant expressions: the operands of ConstantExpressions' grammar -----------------

  /** A type's size and alignment; a type the ABI cannot lay out is an error here (at `at`, or its declaration). */
  private layout(t: CType, at: Token): { size: number; align: number } {
    try {
      return this.sizes.typeLayout(t);
    } catch (e) {
      if (e instanceof SizeError) throw new CFrontError(e.bare, e.loc ?? at.loc);
      throw e;
    }
  }

  protected override int(value: CValue): Value {
    return { kind: 'int', value };
  }

  protected override asInt(v: Value): CValue | null {
    return v.kind === 'int' ? v.value : null;
  }

  protected override intValue(v: Value, at: Token): CValue {
    if (v.kind === 'int') return v.value;
    if (v.kind === 'float') throw CFrontError.at(v.at, 'floating constant in an integer constant expression');
    if (v.kind === 'ptr' && v.addr !== null) return convert(v.addr, 'unsigned long', this.abi);
    throw CFrontError.at(at, 'expression is not an integer constant expression');
  }

  protected override missingOperand(): CFrontError {
    return this.errorAtEnd('expected an expression');
  }

  private exprType(v: Value): CType {
    return v.kind === 'int' ? { kind: 'int', name: v.value.t } : v.type;
  }

  protected override pointerArithmetic(op: Token, a: Value, b: Value): Value | undefined {
    if (a.kind !== 'ptr' || a.addr === null || b.kind !== 'int') return undefined;
    if (op.text !== '+' && op.text !== '-') return undefined;
    const elem = this.layout(a.type.kind === 'pointer' ? a.type.to : a.type, op).size;
    const delta = b.value.v * BigInt(elem);
    return { ...a, addr: op.text === '+' ? a.addr + delta : a.addr - delta };
  }

  /** Unary minus and plus keep a floating constant one (`(int)-2.5`, as gcc and clang fold it). */
  protected override unaryExpr(): Value {
    const t = this.peek();
    if (t?.kind === 'punct' && (t.text === '-' || t.text === '+')) {
      this.pos++;
      const v = this.castExpr();
      if (v.kind === 'float') return t.text === '-' ? { ...v, value: -v.value } : v;
      return { kind: 'int', value: unary(t.text, this.intValue(v, t), this.abi) };
    }
    return super.unaryExpr();
  }

  protected override castExpr(): Value {
    if (this.is('(') && this.typeAfterParen()) {
      const at = this.next();
      const t = this.parseTypeName();
      this.expect(')');
      if (this.is('{')) throw CFrontError.at(at, 'compound literals are not constant expressions');
      // clang: "used type '_Atomic(int)' where arithmetic or pointer type is required"; gcc takes it
      if (isAtomic(t)) throw CFrontError.at(at, `a cast to the atomic type '${typeName(t)}': clang rejects it`);
      return this.cast(this.castExpr(), t, at);
    }
    return this.unaryExpr();
  }

  private typeAfterParen(): boolean {
    const saved = this.pos;
    this.pos++;
    const r = this.isTypeStart();
    this.pos = saved;
    return r;
  }

  private cast(v: Value, t: CType, at: Token): Value {
    const base = stripTypedefs(t);
    // `enum p { B = (enum p)300 }`: the enum has no integer type until its `}` (gcc and clang reject it)
    if (base.kind === 'enum' && base.decl.values === null)
      throw CFrontError.at(at, `cast to incomplete type 'enum ${base.decl.tag ?? '(anonymous)'}'`);
    if (v.kind === 'float') {
      if (base.kind === 'float')
        return { ...v, type: t, value: base.name === 'float' ? Math.fround(v.value) : v.value };
      if (base.kind !== 'int' && base.kind !== 'enum')
        throw CFrontError.at(at, 'a floating constant is cast to an integer type only');
      const name = base.kind === 'int' ? base.name : enumUnderlying(base.decl, this.abi);
      // to _Bool: whether it is zero (an infinity too)
      if (name === '_Bool') return { kind: 'int', value: convert(v.value === 0 ? 0n : 1n, name, this.abi) };
      // toward zero (C11 6.3.1.4); a value the type does not hold (an infinity) is undefined: said instead
      const x = Number.isFinite(v.value) ? BigInt(Math.trunc(v.value)) : null;
      const c = x === null ? null : convert(x, name, this.abi);
      if (c === null || c.v !== x)
        throw CFrontError.at(v.at, `${v.value} is out of the range of ${name} (undefined in C)`);
      return { kind: 'int', value: c };
    }
    if (base.kind === 'int') return { kind: 'int', value: convert(this.intValue(v, at).v, base.name, this.abi) };
    // to the enum's integer type: a packed enum's is a char or short ((enum pe)300 is 44, as gcc and clang say)
    if (base.kind === 'enum')
      return { kind: 'int', value: convert(this.intValue(v, at).v, enumUnderlying(base.decl, this.abi), this.abi) };
    if (base.kind === 'pointer')
      return { kind: 'ptr', type: t, addr: v.kind === 'int' ? v.value.v : v.kind === 'ptr' ? v.addr : null };
    if (base.kind === 'void') return { kind: 'lvalue', type: t, addr: null };
    throw CFrontError.at(at, 'cast to a type that is not scalar in a constant expression');
  }

  /** After the unary arithmetic operators: `&`, `*`, sizeof and alignof, postfix expressions. */
  protected override operand(t: Token): Value {
    if (t.kind === 'punct' && t.text === '&') {
      this.pos++;
      const v = this.castExpr();
      if (v.kind !== 'lvalue')
        throw CFrontError.at(t, 'cannot take the address of this operand in a constant expression');
      return { kind: 'ptr', type: { kind: 'pointer', to: v.type }, addr: v.addr };
    }
    if (t.kind === 'punct' && t.text === '*') {
      this.pos++;
      const v = this.castExpr();
      if (v.kind !== 'ptr' || v.type.kind !== 'pointer')
        throw CFrontError.at(t, 'indirection requires a pointer operand');
      return { kind: 'lvalue', type: v.type.to, addr: v.addr };
    }
    if (
      t.text === 'sizeof' ||
      t.text === '_Alignof' ||
      t.text === '__alignof__' ||
      t.text === '__alignof' ||
      t.text === 'alignof'
    ) {
      this.pos++;
      let type: CType;
      if (this.is('(') && this.typeAfterParen()) {
        this.pos++;
        type = this.parseTypeName();
        this.expect(')');
      } else {
        type = this.exprType(this.unaryExpr());
      }
      const l = this.layout(type, t);
      const n =
        t.text === 'sizeof'
          ? l.size
          : t.text === '_Alignof' || t.text === 'alignof'
            ? l.align
            : this.preferredAlign(type, l.align);
      return { kind: 'int', value: convert(BigInt(n), this.abi.cTypes.size_t as IntName, this.abi) };
    }
    return this.postfix(this.primary());
  }

  /** __alignof__ is GCC's preferred alignment: 8 for long long and double on i386. */
  private preferredAlign(t: CType, align: number): number {
    let base = t;
    while (base.kind === 'array') base = base.of;
    if (base.kind === 'typedef' && base.decl.align !== undefined) return align;
    base = stripTypedefs(base);
    const key =
      base.kind === 'int'
        ? { 'long long': 'longLong', 'unsigned long long': 'longLong' }[base.name as string]
        : base.kind === 'float'
          ? ({ double: 'double', 'long double': 'longDouble' } as Record<string, string>)[base.name]
          : undefined;
    return key ? this.abi.typeAligns[key as 'longLong' | 'double' | 'longDouble'] : align;
  }

  private postfix(v: Value): Value {
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'punct') return v;
      if (t.text === '->' || t.text === '.') {
        this.pos++;
        const name = this.next();
        let target: CType;
        let base: bigint | null;
        if (t.text === '->') {
          if (v.kind !== 'ptr' || v.type.kind !== 'pointer')
            throw CFrontError.at(t, "'->' requires a pointer to a record");
          target = v.type.to;
          base = v.addr;
        } else {
          if (v.kind !== 'lvalue') throw CFrontError.at(t, "'.' requires a record");
          target = v.type;
          base = v.addr;
        }
        const m = this.findMember(target, name);
        v = { kind: 'lvalue', type: m.type, addr: base === null ? null : base + BigInt(m.offset) };
        continue;
      }
      if (t.text === '[') {
        this.pos++;
        const index = this.intValue(this.expression(), t).v;
        this.expect(']');
        const arrayType = v.kind === 'int' || v.kind === 'float' ? null : stripTypedefs(v.type);
        if (!arrayType || (arrayType.kind !== 'array' && arrayType.kind !== 'pointer'))
          throw CFrontError.at(t, 'subscripted value is not an array or pointer');
        const elem = arrayType.kind === 'array' ? arrayType.of : arrayType.to;
        const addr = v.kind === 'ptr' || v.kind === 'lvalue' ? v.addr : null;
        v = {
          kind: 'lvalue',
          type: elem,
          addr: addr === null ? null : addr + index * BigInt(this.layout(elem, t).size),
        };
        continue;
      }
      return v;
    }
  }

  /** A member by name, looking through anonymous members; offset in bytes from the record. */
  private findMember(t: CType, nameTok: Token): { type: CType; offset: number } {
    const base = stripTypedefs(t);
    if (base.kind !== 'record')
      throw CFrontError.at(nameTok, `request for member '${nameTok.text}' in something not a structure or union`);
    this.layout(base, nameTok);
    const found = this.memberIn(base.decl, nameTok.text);
    const where = recordName(base.decl) ?? 'anonymous record';
    if (!found) throw CFrontError.at(nameTok, `no member named '${nameTok.text}' in '${where}'`);
    return found;
  }

  private memberIn(decl: RecordDecl, name: string): { type: CType; offset: number } | null {
    const l = this.sizes.layout(decl);
    for (const p of l.members) {
      if (p.member.name === name) {
        if (p.member.bitWidth !== undefined)
          throw new CFrontError(
            `cannot take the offset of bit-field '${name}'`,
            p.member.loc ?? { file: '<input>', line: 0, column: 0 },
          );
        return { type: p.member.type, offset: p.offset };
      }
      if (p.member.name === undefined && p.member.type.kind === 'record') {
        const inner = this.memberIn(p.member.type.decl, name);
        if (inner) return { type: inner.type, offset: p.offset + inner.offset };
      }
    }
    return null;
  }

  private primary(): Value {
    const t = this.next();
    if (t.kind === 'number') {
      if (isFloatingConstant(t.text)) {
        // an operand of a cast to an integer type or of sizeof (C11 6.6): nothing else computes with it
        const { type, value, wide } = floatingConstant(t);
        if (wide && type === 'long double' && this.abi.sizes.longDouble > 8)
          throw CFrontError.at(t, `'${t.text}' needs the precision of ${this.abi.name}'s long double, not modelled`);
        return { kind: 'float', type: { kind: 'float', name: type }, value, at: t };
      }
      return { kind: 'int', value: integerLiteral(t, this.abi) };
    }
    if (t.kind === 'char') return { kind: 'int', value: charLiteral(t, this.abi) };
    if (t.kind === 'string') {
      // adjacent literals are one: escapes count one element each, a prefix (L, u, U) sets the element type
      let { prefix, units } = stringLiteral(t);
      while (this.peek()?.kind === 'string') {
        const more = stringLiteral(this.next());
        units += more.units;
        if (more.prefix !== '' && more.prefix !== 'u8') prefix = more.prefix;
      }
      const of: CType =
        prefix === 'L'
          ? { kind: 'int', name: this.abi.cTypes.wchar_t as IntName }
          : prefix === 'u'
            ? { kind: 'int', name: 'unsigned short' }
            : prefix === 'U'
              ? { kind: 'int', name: 'unsigned int' }
              : { kind: 'int', name: 'char' };
      return { kind: 'lvalue', type: { kind: 'array', of, length: units + 1 }, addr: null };
    }
    if (t.text === '(') {
      const v = this.expression();
      this.expect(')');
      return v;
    }
    if (t.text === '__builtin_offsetof' || t.text === 'offsetof') return this.offsetof(t);
    if (t.text === '__builtin_constant_p') {
      this.pos--;
      this.next();
      this.skipBalanced();
      return { kind: 'int', value: bool(true, this.abi) };
    }
    if (t.kind === 'ident') {
      const c = this.state.enumConstant(t.text);
      if (c) return { kind: 'int', value: c };
      const object = this.state.object(t.text);
      if (object) return { kind: 'lvalue', type: object, addr: null };
      throw CFrontError.at(t, `'${t.text}' undeclared (not a constant)`);
    }
    throw CFrontError.at(t, `expected an expression before '${t.text}'`);
  }

  private offsetof(at: Token): Value {
    this.expect('(');
    const type = this.parseTypeName();
    this.expect(',');
    let v: Value = { kind: 'lvalue', type, addr: 0n };
    const first = this.next();
    if (first.kind !== 'ident') throw CFrontError.at(first, 'expected a member name in offsetof');
    const m = this.findMember(type, first);
    v = { kind: 'lvalue', type: m.type, addr: BigInt(m.offset) };
    v = this.postfix(v);
    this.expect(')');
    if (v.kind !== 'lvalue' || v.addr === null) throw CFrontError.at(at, 'offsetof needs a constant member designator');
    return { kind: 'int', value: convert(v.addr, this.abi.cTypes.size_t as IntName, this.abi) };
  }
}

function mergeAttrs(into: Attrs, from: Attrs): void {
  if (from.packed) into.packed = true;
  if (from.align !== undefined) into.align = Math.max(into.align ?? 0, from.align);
  if (from.modeBytes !== undefined) into.modeBytes = from.modeBytes;
}

/**
 * An expression's value: an integer, a pointer (maybe with a known address), or an lvalue (sizeof/offsetof
 * operands).
 */
type Value =
  | { kind: 'int'; value: CValue }
  /** A floating constant (`at`): a cast makes it an integer, sizeof reads its type. */
  | { kind: 'float'; type: CType; value: number; at: Token }
  | { kind: 'ptr'; type: CType; addr: bigint | null }
  | { kind: 'lvalue'; type: CType; addr: bigint | null };

/** C11 6.7.2.1: member names are unique in a record, those of its anonymous members included. */
function duplicateMember(members: readonly Member[], seen = new Set<string>()): void {
  for (const m of members) {
    const t = stripTypedefs(m.type);
    if (m.name === undefined) {
      if (t.kind === 'record' && m.bitWidth === undefined && t.decl.members) duplicateMember(t.decl.members, seen);
      continue;
    }
    if (seen.has(m.name))
      throw new CFrontError(`duplicate member '${m.name}'`, m.loc ?? { file: '<input>', line: 0, column: 0 });
    seen.add(m.name);
  }
}
