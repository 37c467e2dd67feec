/**
 * C's constant expressions, one grammar for `#if` and for declarations: the comma,
 * conditional, binary and unary arithmetic operators over a token cursor, with what differs
 * left to hooks. `#if` (evaluateIf) computes in intmax_t over integers only, its identifiers
 * already replaced by the preprocessor; the parser's operands add casts, sizeof/_Alignof,
 * offsetof, addresses and enum constants (Parser).
 */
import type { Abi } from '../abi/types.js';
import {
  binary,
  bool,
  charLiteral,
  commonType,
  convert,
  integerLiteral,
  isUnsigned,
  promote,
  unary,
} from './constants.js';
import type { BinaryOp, CValue } from './constants.js';
import { CFrontError, type Token } from './token.js';

/** C's binary operators by precedence, loosest first (|| ... * / %). */
const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '>', '<=', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Each binary operator's level in BINARY_LEVELS (precedence climbing looks it up once per operator). */
const BINARY_LEVEL: ReadonlyMap<string, number> = new Map(
  BINARY_LEVELS.flatMap((ops, i) => ops.map((op) => [op, i] as const)),
);

/** The grammar of constant expressions over values V, and a cursor over the tokens it reads. */
export abstract class ConstantExpressions<V> {
  protected tokens: Token[] = [];
  protected pos = 0;
  /** Inside an operand that is not evaluated (`0 && x`, `1 ? y : x`): x may divide by zero. */
  protected dead = 0;

  constructor(readonly abi: Abi) {}

  // ---- hooks: what differs between #if and declarations -----------------------------------

  /** An integer as a value. */
  protected abstract int(v: CValue): V;
  /** A value as an integer, or the error (at `at`) that it is none. */
  protected abstract intValue(v: V, at: Token): CValue;
  /** The integer a value is, if it is one: the conditional operator converts two of them alike. */
  protected abstract asInt(v: V): CValue | null;
  /** An operand that does not start with a unary arithmetic operator; `t` is at `pos`, not yet taken. */
  protected abstract operand(t: Token): V;
  /** The error where the tokens end before an operand. */
  protected abstract missingOperand(): CFrontError;
  /** Takes the token `text`, or throws. */
  protected abstract expect(text: string): unknown;

  /** The operand of a unary operator: a cast expression where the grammar has casts. */
  protected castExpr(): V {
    return this.unaryExpr();
  }

  /** `pointer + integer` and `pointer - integer`, where values can be pointers. */
  protected pointerArithmetic(_op: Token, _a: V, _b: V): V | undefined {
    return undefined;
  }

  // ---- the cursor -------------------------------------------------------------------------

  protected peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  protected is(text: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t !== undefined && t.text === text && t.kind !== 'string' && t.kind !== 'char';
  }

  protected take(text: string): boolean {
    if (!this.is(text)) return false;
    this.pos++;
    return true;
  }

  // ---- the grammar ------------------------------------------------------------------------

  protected expression(): V {
    let v = this.conditional();
    while (this.take(',')) v = this.conditional();
    return v;
  }

  protected conditional(): V {
    const at = this.peek();
    const c = this.binaryExpr(0);
    if (!this.take('?')) return c;
    const cond = this.intValue(c, at!).v !== 0n;
    const a = this.unevaluated(!cond, () => this.expression());
    this.expect(':');
    const b = this.unevaluated(cond, () => this.conditional());
    // the usual arithmetic conversions, the integer promotions first: (c ? (char)1 : (short)2) is an int
    const x = this.asInt(a);
    const y = this.asInt(b);
    if (x !== null && y !== null) {
      const t = commonType(promote(x, this.abi).t, promote(y, this.abi).t, this.abi);
      return this.int(convert((cond ? x : y).v, t, this.abi));
    }
    return cond ? a : b;
  }

