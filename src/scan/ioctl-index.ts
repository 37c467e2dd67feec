/**
 * An index of the header texts, cheap and built without the front end: which translation units
 * of the UAPI set may define an ioctl with a given (type, nr), an ioctl macro of a given name, or
 * a record of a given name. `decode` and `explain` dump only those units instead of every ABI's
 * whole catalogue, `convert` only those that name its type.
 *
 * Every answer over-approximates. A macro's (type, nr) is the low 16 bits of its number on every
 * ABI (_IOC puts nr in bits 0-7 and type in 8-15 everywhere); the index expands the macro texts
 * (every definition any tree gives a name, whatever the conditionals around it; enum constants
 * read as macros) and keeps `type << 8 | nr` through the operators that leave those bits exact.
 * A macro it cannot work out (sizeof in a condition, alternatives beyond a few) may be any number.
 * Every #include is taken. A unit is a candidate when it includes, directly or not, a file with a
 * candidate definition: dumped in the scan's order, the candidates give every macro they may
 * define the same first unit, number and reason as the whole scan. One case is not covered by
 * construction: a unit that reads a file only through what a program includes first
 * (prerequisites.ts) — test/decode-index.test.ts checks that every ioctl's first unit is a
 * candidate, on the whole UAPI set of three ABIs, and compares the answers.
 *
 * Texts are read once per process (a long-lived process does not see a header edited meanwhile).
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { LEGACY_IOCTLS } from '../ioctl/legacy.js';
import { PREREQUISITES } from '../ioctl/prerequisites.js';

/** A #define as the index reads it: its name, parameters (null: object-like) and the body's tokens. */
interface Define {
  name: string;
  params: string[] | null;
  variadic: boolean;
  body: string[];
  /** namesIn's answer, once asked. */
  uses?: { names: string[]; ioc: boolean } | undefined;
}

/** What the index keeps of one file. */
interface FileFacts {
  /** Include names it may include (<x>, "x" beside it, #include_next), and each as a normal path. */
  includes: Array<{ name: string; quoted: boolean; normal: string }>;
  /** It has an #include the index cannot follow (`#include MACRO`): what that reads is not known. */
  opaque: boolean;
  defines: Define[];
  /** Its text without comments, for record lookups. */
  text: string;
}

/** (type, nr) as one key: type << 8 | nr. */
const keyOf = (type: number, nr: number) => (type << 8) | nr;
/** A macro whose number the texts do not tell: it may be any. */
const ANY = 'any';
type Keys = Set<number> | typeof ANY;
/** Alternatives followed before a macro counts as any number. */
const MAX_ALTERNATIVES = 64;
/** Tokens expanded for one macro before it counts as any number (a list of calls of a redefined macro). */
const MAX_WORK = 20000;

class Unknown extends Error {}

const factsByPath = new Map<string, FileFacts | null>();
const listings = new Map<string, Set<string> | null>();
const misses = new Map<string, number>();
/** Paths not found in a directory before it is listed (most lookups in a tree's own directories find a file). */
const MISSES_BEFORE_LISTING = 8;

/** Whether the path may be there: not when its directory, listed after a few misses, lacks its name. */
function mayBeThere(path: string): boolean {
  const l = listings.get(dirname(path));
  return l === undefined || (l !== null && l.has(basename(path)));
}

/** A path not found (or not read): its directory is listed once it has missed a few times. */
function missed(path: string): void {
  const dir = dirname(path);
  const n = (misses.get(dir) ?? 0) + 1;
  misses.set(dir, n);
  if (n < MISSES_BEFORE_LISTING || listings.has(dir)) return;
  let l: Set<string> | null;
  try {
    l = new Set(readdirSync(dir));
  } catch {
    l = null;
  }
  listings.set(dir, l);
}
const factsByText = new Map<string, Array<{ bytes: Buffer; facts: FileFacts }>>();
/** Where factsOf reads a file (grown when one is larger): most are copies of a text read before, never decoded. */
let readBuffer = Buffer.allocUnsafe(1 << 20);

/**
 * The file's bytes in readBuffer, their length returned (open, read and close: no fstat, no buffer per file); -1 when
 * it cannot be read.
 */
function readIntoBuffer(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    let n = 0;
    for (;;) {
      if (n === readBuffer.length) {
        const bigger = Buffer.allocUnsafe(readBuffer.length * 2);
        readBuffer.copy(bigger, 0, 0, n);
        readBuffer = bigger;
      }
      const got = readSync(fd, readBuffer, n, readBuffer.length - n, null);
      if (got === 0) return n;
      n += got;
    }
  } catch {
    // a directory of the name (EISDIR), say
    return -1;
  } finally {
    closeSync(fd);
  }
}

