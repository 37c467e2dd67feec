/**
 * The header index reads comments out of every text with a scanner (src/scan/ioctl-index.ts
 * withoutComments) instead of the regular expression it replaced: the text must be the one that
 * expression gives, on random texts made of the characters that matter and on every header of
 * the host's tree. And what decode asks the index to pass units over: the macros that may have a
 * number, and the units that read what the index cannot follow.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { headerIndex, withoutComments } from '../src/scan/ioctl-index.js';

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

describe('the header index of a small tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-index-'));
  mkdirSync(join(dir, 'x'));
  const files: Record<string, string> = {
    'x/ioc.h': '#define _IOW(t, n, s) _IOC(1, (t), (n), sizeof(s))\n',
    'x/a.h': '#include <x/ioc.h>\n#define A_SET _IOW(0x61, 1, int)\n#define A_GET _IOW(0x61, 2, int)\n',
    'x/b.h': '#include <x/a.h>\n#define B_SET _IOW(0x62, 1, int)\n',
    'x/c.h': '#define WHERE <x/b.h>\n#include WHERE\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const ix = headerIndex([dir], ['x/a.h', 'x/b.h', 'x/c.h']);

  test('the macros that may have a (type, nr), and the units that may define one', () => {
    expect(ix.macrosFor([{ type: 0x61, nr: 1 }])).toEqual(['A_SET']);
    expect(ix.macrosFor([{ type: 0x61, nr: 3 }])).toEqual([]);
    expect(ix.unitsForMacro('A_SET')).toEqual(['x/a.h', 'x/b.h']);
  });

  test('a unit with an #include the index cannot follow may define anything', () => {
    expect([...ix.unitsReadingUnknown()]).toEqual(['x/c.h']);
  });
});
