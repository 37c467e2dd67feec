/** Tokens, locations and errors of the C front end. */
import { Ioctl32Error } from '../errors.js';
import type { SourceLoc } from './types.js';

/** `pragma` carries a `#pragma pack(...)` from the preprocessor to the parser. */
export type TokKind = 'ident' | 'number' | 'char' | 'string' | 'punct' | 'invalid' | 'pragma';

/**
 * A hide set (the macro names a token must not expand again), as an immutable list: expansion
 * makes one per placed token, and they hold a handful of names, so adding a name is one small
 * object instead of a copied Set.
 */
export class HideSet {
  constructor(
    readonly name: string,
    readonly next: HideSet | null,
  ) {}

  has(name: string): boolean {
    if (this.name === name) return true;
    for (let h = this.next; h !== null; h = h.next) if (h.name === name) return true;
    return false;
  }
}

/**
 * One preprocessing token. Tokens of a file are shared by every ABI: never mutate them. A
 * file's tokens are most of the front end's memory (a UAPI scan keeps ~500k): they carry no
 * hide set or origin fields (null on the prototype); copies placed by macro expansion do.
 */
export class Token {
  /** Macro names that must not expand this token again (the "painted blue" set). */
  declare readonly hide: HideSet | null;
  /** The outermost macro invocation (the macro's name where it was used) this token came from, for diagnostics. */
  declare readonly origin: Token | null;
  /**
   * The column, `bol` and `space` in one small integer: a file's tokens are most of the front end's
   * memory, and a field fewer or two is a fifth of a token.
   */
  private readonly bits: number;

  constructor(
    readonly kind: TokKind,
    readonly text: string,
    readonly file: string,
    readonly line: number,
    col: number,
    /** First token of its line: `#` here starts a directive. */
    bol: boolean,
    /** Whitespace precedes it (matters for `#` stringification and macro definitions). */
    space: boolean,
  ) {
    this.bits = col * 4 + (bol ? 2 : 0) + (space ? 1 : 0);
  }

  get col(): number {
    return this.bits >>> 2;
  }

  /** First token of its line: `#` here starts a directive. */
  get bol(): boolean {
    return (this.bits & 2) !== 0;
  }

  /** Whitespace precedes it (matters for `#` stringification and macro definitions). */
  get space(): boolean {
    return (this.bits & 1) !== 0;
  }

  /** A copy placed by macro expansion: new hide set, spacing and origin. */
  copy(hide: HideSet | null, space: boolean, origin: Token | null): Token {
    return new PlacedToken(this.kind, this.text, this.file, this.line, this.col, space, hide, origin);
  }

  /** The name of the macro it came from (its origin names it). */
  get macro(): string | null {
    return this.origin?.text ?? null;
  }

  /** Where a diagnostic about this token points: the macro invocation if it came from one. */
  get loc(): SourceLoc {
    const at = this.origin ?? this;
    return { file: at.file, line: at.line, column: at.col };
  }
}

Object.defineProperties(Token.prototype, { hide: { value: null }, origin: { value: null } });

/** A token placed by macro expansion (Token.copy): with its hide set and the invocation it came from. */
class PlacedToken extends Token {
  constructor(
    kind: TokKind,
    text: string,
    file: string,
    line: number,
    col: number,
    space: boolean,
    override readonly hide: HideSet | null,
    override readonly origin: Token | null,
  ) {
    super(kind, text, file, line, col, false, space);
  }
}

/** A located error of the front end: `file:line:col: error: message` (`file: error: message` without a line). */
export class CFrontError extends Ioctl32Error {
  constructor(
    readonly bare: string,
    readonly loc: SourceLoc,
    readonly macro?: string,
  ) {
    // line 0: no place in the file (it is missing, say): `file: error: ...`
    const at = loc.line > 0 ? `${loc.file}:${loc.line}:${loc.column}` : loc.file;
    super(`${at}: error: ${bare}${macro ? ` (in expansion of macro '${macro}')` : ''}`);
  }

  static at(tok: Token, message: string): CFrontError {
    return new CFrontError(message, tok.loc, tok.macro ?? undefined);
  }
}