/** One file's facts, read once per process (null: no such file). */
function factsOf(path: string): FileFacts | null {
  let f = factsByPath.get(path);
  if (f !== undefined) return f;
  // a listing says what is not there without a failed open (an exception made) for every directory searched
  const length = mayBeThere(path) ? readIntoBuffer(path) : -1;
  if (length < 0) {
    missed(path);
    factsByPath.set(path, null);
    return null;
  }
  // the trees of several ABIs hold the same texts: read each once. Found by name and length, then compared
  // byte for byte (a copy is neither decoded nor hashed: a Map keyed by the text hashes all of it)
  const bytes = readBuffer.subarray(0, length);
  const key = `${basename(path)}\0${length}`;
  let same = factsByText.get(key);
  if (!same) factsByText.set(key, (same = []));
  f = same.find((c) => c.bytes.equals(bytes))?.facts;
  if (!f) same.push({ bytes: Buffer.from(bytes), facts: (f = readFacts(bytes.toString('latin1'))) });
  factsByPath.set(path, f);
  return f;
}

/**
 * The text with its comments gone: a line comment, or one of a line, is a space, one of several lines
 * keeps its newlines. Strings and char literals (closed on their line) stay as they are: they may
 * hold a /*. The text a global replace of /\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/
 * gives, without a string made per match (most of the index's reading was that).
 */
export function withoutComments(raw: string): string {
  const parts: string[] = [];
  let kept = 0;
  const n = raw.length;
  for (let i = 0; i < n;) {
    const c = raw.charCodeAt(i);
    if (c === 47) {
      const d = raw.charCodeAt(i + 1);
      const end = d === 42 ? raw.indexOf('*/', i + 2) : d === 47 ? i : -1;
      if (end < 0) {
        i++;
        continue;
      }
      parts.push(raw.slice(kept, i));
      if (d === 47) {
        const eol = raw.indexOf('\n', i);
        i = eol < 0 ? n : eol;
        parts.push(' ');
      } else {
        let lines = 0;
        for (let j = raw.indexOf('\n', i); j >= 0 && j < end; j = raw.indexOf('\n', j + 1)) lines++;
        parts.push(lines ? '\n'.repeat(lines) : ' ');
        i = end + 2;
      }
      kept = i;
      continue;
    }
    if (c === 34 || c === 39) {
      // a literal closed on its line is passed over whole; an unclosed quote is one character
      let j = i + 1;
      for (; j < n; j++) {
        const e = raw.charCodeAt(j);
        if (e === c || e === 10) break;
        if (e === 92) {
          const after = raw.charCodeAt(j + 1);
          if (j + 1 >= n || after === 10 || after === 13) {
            j = n;
            break;
          }
          j++;
        }
      }
      i = j < n && raw.charCodeAt(j) === c ? j + 1 : i + 1;
      continue;
    }
    i++;
  }
  if (kept === 0) return raw;
  parts.push(raw.slice(kept));
  return parts.join('');
}

const DIRECTIVE = /^[ \t]*#[ \t]*(define|include_next|include)\b[ \t]*(.*)$/gm;
const ENUM = /\benum\b[\w\s]*\{([^{}]*)\}/g;
const TOKEN =
  /[A-Za-z_]\w*|\.?\d(?:[\w.]|[eEpP][+-])*|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|<<|>>|<=|>=|==|!=|&&|\|\||##|\.\.\.|\S/g;

function readFacts(raw: string): FileFacts {
  const text = withoutComments(raw).replace(/\\\r?\n/g, '');
  const facts: FileFacts = { includes: [], opaque: false, defines: [], text };
  for (const m of text.matchAll(DIRECTIVE)) {
    const rest = m[2]!;
    if (m[1] !== 'define') {
      const inc = /^([<"])([^>"]+)[>"]/.exec(rest);
      if (inc) {
        const name = inc[2]!.trim();
        facts.includes.push({ name, quoted: inc[1] === '"', normal: posix.normalize(name) });
      } else facts.opaque = true;
      continue;
    }
    const head = /^([A-Za-z_]\w*)(\(([^)]*)\))?/.exec(rest);
    if (!head) continue;
    const name = head[1]!;
    let params: string[] | null = null;
    let variadic = false;
    if (head[2] !== undefined) {
      params = head[3]!
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      if (params.at(-1)?.endsWith('...')) {
        variadic = true;
        const last = params.pop()!.slice(0, -3).trim();
        params.push(last || '__VA_ARGS__');
      }
    }
    const body = rest.slice(head[0].length).match(TOKEN) ?? [];
    facts.defines.push({ name, params, variadic, body, uses: undefined });
  }
  // enum constants read as macros of their values (DM_VERSION_CMD): each the one before it plus one
  for (const m of text.matchAll(ENUM)) {
    let prev: string | null = null;
    const items = topLevel(m[1]!);
    for (const item of items) {
      const e = /^\s*([A-Za-z_]\w*)\s*(?:=([\s\S]*))?$/.exec(item);
      if (!e) {
        prev = null;
        continue;
      }
      const [, name, init] = e as unknown as [string, string, string | undefined];
      let body: string[] | null = null;
      if (init !== undefined) body = init.match(TOKEN) ?? [];
      else body = prev === null ? (item === items[0] ? ['0'] : null) : ['(', prev, '+', '1', ')'];
      prev = name;
      if (body) facts.defines.push({ name, params: null, variadic: false, body, uses: undefined });
    }
  }
  return facts;
}

