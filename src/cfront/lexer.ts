/**
 * The lexer: C source text to preprocessing tokens, scanning character codes (acorn style).
 * Line splices and comments vanish here; unterminated literals become `invalid` tokens that
 * are an error only where the preprocessor actually uses them (not in `#if 0` text).
 */
import { CFrontError, Token, type TokKind } from './token.js';

const THREE = ['...', '<<=', '>>='];
const TWO = new Set(['->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##']);

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0x80;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
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
  let bol = true;
  let space = false;

  // A splice counts as a line break for the lines after it.
  const passSplices = (upTo: number) => {
    while (nextSplice < splices.length && splices[nextSplice]! <= upTo) {
      line++;
      lineStart = splices[nextSplice]!;
      nextSplice++;
    }
  };
  const push = (kind: TokKind, start: number, tokLine: number, tokCol: number) => {
    tokens.push(new Token(kind, text.slice(start, pos), file, tokLine, tokCol, bol, space));
    bol = false;
    space = false;
  };

  while (pos < n) {
    passSplices(pos);
    const c = text.charCodeAt(pos);
    if (c === 10) {
      pos++;
      line++;
      lineStart = pos;
      bol = true;
      space = false;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      pos++;
      space = true;
      continue;
    }
    if (c === 47 && text.charCodeAt(pos + 1) === 42) {
      const end = text.indexOf('*/', pos + 2);
      if (end < 0) throw new CFrontError('unterminated /* comment', { file, line, column: pos - lineStart + 1 });
      for (let i = text.indexOf('\n', pos); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
        passSplices(i);
        line++;
        lineStart = i + 1;
      }
      pos = end + 2;
      space = true;
      continue;
    }
    if (c === 47 && text.charCodeAt(pos + 1) === 47) {
      const end = text.indexOf('\n', pos);
      pos = end < 0 ? n : end;
      space = true;
      continue;
    }
    const start = pos;
    const tokLine = line;
    const tokCol = pos - lineStart + 1;
    // string and character literals, with L/u/U/u8 prefixes
    let open = pos;
    if (c === 76 || c === 85) open = pos + 1;
    else if (c === 117) open = text.charCodeAt(pos + 1) === 56 ? pos + 2 : pos + 1;
    const quote = text.charCodeAt(open);
    if (quote === 34 || quote === 39) {
      let i = open + 1;
      let closed = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) {
          i += 2;
          continue;
        }
        if (d === 10) break;
        i++;
        if (d === quote) {
          closed = true;
          break;
        }
      }
      pos = Math.min(i, n);
      push(closed ? (quote === 34 ? 'string' : 'char') : 'invalid', start, tokLine, tokCol);
      continue;
    }
    if (isIdentStart(c)) {
      pos++;
      while (pos < n && isIdentPart(text.charCodeAt(pos))) pos++;
      push('ident', start, tokLine, tokCol);
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(pos + 1)))) {
      pos++;
      while (pos < n) {
        const d = text.charCodeAt(pos);
        const prev = text.charCodeAt(pos - 1) | 0x20;
        if ((d === 43 || d === 45) && (prev === 101 || prev === 112)) pos++;
        else if (isIdentPart(d) || d === 46) pos++;
        else break;
      }
      push('number', start, tokLine, tokCol);
      continue;
    }
    const three = text.slice(pos, pos + 3);
    if (THREE.includes(three)) pos += 3;
    else if (TWO.has(text.slice(pos, pos + 2))) pos += 2;
    else pos++;
    push('punct', start, tokLine, tokCol);
  }
  return tokens;
}
