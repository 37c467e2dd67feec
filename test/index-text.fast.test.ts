/**
 * The header index reads comments out of every text with a scanner (src/scan/ioctl-index.ts
 * withoutComments) instead of the regular expression it replaced: the text must be the one that
 * expression gives, on random texts made of the characters that matter and on every header of
 * the host's tree.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { withoutComments } from '../src/scan/ioctl-index.js';

const COMMENT = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g;
const byRegex = (raw: string) =>
  raw.replace(COMMENT, (m) => (m[0] === '/' ? (m.includes('\n') ? m.replace(/[^\n]/g, '') : ' ') : m));

describe('withoutComments', () => {
  test('random texts of comment and quote characters: the regular expression’s text', () => {
    const alphabet = ['/', '*', '"', "'", '\\', '\n', '\r', 'a', ' ', '\u00e9', '*/', '/*', '//'];
    let x = 12345;
    const next = (n: number) => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % n;
    };
    const differ: string[] = [];
    for (let k = 0; k < 50000; k++) {
      let s = '';
      for (let i = next(30); i > 0; i--) s += alphabet[next(alphabet.length)];
      if (withoutComments(s) !== byRegex(s)) differ.push(JSON.stringify(s));
    }
    expect(differ.slice(0, 5)).toEqual([]);
  });

  test('the headers of this tree (the package’s own and /usr/include/linux when there)', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const n of names) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (n.endsWith('.h')) files.push(p);
      }
    };
    walk(new URL('../include', import.meta.url).pathname);
    walk('/usr/include/linux');
    const differ = files.filter((f) => {
      const raw = readFileSync(f, 'latin1');
      return withoutComments(raw) !== byRegex(raw);
    });
    expect(files.length).toBeGreaterThan(0);
    expect(differ).toEqual([]);
  });

  test('a block comment of one line is a space, of several its newlines; literals stay', () => {
    expect(withoutComments('a/* x */b')).toBe('a b');
    expect(withoutComments('a/* x\ny\n*/b')).toBe('a\n\nb');
    expect(withoutComments('"/* no */" // end')).toBe('"/* no */"  ');
    expect(withoutComments("'\\'' /* c */")).toBe("'\\''  ");
  });
});