/** Text split at the commas outside parentheses. */
function topLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** Names the over-approximation may not read as macros (the parser's operators). */
const NOT_MACROS = new Set(['sizeof', '_Alignof', '__alignof__', 'defined']);

/** The names a body uses, and whether it names _IOC or pastes (which may make any name). */
function namesIn(d: Define): { names: string[]; ioc: boolean } {
  if (d.uses) return d.uses;
  const names: string[] = [];
  let ioc = false;
  for (const t of d.body) {
    if (t === '_IOC' || t === '##') ioc = true;
    else {
      const c = t.charCodeAt(0);
      const word = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
      if (word && !names.includes(t)) names.push(t);
    }
  }
  return (d.uses = { names, ioc });
}

/** Expands and evaluates macro texts: the alternatives of every definition of a name. */
class TextMacros {
  private readonly keys = new Map<string, Keys>();
  private readonly reach = new Map<string, boolean>();
  /** values() by the tokens asked (joined): the macros do not change while keys are worked out. */
  private readonly valuesMemo = new Map<string, bigint[] | null>();
  /** Tokens expanded for the macro at hand (MAX_WORK). */
  private work = 0;
  private lookup(name: string): Define[] | undefined {
    return this.defs.get(name);
  }

  constructor(private readonly defs: Map<string, Define[]>) {}

  /** Whether expanding `name` may reach _IOC (as catalogue.ts asks, over every definition). */
  reachesIoc(name: string): boolean {
    const known = this.reach.get(name);
    if (known !== undefined) return known;
    this.reach.set(name, true);
    let r = false;
    for (const d of this.defs.get(name) ?? []) {
      const { names, ioc } = namesIn(d);
      if (ioc) r = true;
      for (let i = 0; i < names.length && !r; i++) {
        const t = names[i]!;
        if (t !== name && this.defs.has(t) && this.reachesIoc(t)) r = true;
      }
      if (r) break;
    }
    this.reach.set(name, r);
    return r;
  }

  /** The (type, nr) keys `name`'s number may have; null: it is no ioctl (it never reaches _IOC). */
  keysOf(name: string, legacy: boolean): Keys | null {
    const cached = this.keys.get(name);
    if (cached !== undefined) return cached;
    let keys: Keys | null;
    this.work = 0;
    try {
      keys = this.evaluateKeys(name, legacy);
    } catch (e) {
      if (!(e instanceof Unknown)) throw e;
      keys = ANY;
    }
    if (keys !== null) this.keys.set(name, keys);
    return keys;
  }

  private evaluateKeys(name: string, legacy: boolean): Keys | null {
    // a plain number is an ioctl only in the legacy table: other macros' other alternatives may go
    const alternatives = this.expand([name], new Set(), !legacy);
    if (!legacy && !alternatives.some((t) => t.includes('_IOC'))) return null;
    const keys = new Set<number>();
    for (const toks of alternatives) {
      if (!legacy && !toks.includes('_IOC')) continue;
      const v = evaluate(toks, (args) => this.iocKeys(args));
      if (v.vs === null) throw new Unknown();
      for (const x of v.vs) keys.add(Number(x & 0xffffn));
    }
    return keys;
  }

  /** `_IOC(dir, type, nr, size)`'s low 16 bits, `type << 8 | nr`, for every value of type and nr. */
  private iocKeys(args: string[][]): bigint[] | null {
    if (args.length !== 4) return null;
    const types = this.values(args[1]!);
    const nrs = types && this.values(args[2]!);
    if (!types || !nrs) return null;
    return types.flatMap((t) => nrs.map((n) => (t << 8n) | n));
  }

  private values(toks: string[]): bigint[] | null {
    // the same few types (KVMIO, 'V') and numbers come back in thousands of calls
    const key = toks.length === 1 ? toks[0]! : `${toks.length}\0${toks.join('\0')}`;
    let v = this.valuesMemo.get(key);
    if (v === undefined) this.valuesMemo.set(key, (v = this.valuesOf(toks)));
    return v;
  }

  private valuesOf(toks: string[]): bigint[] | null {
    const out = new Set<bigint>();
    for (const alt of this.expand(toks, new Set(), false)) {
      const v = evaluate(alt, (args) => this.iocKeys(args));
      if (v.vs === null || v.low) return null;
      for (const x of v.vs) out.add(x);
    }
    return [...out];
  }

  /**
   * Every expansion of `toks` (one per choice of definitions), _IOC left unexpanded. `collapse`:
   * of a stretch that puts out no _IOC outside a call of it, one expansion is enough.
   */
  private expand(toks: readonly string[], hidden: ReadonlySet<string>, collapse: boolean): string[][] {
    this.work += toks.length;
    if (this.work > MAX_WORK) throw new Unknown();
    let outs: string[][] = [[]];
    const append = (alts: string[][]) => {
      if (collapse && alts.length > 1 && !alts.some((a) => a.includes('_IOC')) && !insideIoc(outs[0]!)) {
        alts = [alts[0]!];
      }
      // one way so far and one to add (most macros): nothing to tell apart
      if (outs.length === 1 && alts.length === 1) {
        for (const t of alts[0]!) outs[0]!.push(t);
        return;
      }
      const next: string[][] = [];
      const seen = new Set<string>();
      for (const o of outs) {
        for (const a of alts) {
          const x = [...o, ...a];
          const key = x.join(' ');
          if (!seen.has(key)) next.push(x);
          seen.add(key);
        }
      }
      if (next.length > MAX_ALTERNATIVES) throw new Unknown();
      outs = next;
    };
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t === '_IOC' && toks[i + 1] === '(') {
        // a call as it stands: iocKeys expands its type and nr itself, and its direction and size (alternatives
        // on every ABI's _IOC_READ) are no part of a key
        const end = callArgs(toks, i + 2).end;
        for (const o of outs) for (let j = i; j < end; j++) o.push(toks[j]!);
        i = end - 1;
        continue;
      }
      const defs = t === '_IOC' || hidden.has(t) || NOT_MACROS.has(t) ? undefined : this.lookup(t);
      if (!defs) {
        for (const o of outs) o.push(t);
        continue;
      }
      const inner = new Set(hidden).add(t);
      if (toks[i + 1] !== '(') {
        const alts: string[][] = [];
        for (const d of defs) alts.push(...(d.params === null ? this.expand(d.body, inner, collapse) : [[t]]));
        append(alts);
        continue;
      }
      // called: each definition reads the rest its own way (`#define _SIO _IO` or `_SIO(x,y)`)
      const alts: string[][] = [];
      const bodies = new Map<number, string[][]>();
      for (const d of defs) {
        if (d.params === null) {
          alts.push(...this.expand([...d.body, ...toks.slice(i + 1)], inner, collapse));
          continue;
        }
        const call = callArgs(toks, i + 2);
        const list = bodies.get(call.end) ?? [];
        bodies.set(call.end, list);
        list.push(...this.expand(substitute(d, call.args), inner, collapse));
      }
      for (const [end, list] of bodies) {
        let body = list;
        if (collapse && body.length > 1 && !body.some((b) => b.includes('_IOC')) && !insideIoc(outs[0]!)) {
          body = [body[0]!];
        }
        const rest = this.expand(toks.slice(end), hidden, collapse);
        for (const x of body) for (const y of rest) alts.push([...x, ...y]);
      }
      append(alts);
      break;
    }
    return outs;
  }
}

