/**
 * Integer constant arithmetic with C's types: literals, the usual arithmetic conversions and
 * wrap-around, per ABI (long is 4 or 8 bytes). The preprocessor computes in (u)intmax_t.
 */
import type { Abi } from '../abi/types.js';
import { INT_SIZE_KEY, type EnumDecl, type FloatName, type IntName } from './types.js';
import { CFrontError, type Token } from './token.js';

export interface CValue {
  /** Always normalized to the range of `t`. */
  v: bigint;
  t: IntName;
}

const RANK: Record<IntName, number> = {
  _Bool: 0,
  char: 1,
  'signed char': 1,
  'unsigned char': 1,
  short: 2,
  'unsigned short': 2,
  int: 3,
  'unsigned int': 3,
  long: 4,
  'unsigned long': 4,
  'long long': 5,
  'unsigned long long': 5,
  __int128: 6,
  'unsigned __int128': 6,
};

/** Each integer type's width and signedness on one ABI, looked up once: convert runs for every operator. */
interface IntTypes {
  bits: Map<IntName, number>;
  unsigned: Map<IntName, boolean>;
  /** Literals already typed: headers spell the same few numbers over and over. */
  literals: Map<string, CValue>;
}
const INT_TYPES = new WeakMap<Abi, IntTypes>();
/** The ABI of the last lookup and its table: a scan asks for one ABI's thousands of times in a row. */
let lastAbi: Abi | undefined;
let lastTypes: IntTypes | undefined;

function intTypes(abi: Abi): IntTypes {
  if (abi === lastAbi) return lastTypes!;
  let types = INT_TYPES.get(abi);
  if (!types) {
    const names = Object.keys(INT_SIZE_KEY) as IntName[];
    types = {
      bits: new Map(names.map((t) => [t, bitsOf(t, abi)])),
      unsigned: new Map(names.map((t) => [t, unsignedOn(t, abi)])),
      literals: new Map(),
    };
    INT_TYPES.set(abi, types);
  }
  lastAbi = abi;
  lastTypes = types;
  return types;
}

export function isUnsigned(t: IntName, abi: Abi): boolean {
  return intTypes(abi).unsigned.get(t) ?? unsignedOn(t, abi);
}

export function intBits(t: IntName, abi: Abi): number {
  return intTypes(abi).bits.get(t) ?? bitsOf(t, abi);
}

function unsignedOn(t: IntName, abi: Abi): boolean {
  if (t === 'char') return !abi.charSigned;
  return t === '_Bool' || t.startsWith('unsigned');
}

function bitsOf(t: IntName, abi: Abi): number {
  if (t === '_Bool') return 1;
  return (abi.sizes[INT_SIZE_KEY[t]] ?? 16) * 8;
}

/** The value as type `t` holds it (wrap-around for unsigned, two's complement for signed). */
export function convert(v: bigint, t: IntName, abi: Abi): CValue {
  if (t === '_Bool') return { v: v === 0n ? 0n : 1n, t };
  const bits = intBits(t, abi);
  return { v: isUnsigned(t, abi) ? BigInt.asUintN(bits, v) : BigInt.asIntN(bits, v), t };
}

function unsignedOf(t: IntName): IntName {
  return (
    t.startsWith('unsigned') ? t : t === 'char' || t === 'signed char' ? 'unsigned char' : `unsigned ${t}`
  ) as IntName;
}

/** A floating constant (`2.9`, `1e3`, `1.0f`, `0x1.8p3`): a number token with a fraction or an exponent. */
export function isFloatingConstant(text: string): boolean {
  return /^0[xX]/.test(text) ? /[pP]/.test(text) : /[.eE]/.test(text);
}

/**
 * A floating constant's type (its suffix: f float, l long double, none double) and value, rounded to its type (a
 * float's to float; a long double's to double: `wide` says whether that may have dropped digits the type keeps, for
 * an ABI whose long double is wider than double).
 */
export function floatingConstant(tok: Token): { type: FloatName; value: number; wide: boolean } {
  const m = /^(.*?)([fFlL]?)$/.exec(tok.text)!;
  const type: FloatName = /f/i.test(m[2]!) ? 'float' : /l/i.test(m[2]!) ? 'long double' : 'double';
  let value = NaN;
  let wide = false;
  const hex = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(m[1]!);
  if (hex) {
    const [int, frac = ''] = [hex[1]!, hex[2]];
    if (int || frac) {
      // the mantissa exactly (BigInt), rounded once to a double, then scaled by a power of two
      const mantissa = BigInt(`0x${int}${frac}`);
      value = Number(mantissa) * 2 ** (Number(hex[3]) - 4 * frac.length);
      wide = mantissa >= 1n << 53n;
    }
  } else if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(m[1]!)) {
    value = Number(m[1]);
    // 15 significant digits round-trip through a double: more may need the wider type's
    wide =
      m[1]!
        .replace(/[eE].*$/, '')
        .replace('.', '')
        .replace(/^0+/, '')
        .replace(/0+$/, '').length > 15;
  }
  if (Number.isNaN(value)) throw CFrontError.at(tok, `invalid floating constant '${tok.text}'`);
  return { type, value: type === 'float' ? Math.fround(value) : value, wide };
}