  /** Operators of `minLevel` (BINARY_LEVELS) and tighter, left to right. */
  protected binaryExpr(minLevel: number): V {
    let a = this.castExpr();
    for (;;) {
      const op = this.peek();
      if (!op || op.kind !== 'punct') return a;
      const level = BINARY_LEVEL.get(op.text);
      if (level === undefined || level < minLevel) return a;
      this.pos++;
      if (op.text === '||' || op.text === '&&') {
        const x = this.intValue(a, op).v !== 0n;
        const b = this.unevaluated(op.text === '||' ? x : !x, () => this.binaryExpr(level + 1));
        const y = this.intValue(b, op).v !== 0n;
        a = this.int(bool(op.text === '||' ? x || y : x && y, this.abi));
        continue;
      }
      const b = this.binaryExpr(level + 1);
      const moved = this.pointerArithmetic(op, a, b);
      if (moved !== undefined) {
        a = moved;
        continue;
      }
      const x = this.intValue(a, op);
      const y = this.intValue(b, op);
      if (this.dead && (op.text === '/' || op.text === '%') && y.v === 0n) continue;
      a = this.int(binary(op.text as BinaryOp, x, y, this.abi, op));
    }
  }

  protected unaryExpr(): V {
    const t = this.peek();
    if (!t) throw this.missingOperand();
    if (t.kind === 'punct' && (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!')) {
      this.pos++;
      const v = this.castExpr();
      return this.int(unary(t.text, this.intValue(v, t), this.abi));
    }
    return this.operand(t);
  }

  /** Runs `f` with `dead` raised while `skip`: an operand C does not evaluate. */
  protected unevaluated<T>(skip: boolean, f: () => T): T {
    if (skip) this.dead++;
    try {
      return f();
    } finally {
      if (skip) this.dead--;
    }
  }
}

/** What `#if` expects where a token is missing. */
const IF_EXPECTED: Readonly<Record<string, string>> = {
  ':': "expected ':' in conditional expression",
  ')': "expected ')' in preprocessor expression",
};

/** `#if`: intmax_t/uintmax_t arithmetic over expanded tokens, `defined` and identifiers already numbers. */
class IfExpression extends ConstantExpressions<CValue> {
  constructor(
    tokens: Token[],
    abi: Abi,
    private readonly at: Token,
  ) {
    super(abi);
    this.tokens = tokens;
  }

  evaluate(): CValue {
    const v = this.expression();
    const extra = this.tokens[this.pos];
    if (extra) throw CFrontError.at(extra, `token '${extra.text}' is not valid in preprocessor expressions`);
    return v;
  }

  /** Every value widened to intmax_t or uintmax_t. */
  protected override int(v: CValue): CValue {
    return convert(v.v, isUnsigned(v.t, this.abi) ? 'unsigned long long' : 'long long', this.abi);
  }

  protected override intValue(v: CValue): CValue {
    return v;
  }

  protected override asInt(v: CValue): CValue {
    return v;
  }

  protected override operand(t: Token): CValue {
    this.pos++;
    if (t.text === '(') {
      const v = this.expression();
      this.expect(')');
      return v;
    }
    if (t.kind === 'number') return this.int(integerLiteral(t, this.abi));
    if (t.kind === 'char') return this.int(charLiteral(t, this.abi));
    throw CFrontError.at(t, `token '${t.text}' is not valid in preprocessor expressions`);
  }

  protected override missingOperand(): CFrontError {
    return this.error('expected value in expression');
  }

  protected override expect(text: string): void {
    if (!this.take(text)) throw this.error(IF_EXPECTED[text] ?? `expected '${text}' in preprocessor expression`);
  }

  private error(message: string): CFrontError {
    return CFrontError.at(this.tokens[this.pos] ?? this.tokens[this.tokens.length - 1] ?? this.at, message);
  }
}

/** The value of an `#if` line's tokens (macros expanded, `defined` and identifiers replaced); `at` is the directive. */
export function evaluateIf(tokens: Token[], abi: Abi, at: Token): CValue {
  return new IfExpression(tokens, abi, at).evaluate();
}