/** Whether tokens end inside the arguments of an _IOC call. */
function insideIoc(toks: readonly string[]): boolean {
  const at = toks.lastIndexOf('_IOC');
  if (at < 0) return false;
  let depth = 0;
  for (let i = at + 1; i < toks.length; i++) {
    if (toks[i] === '(') depth++;
    else if (toks[i] === ')' && --depth === 0) return insideIoc(toks.slice(0, at));
  }
  return true;
}

/** A call's arguments from just after its `(`, and the index after its `)`. */
function callArgs(toks: readonly string[], from: number): { args: string[][]; end: number } {
  const args: string[][] = [[]];
  let depth = 0;
  for (let i = from; i < toks.length; i++) {
    const t = toks[i]!;
    if (t === ')' && depth === 0) return { args: args.length === 1 && !args[0]!.length ? [] : args, end: i + 1 };
    if (t === '(') depth++;
    else if (t === ')') depth--;
    if (t === ',' && depth === 0) args.push([]);
    else args.at(-1)!.push(t);
  }
  throw new Unknown();
}

function substitute(d: Define, args: string[][]): string[] {
  const params = d.params!;
  const argOf = (t: string): string[] | undefined => {
    const p = params.indexOf(t);
    if (p < 0) return undefined;
    if (d.variadic && p === params.length - 1) return args.slice(p).flatMap((a, i) => (i ? [',', ...a] : a));
    return args[p] ?? [];
  };
  const out: string[] = [];
  const body = d.body;
  for (let i = 0; i < body.length; i++) {
    const t = body[i]!;
    if (t === '#' && argOf(body[i + 1] ?? '') !== undefined) {
      out.push(JSON.stringify(argOf(body[++i]!)!.join(' ')));
      continue;
    }
    if (t === '##' && i + 1 < body.length) {
      // the tokens either side pasted into one (re-read: `_##dir` is `_IOWR`)
      const right = argOf(body[i + 1]!) ?? [body[i + 1]!];
      i++;
      const left = out.pop();
      if (left === undefined || !right.length) {
        if (left !== undefined) out.push(left);
        out.push(...right);
        continue;
      }
      out.push(...((left + right[0]!).match(TOKEN) ?? []), ...right.slice(1));
      continue;
    }
    // an argument pasted on its right is not expanded first; the rescan does it alike here
    out.push(...(argOf(t) ?? [t]));
  }
  return out;
}

