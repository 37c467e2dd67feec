/**
 * The lexer: C source text to preprocessing tokens, scanning character codes (acorn style).
 * Line splices and comments vanish here; unterminated literals become `invalid` tokens that
 * are an error only where the preprocessor actually uses them (not in `#if 0` text).
 */
import { CFrontError, Token, type TokKind } from './token.js';

/** Character codes the lexer compares (tsc inlines them). */
const enum Ch {
  Tab = 9,
  Newline = 10,
  VerticalTab = 11,
  FormFeed = 12,
  CarriageReturn = 13,
  Space = 32,
  DoubleQuote = 34,
  Dollar = 36,
  Quote = 39,
  Star = 42,
  Plus = 43,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Digit0 = 48,
  Digit8 = 56,
  Digit9 = 57,
  UpperA = 65,
  UpperL = 76,
  UpperU = 85,
  UpperZ = 90,
  Backslash = 92,
  Underscore = 95,
  LowerA = 97,
  LowerE = 101,
  LowerP = 112,
  LowerU = 117,
  LowerZ = 122,
  /** Bytes past ASCII (UTF-8, Latin-1) may be in identifiers. */
  NonAscii = 0x80,
}

/** Set in a letter's lower case (0x20, the same number as Space). */
const LOWER_CASE_BIT = 0x20;

/** Two-character punctuators by their two character codes (first << 8 | second): literals, no slice per token. */
const TWO = new Map<number, string>(
  '-> ++ -- << >> <= >= == != && || *= /= %= += -= &= ^= |= ##'
    .split(' ')
    .map((p) => [(p.charCodeAt(0) << 8) | p.charCodeAt(1), p]),
);
/** Three-character punctuators: `...`, `<<=`, `>>=` (their first two characters are a TWO or `..`). */
const THREE = new Map<number, string>(
  ['...', '<<=', '>>='].map((p) => [(p.charCodeAt(0) << 16) | (p.charCodeAt(1) << 8) | p.charCodeAt(2), p]),
);

function isIdentStart(c: number): boolean {
  return (
    (c >= Ch.LowerA && c <= Ch.LowerZ) ||
    (c >= Ch.UpperA && c <= Ch.UpperZ) ||
    c === Ch.Underscore ||
    c === Ch.Dollar ||
    c >= Ch.NonAscii
  );
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isDigit(c: number): boolean {
  return c >= Ch.Digit0 && c <= Ch.Digit9;
}

/** Removes backslash-newline splices, remembering where they were so lines stay right. */
function removeSplices(text: string): { text: string; splices: number[] } {
  if (!text.includes('\\')) return { text, splices: [] };
  const splices: number[] = [];
  let out = '';
  let last = 0;
  const re = /\\[ \t]*\r?\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out += text.slice(last, m.index);
    splices.push(out.length);
    last = m.index + m[0].length;
  }
  if (!splices.length) return { text, splices };
  return { text: out + text.slice(last), splices };
}

export function tokenize(source: string, file: string): Token[] {
  const { text, splices } = removeSplices(source);
  const tokens: Token[] = [];
  const n = text.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let nextSplice = 0;
  // a splice counts as a line break for the lines after it
  let spliceAt = splices.length ? splices[0]! : n + 1;
  let bol = true;
  let space = false;

  while (pos < n) {
    while (spliceAt <= pos) {
      line++;
      lineStart = spliceAt;
      spliceAt = ++nextSplice < splices.length ? splices[nextSplice]! : n + 1;
    }
    const c = text.charCodeAt(pos);
    if (c === Ch.Newline) {
      pos++;
      line++;
      lineStart = pos;
      bol = true;
      space = false;
      continue;
    }
    if (c === Ch.Space || c === Ch.Tab || c === Ch.CarriageReturn || c === Ch.FormFeed || c === Ch.VerticalTab) {
      pos++;
      space = true;
      continue;
    }
    if (c === Ch.Slash && text.charCodeAt(pos + 1) === Ch.Star) {
      const end = text.indexOf('*/', pos + 2);
      if (end < 0) throw new CFrontError('unterminated /* comment', { file, line, column: pos - lineStart + 1 });
      for (let i = text.indexOf('\n', pos); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
        while (spliceAt <= i) {
          line++;
          lineStart = spliceAt;
          spliceAt = ++nextSplice < splices.length ? splices[nextSplice]! : n + 1;
        }
        line++;
        lineStart = i + 1;
      }
      pos = end + 2;
      space = true;
      continue;
    }
    if (c === Ch.Slash && text.charCodeAt(pos + 1) === Ch.Slash) {
      const end = text.indexOf('\n', pos);
      pos = end < 0 ? n : end;
      space = true;
      continue;
    }
    const start = pos;
    const col = pos - lineStart + 1;
    let kind: TokKind;
    let spelling: string;
    // string and character literals, with L/u/U/u8 prefixes
    let open = pos;
    if (c === Ch.UpperL || c === Ch.UpperU) open = pos + 1;
    else if (c === Ch.LowerU) open = text.charCodeAt(pos + 1) === Ch.Digit8 ? pos + 2 : pos + 1;
    const quote = open === pos ? c : text.charCodeAt(open);
    if (quote === Ch.DoubleQuote || quote === Ch.Quote) {
      let i = open + 1;
      let closed = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === Ch.Backslash) {
          i += 2;
          continue;
        }
        if (d === Ch.Newline) break;
        i++;
        if (d === quote) {
          closed = true;
          break;
        }
      }
      pos = Math.min(i, n);
      kind = closed ? (quote === Ch.DoubleQuote ? 'string' : 'char') : 'invalid';
      spelling = text.slice(start, pos);
    } else if (isIdentStart(c)) {
      pos++;
      while (pos < n && isIdentPart(text.charCodeAt(pos))) pos++;
      kind = 'ident';
      spelling = text.slice(start, pos);
    } else if (isDigit(c) || (c === Ch.Dot && isDigit(text.charCodeAt(pos + 1)))) {
      pos++;
      while (pos < n) {
        const d = text.charCodeAt(pos);
        // an exponent's sign belongs to the number: 1e+5, 0x1p-3
        const prev = text.charCodeAt(pos - 1) | LOWER_CASE_BIT;
        if ((d === Ch.Plus || d === Ch.Minus) && (prev === Ch.LowerE || prev === Ch.LowerP)) pos++;
        else if (isIdentPart(d) || d === Ch.Dot) pos++;
        else break;
      }
      kind = 'number';
      spelling = text.slice(start, pos);
    } else {
      kind = 'punct';
      // a second or third character past ASCII (or past the end: NaN) makes no longer punctuator
      const d = text.charCodeAt(pos + 1);
      const e = text.charCodeAt(pos + 2);
      const two = d < Ch.NonAscii ? TWO.get((c << 8) | d) : undefined;
      const three =
        two !== undefined || d === Ch.Dot
          ? e < Ch.NonAscii
            ? THREE.get((c << 16) | (d << 8) | e)
            : undefined
          : undefined;
      if (three !== undefined) {
        spelling = three;
        pos += 3;
      } else if (two !== undefined) {
        spelling = two;
        pos += 2;
      } else {
        // one character: V8 hands out its cached single-character strings
        spelling = text[pos]!;
        pos++;
      }
    }
    tokens.push(new Token(kind, spelling, file, line, col, bol, space));
    bol = false;
    space = false;
  }
  return tokens;
}