/** Integer promotion: everything below int becomes int. */
export function promote(a: CValue, abi: Abi): CValue {
  return RANK[a.t] < 3 ? convert(a.v, 'int', abi) : a;
}

/** The usual arithmetic conversions for two integer operands. */
export function commonType(a: IntName, b: IntName, abi: Abi): IntName {
  if (a === b) return a;
  const ua = isUnsigned(a, abi);
  const ub = isUnsigned(b, abi);
  if (ua === ub) return RANK[a] >= RANK[b] ? a : b;
  const [u, s] = ua ? [a, b] : [b, a];
  if (RANK[u] >= RANK[s]) return u;
  if (intBits(s, abi) > intBits(u, abi)) return s;
  return unsignedOf(s);
}

/** An integer literal: decimal, octal, hex or binary, with u/l/ll suffixes, typed as C does. */
export function integerLiteral(tok: Token, abi: Abi): CValue {
  const known = intTypes(abi).literals;
  let value = known.get(tok.text);
  if (!value) known.set(tok.text, (value = Object.freeze(typeLiteral(tok, abi))));
  return value;
}

/** An integer constant's digits and suffix (which has at most one u: `2uu` fails below). */
const INTEGER_CONSTANT = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uU]?(?:ll|LL|l|L)?[uU]?)$/;

/** Whether a number token is an integer constant (`0x2`, `2u`), its value aside. */
export function isIntegerConstant(text: string): boolean {
  const m = INTEGER_CONSTANT.exec(text);
  return m !== null && !/[uU].*[uU]/.test(m[2]!);
}

/** An integer constant's value (`isIntegerConstant` holds), whatever its type. */
export function integerConstantValue(text: string): bigint {
  const digits = INTEGER_CONSTANT.exec(text)![1]!;
  return /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
}

function typeLiteral(tok: Token, abi: Abi): CValue {
  const m = INTEGER_CONSTANT.exec(tok.text);
  if (!m || /[uU].*[uU]/.test(m[2]!)) throw CFrontError.at(tok, `invalid integer constant '${tok.text}'`);
  const digits = m[1]!;
  const v = integerConstantValue(tok.text);
  const suffix = m[2]!.toLowerCase();
  const unsigned = suffix.includes('u');
  const longs = suffix.includes('ll') ? 2 : suffix.includes('l') ? 1 : 0;
  const decimal = /^[1-9]/.test(digits) || digits === '0';
  const candidates: IntName[] = [];
  for (const base of ['int', 'long', 'long long'] as const) {
    if ((base === 'int' && longs > 0) || (base === 'long' && longs > 1)) continue;
    if (!unsigned) candidates.push(base);
    if (unsigned || !decimal) candidates.push(unsignedOf(base));
  }
  for (const t of candidates) {
    const bits = intBits(t, abi);
    const max = isUnsigned(t, abi) ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
    if (v <= max) return { v, t };
  }
  throw CFrontError.at(tok, `integer constant '${tok.text}' is too large`);
}

const ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
  e: 27,
  '\\': 92,
  "'": 39,
  '"': 34,
  '?': 63,
};

/** A character constant ('a', '\n', '\x41', '\0', L'x'): type int (wide ones: wchar_t's int). */
export function charLiteral(tok: Token, abi: Abi): CValue {
  const body = tok.text.slice(tok.text.indexOf("'") + 1, -1);
  const values: number[] = [];
  for (let i = 0; i < body.length;) {
    if (body[i] !== '\\') {
      values.push(body.charCodeAt(i++));
      continue;
    }
    const c = body[i + 1] ?? '';
    if (/[0-7]/.test(c)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      values.push(parseInt(oct, 8));
      i += 1 + oct.length;
    } else if (c === 'x') {
      const hex = /^[0-9a-fA-F]+/.exec(body.slice(i + 2))?.[0];
      if (!hex) throw CFrontError.at(tok, '\\x used with no following hex digits');
      values.push(parseInt(hex, 16));
      i += 2 + hex.length;
    } else {
      const e = ESCAPES[c];
      if (e === undefined) throw CFrontError.at(tok, `unknown escape sequence '\\${c}'`);
      values.push(e);
      i += 2;
    }
  }
  if (!values.length) throw CFrontError.at(tok, 'empty character constant');
  if (tok.text[0] !== "'") return convert(BigInt(values[values.length - 1]!), 'int', abi);
  // a plain char constant has type int; its single char is a (possibly signed) char
  if (values.length === 1) return convert(convert(BigInt(values[0]!), 'char', abi).v, 'int', abi);
  let v = 0n;
  for (const x of values) v = (v << 8n) | BigInt(x & 0xff);
  return convert(v, 'int', abi);
}