/**
 * Values of an expression (null: unknown). `low`: only its low 16 bits are right (an _IOC call
 * read as `type << 8 | nr`): + - * & | ^ ~ and << keep them exact, other operators do not.
 */
interface Val {
  vs: bigint[] | null;
  low: boolean;
}

const UNKNOWN: Val = { vs: null, low: false };
const LOW_SAFE = new Set(['*', '+', '-', '&', '^', '|', '<<']);

/** An integer constant expression of numbers, char literals and _IOC calls (`ioc` values them). */
function evaluate(toks: readonly string[], ioc: (args: string[][]) => bigint[] | null): Val {
  let i = 0;
  const peek = () => toks[i];
  const map = (a: Val, f: (x: bigint) => bigint, keepsLow: boolean): Val =>
    a.vs === null || (a.low && !keepsLow) ? UNKNOWN : { vs: [...new Set(a.vs.map(f))], low: a.low };
  const skipParens = () => {
    let depth = 0;
    do {
      if (toks[i] === '(') depth++;
      else if (toks[i] === ')') depth--;
      i++;
    } while (depth > 0 && i < toks.length);
  };
  const primary = (): Val => {
    const t = toks[i++];
    if (t === undefined) throw new Unknown();
    if (t === '(') {
      // a cast: (type) operand; its value may be cut down
      let j = i;
      while (toks[j] !== undefined && (/^[A-Za-z_]/.test(toks[j]!) || toks[j] === '*')) j++;
      if (j > i && toks[j] === ')' && toks[j + 1] !== undefined && !BINARY[toks[j + 1]!] && toks[j + 1] !== ')') {
        i = j + 1;
        primary();
        return UNKNOWN;
      }
      const v = ternary();
      if (toks[i++] !== ')') throw new Unknown();
      return v;
    }
    if (t === '-') return map(primary(), (x) => -x, true);
    if (t === '+') return primary();
    if (t === '~') return map(primary(), (x) => ~x, true);
    if (t === '!') return map(primary(), (x) => (x === 0n ? 1n : 0n), false);
    if (/^\d/.test(t)) {
      const digits = t.replace(/[uUlL]+$/, '');
      if (/^0[0-7]+$/.test(digits)) return { vs: [BigInt(`0o${digits.slice(1)}`)], low: false };
      if (!/^(0[xX][0-9a-fA-F]+|\d+)$/.test(digits)) throw new Unknown();
      return { vs: [BigInt(digits)], low: false };
    }
    if (t.startsWith("'")) return { vs: [charValue(t)], low: false };
    if (t === '_IOC' && peek() === '(') {
      const call = callArgs(toks, i + 1);
      i = call.end;
      const vs = ioc(call.args);
      return vs === null ? UNKNOWN : { vs, low: true };
    }
    if (/^[A-Za-z_]/.test(t)) {
      // sizeof(...), a name the texts do not define, a call
      if (peek() === '(') skipParens();
      else if (t === 'sizeof') primary();
      return UNKNOWN;
    }
    throw new Unknown();
  };
  const binary = (min: number): Val => {
    let left = primary();
    for (;;) {
      const op = BINARY[peek() ?? ''];
      if (!op || op[0] < min) return left;
      const name = peek()!;
      i++;
      const right = binary(op[0] + 1);
      if (left.vs === null || right.vs === null || right.low || (left.low && !LOW_SAFE.has(name))) {
        left = UNKNOWN;
        continue;
      }
      const vs = new Set<bigint>();
      for (const a of left.vs) for (const b of right.vs) vs.add(op[1](a, b));
      if (vs.size > MAX_ALTERNATIVES) throw new Unknown();
      left = { vs: [...vs], low: left.low };
    }
  };
  const ternary = (): Val => {
    const c = binary(1);
    if (peek() !== '?') return c;
    i++;
    const a = ternary();
    if (toks[i++] !== ':') throw new Unknown();
    const b = ternary();
    if (a.vs === null || b.vs === null) return UNKNOWN;
    const low = a.low || b.low;
    if (c.vs === null || c.low) return { vs: [...new Set([...a.vs, ...b.vs])], low };
    const vs = c.vs.flatMap((x) => (x !== 0n ? a.vs! : b.vs!));
    return { vs: [...new Set(vs)], low };
  };
  const v = ternary();
  if (i !== toks.length) throw new Unknown();
  return v;
}

const BINARY: Record<string, [number, (a: bigint, b: bigint) => bigint]> = {
  '*': [10, (a, b) => a * b],
  '/': [10, (a, b) => (b === 0n ? unknown() : a / b)],
  '%': [10, (a, b) => (b === 0n ? unknown() : a % b)],
  '+': [9, (a, b) => a + b],
  '-': [9, (a, b) => a - b],
  '<<': [8, (a, b) => (b < 0n || b > 64n ? unknown() : a << b)],
  '>>': [8, (a, b) => (b < 0n || b > 64n ? unknown() : a >> b)],
  '<': [7, (a, b) => (a < b ? 1n : 0n)],
  '>': [7, (a, b) => (a > b ? 1n : 0n)],
  '<=': [7, (a, b) => (a <= b ? 1n : 0n)],
  '>=': [7, (a, b) => (a >= b ? 1n : 0n)],
  '==': [6, (a, b) => (a === b ? 1n : 0n)],
  '!=': [6, (a, b) => (a !== b ? 1n : 0n)],
  '&': [5, (a, b) => a & b],
  '^': [4, (a, b) => a ^ b],
  '|': [3, (a, b) => a | b],
  '&&': [2, (a, b) => (a && b ? 1n : 0n)],
  '||': [1, (a, b) => (a || b ? 1n : 0n)],
};

function unknown(): never {
  throw new Unknown();
}

const ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  '0': 0,
  '\\': 92,
  "'": 39,
  '"': 34,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
};

function charValue(t: string): bigint {
  const body = t.slice(1, -1);
  if (body.length === 1) return BigInt(body.charCodeAt(0));
  if (body[0] !== '\\') throw new Unknown();
  if (body[1] === 'x') return BigInt(`0x${body.slice(2)}`);
  if (/^[0-7]+$/.test(body.slice(1))) return BigInt(`0o${body.slice(1)}`);
  const e = ESCAPES[body.slice(1)];
  if (e === undefined) throw new Unknown();
  return BigInt(e);
}

/** Headers a unit may be read with before it (prerequisites.ts, the legacy table's `needs`). */
const PREREQUISITE_HEADERS = [
  ...new Set([...PREREQUISITES.flatMap((p) => p.include), ...LEGACY_IOCTLS.flatMap((l) => l.needs ?? [])]),
];

/**
 * The macros of every tree indexed so far, by include name: one expansion of a name follows
 * every definition any tree gives it, which over-approximates each tree's (and reads a text
 * the trees share once).
 */
class MacroUnion {
  readonly defs = new Map<string, Define[]>();
  /** Macro name → the include names of the files that define it. */
  readonly definedIn = new Map<string, string[]>();
  private readonly added = new Map<string, Set<FileFacts>>();
  /** The signatures (signature()) of each macro's definitions in defs, once it has more than one. */
  private readonly signatures = new Map<string, Set<string>>();
  private byKey: Map<number, Set<string>> | undefined;
  private anyKey: Set<string> | undefined;
  /** The keys of every ioctl macro (names that are none are not in it). */
  private keysByName: Map<string, Keys> | undefined;
  /** mayBe's answers by the keys asked (joined), then the name; and by the list asked with (not kept alive by it). */
  private mayBeMemo: Map<string, Map<string, boolean>> | undefined;
  private mayBeOfList: WeakMap<readonly number[], Map<string, boolean>> | undefined;

  add(name: string, f: FileFacts): void {
    let s = this.added.get(name);
    if (!s) this.added.set(name, (s = new Set()));
    if (s.has(f)) return;
    s.add(f);
    this.byKey = this.anyKey = undefined;
    for (const d of f.defines) {
      const macro = d.name;
      const list = this.defs.get(macro);
      if (!list) this.defs.set(macro, [d]);
      else if (!list.includes(d)) {
        // the same definition in another text (of another tree) is one alternative, not two
        let sigs = this.signatures.get(macro);
        if (!sigs) this.signatures.set(macro, (sigs = new Set(list.map(signature))));
        const sig = signature(d);
        if (!sigs.has(sig)) {
          sigs.add(sig);
          list.push(d);
        }
      }
      const files = this.definedIn.get(macro);
      if (!files) this.definedIn.set(macro, [name]);
      else if (!files.includes(name)) files.push(name);
    }
  }