/**
 * A string literal's encoding prefix ('' for a plain one, 'L', 'u', 'U' or 'u8') and how many elements
 * its characters make, escapes read as one each (the terminating NUL not counted): sizeof("\x41\n") is 3.
 */
export function stringLiteral(tok: Token): { prefix: string; units: number } {
  const open = tok.text.indexOf('"');
  const prefix = tok.text.slice(0, open);
  const body = tok.text.slice(open + 1, -1);
  let units = 0;
  for (let i = 0; i < body.length; units++) {
    if (body[i] !== '\\') {
      i++;
      continue;
    }
    const c = body[i + 1] ?? '';
    if (/[0-7]/.test(c)) i += 1 + /^[0-7]{1,3}/.exec(body.slice(i + 1))![0].length;
    else if (c === 'x') i += 2 + (/^[0-9a-fA-F]*/.exec(body.slice(i + 2))?.[0].length ?? 0);
    else if (c === 'u' || c === 'U') i += c === 'u' ? 6 : 10;
    else i += 2;
  }
  return { prefix, units };
}

export type BinaryOp =
  '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '<' | '>' | '<=' | '>=' | '==' | '!=' | '&' | '^' | '|';

/** `a op b` with C's conversions; `at` locates a division by zero. */
export function binary(op: BinaryOp, a: CValue, b: CValue, abi: Abi, at: Token): CValue {
  const pa = promote(a, abi);
  const pb = promote(b, abi);
  if (op === '<<' || op === '>>') {
    const count = pb.v;
    if (count < 0n || count >= BigInt(intBits(pa.t, abi)))
      throw CFrontError.at(at, `shift count ${count} is out of range for '${pa.t}'`);
    return convert(op === '<<' ? pa.v << count : pa.v >> count, pa.t, abi);
  }
  const t = commonType(pa.t, pb.t, abi);
  // a value is normalized to its type's range: only an operand of another type converts
  const x = pa.t === t ? pa.v : convert(pa.v, t, abi).v;
  const y = pb.t === t ? pb.v : convert(pb.v, t, abi).v;
  switch (op) {
    case '*':
      return convert(x * y, t, abi);
    case '/':
    case '%':
      if (y === 0n) throw CFrontError.at(at, 'division by zero in a constant expression');
      return convert(op === '/' ? x / y : x % y, t, abi);
    case '+':
      return convert(x + y, t, abi);
    case '-':
      return convert(x - y, t, abi);
    case '&':
      return convert(x & y, t, abi);
    case '^':
      return convert(x ^ y, t, abi);
    case '|':
      return convert(x | y, t, abi);
    case '<':
      return bool(x < y, abi);
    case '>':
      return bool(x > y, abi);
    case '<=':
      return bool(x <= y, abi);
    case '>=':
      return bool(x >= y, abi);
    case '==':
      return bool(x === y, abi);
    case '!=':
      return bool(x !== y, abi);
  }
}

/** 1 and 0 as int, on every ABI (int holds both); frozen: values are shared, never changed. */
const TRUE: CValue = Object.freeze({ v: 1n, t: 'int' });
const FALSE: CValue = Object.freeze({ v: 0n, t: 'int' });

export function bool(b: boolean, _abi: Abi): CValue {
  return b ? TRUE : FALSE;
}

export function unary(op: '-' | '+' | '~' | '!', a: CValue, abi: Abi): CValue {
  const p = promote(a, abi);
  if (op === '!') return bool(p.v === 0n, abi);
  if (op === '+') return p;
  return convert(op === '-' ? -p.v : ~p.v, p.t, abi);
}

/** The integer type GCC gives an enum: int/unsigned int if the values fit, else 64-bit. */
export function enumUnderlying(decl: EnumDecl, abi: Abi): IntName {
  const values = decl.values ?? [];
  let min = 0n;
  let max = 0n;
  for (const v of values) {
    if (v.value < min) min = v.value;
    if (v.value > max) max = v.value;
  }
  const signed = min < 0n;
  const fits = (bits: number) =>
    signed ? min >= -(1n << BigInt(bits - 1)) && max < 1n << BigInt(bits - 1) : max < 1n << BigInt(bits);
  const sixtyFour: IntName =
    abi.sizes.long === 8 ? (signed ? 'long' : 'unsigned long') : signed ? 'long long' : 'unsigned long long';
  if (decl.packed) {
    if (fits(8)) return signed ? 'signed char' : 'unsigned char';
    if (fits(16)) return signed ? 'short' : 'unsigned short';
  }
  if (fits(32)) return signed ? 'int' : 'unsigned int';
  return sixtyFour;
}