  /**
   * Whether the macro `name` may be an ioctl with one of `keys` (a name no text defines may: it
   * comes from elsewhere).
   */
  mayBe(name: string, keys: readonly number[]): boolean {
    if (!this.byKey) this.indexKeys();
    // a dump asks it of every macro of its units, for every ABI with the same keys: answered once
    let memo = this.mayBeOfList!.get(keys);
    if (!memo) {
      const asked = keys.join();
      memo = this.mayBeMemo!.get(asked);
      if (!memo) this.mayBeMemo!.set(asked, (memo = new Map<string, boolean>()));
      this.mayBeOfList!.set(keys, memo);
    }
    let r = memo.get(name);
    if (r === undefined) {
      const k = this.keysByName!.get(name);
      r = k === undefined ? !this.definedIn.has(name) : k === ANY || keys.some((x) => k.has(x));
      memo.set(name, r);
    }
    return r;
  }

  /** The macros that may be ioctls with one of `keys` (as mayBe answers, for the names some text defines). */
  namesForKeys(keys: readonly number[]): string[] {
    if (!this.byKey) this.indexKeys();
    const out: string[] = [];
    for (const [name, k] of this.keysByName!) if (k === ANY || keys.some((x) => k.has(x))) out.push(name);
    return out;
  }

  filesForKey(key: number): Set<string> {
    if (!this.byKey) this.indexKeys();
    return new Set([...this.anyKey!, ...(this.byKey!.get(key) ?? [])]);
  }

  private indexKeys(): void {
    const macros = new TextMacros(this.defs);
    const legacy = new Set(LEGACY_IOCTLS.map((l) => l.name));
    this.byKey = new Map();
    this.anyKey = new Set();
    this.keysByName = new Map();
    this.mayBeMemo = new Map();
    this.mayBeOfList = new WeakMap();
    for (const [macro, files] of this.definedIn) {
      const isLegacy = legacy.has(macro);
      if (!isLegacy && !macros.reachesIoc(macro)) continue;
      const keys = macros.keysOf(macro, isLegacy);
      if (keys === null) continue;
      this.keysByName.set(macro, keys);
      if (keys === ANY) {
        for (const f of files) this.anyKey.add(f);
        continue;
      }
      for (const k of keys) {
        let s = this.byKey.get(k);
        if (!s) this.byKey.set(k, (s = new Set()));
        for (const f of files) s.add(f);
      }
    }
  }
}

const UNION = new MacroUnion();
/** "x" included beside a file, by the file's include name and x (HeaderIndex). */
const BESIDE = new Map<string, string>();
/** The keys of the numbers mayBe is asked with (one list asks it of many names). */
const KEYS_OF = new WeakMap<ReadonlyArray<{ type: number; nr: number }>, number[]>();

/** The index of one header tree (an include path) and the units (UAPI headers) scanned in it. */
export class HeaderIndex {
  /** Include name → its files' facts (several directories may hold one name: all of them count). */
  private readonly nodes = new Map<string, FileFacts[]>();
  /**
   * Every path the index looked at, and whether it was there: what its answers depend on (a
   * cached result built from them does: src/scan/cache.ts).
   */
  readonly read: Array<[string, boolean]> = [];
  private readonly includers = new Map<string, Set<string>>();
  private readonly unitsAbove_ = new Map<string, Set<string>>();

  constructor(
    readonly includeDirs: readonly string[],
    readonly units: readonly string[],
  ) {
    const queue = [...units, ...PREREQUISITE_HEADERS];
    const seen = new Set(queue);
    // a name's directory, and "x" beside it: the same few pairs in every tree
    const besideOf = (name: string, inc: string) => {
      const key = `${name}\0${inc}`;
      let b = BESIDE.get(key);
      if (b === undefined) BESIDE.set(key, (b = posix.join(posix.dirname(name), inc)));
      return b;
    };
    const edge = (from: string, to: string) => {
      let s = this.includers.get(to);
      if (!s) this.includers.set(to, (s = new Set()));
      s.add(from);
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    };
    for (let q = 0; q < queue.length; q++) {
      const name = queue[q]!;
      const facts: FileFacts[] = [];
      for (const d of includeDirs) {
        const path = join(d, name);
        const f = factsOf(path);
        this.read.push([path, f !== null]);
        if (f) facts.push(f);
      }
      this.nodes.set(name, facts);
      for (const f of facts) {
        for (const inc of f.includes) {
          // "x" beside the includer first, then on the include path
          if (inc.quoted) {
            const beside = besideOf(name, inc.name);
            if (includeDirs.some((d) => factsOf(join(d, beside)) !== null)) edge(name, beside);
          }
          edge(name, inc.normal);
        }
      }
    }
    for (const [name, facts] of this.nodes) for (const f of facts) UNION.add(name, f);
  }

  /** The units (in scan order) that may define an ioctl numbered `type`, `nr` (any direction and size). */
  unitsForNumber(type: number, nr: number): string[] {
    return this.unitsIncluding(UNION.filesForKey(keyOf(type, nr)));
  }

  /** Whether the macro `name` may be an ioctl numbered with one of the (type, nr) pairs. */
  mayBe(name: string, numbers: ReadonlyArray<{ type: number; nr: number }>): boolean {
    let keys = KEYS_OF.get(numbers);
    if (!keys) KEYS_OF.set(numbers, (keys = numbers.map((n) => keyOf(n.type, n.nr))));
    return UNION.mayBe(name, keys);
  }

  /** The macros some text defines that may be ioctls numbered with one of the (type, nr) pairs (mayBe's). */
  macrosFor(numbers: ReadonlyArray<{ type: number; nr: number }>): string[] {
    return UNION.namesForKeys(numbers.map((n) => keyOf(n.type, n.nr)));
  }

  /**
   * The units that read a file the index could not follow (`#include MACRO`): they may define any
   * macro, whatever the index says.
   */
  unitsReadingUnknown(): ReadonlySet<string> {
    if (this.readingUnknown_) return this.readingUnknown_;
    const out = new Set<string>();
    for (const [name, facts] of this.nodes) {
      if (facts.some((f) => f.opaque)) for (const u of this.unitsAbove(name)) out.add(u);
    }
    return (this.readingUnknown_ = out);
  }

  /** unitsReadingUnknown's answer (every ABI of a tree asks it). */
  private readingUnknown_: Set<string> | undefined;

  /** The units that may define the macro `name`. */
  unitsForMacro(name: string): string[] {
    return this.unitsIncluding(UNION.definedIn.get(name) ?? []);
  }

  /**
   * The units that may declare the record `tag` (`struct kvm_dirty_log`, or the typedef name an
   * anonymous one is known by: `drm_sis_mem_t`) with its members.
   */
  unitsForRecord(tag: string): string[] {
    const name = /(\w+)$/.exec(tag)?.[1];
    if (!name) return [];
    // every file that names the tag: a macro may stand between `struct` and it, or paste it
    const word = new RegExp(`\\b${name}\\b`);
    const files = new Set<string>();
    for (const [n, facts] of this.nodes) if (facts.some((f) => word.test(f.text))) files.add(n);
    return this.unitsIncluding(files);
  }

  /** The units whose include closure holds one of `files`, in scan order. */
  private unitsIncluding(files: Iterable<string>): string[] {
    const found = new Set<string>();
    for (const f of files) for (const u of this.unitsAbove(f)) found.add(u);
    return this.units.filter((u) => found.has(u));
  }

  /** The units that include `file` directly or not (and itself, when it is one). */
  private unitsAbove(file: string): Set<string> {
    let s = this.unitsAbove_.get(file);
    if (s) return s;
    const seen = new Set([file]);
    const stack = [file];
    while (stack.length) {
      for (const up of this.includers.get(stack.pop()!) ?? []) {
        if (!seen.has(up)) {
          seen.add(up);
          stack.push(up);
        }
      }
    }
    s = new Set([...seen].filter((n) => this.unitSet.has(n)));
    this.unitsAbove_.set(file, s);
    return s;
  }

  private get unitSet(): Set<string> {
    return (this.unitSet_ ??= new Set(this.units));
  }

  private unitSet_: Set<string> | undefined;
}

/** What tells two definitions apart: parameters, variadic or not, the body's tokens (counted: one may hold a space). */
function signature(d: Define): string {
  const params = d.params === null ? '' : `(${d.params.join(',')}${d.variadic ? '...' : ''})`;
  return `${params}${d.body.length} ${d.body.join(' ')}`;
}

const indexes = new Map<string, HeaderIndex>();

/** The index of an include path's UAPI units, built once per process. */
export function headerIndex(includeDirs: readonly string[], units: readonly string[]): HeaderIndex {
  const key = JSON.stringify([includeDirs, units.length, units[0], units.at(-1)]);
  let ix = indexes.get(key);
  if (!ix) indexes.set(key, (ix = new HeaderIndex(includeDirs, units)));
  return ix;
}
