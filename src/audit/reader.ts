/**
 * Reads a configured kernel unit's tokens (unit.ts: directives processed, text unexpanded) for
 * what ioctl dispatch needs, without parsing C statements: function definitions found by brace matching, ops structures with their
 * designated ioctl hooks, and per handler the commands it dispatches (`case` labels of a
 * `switch (cmd)`, `cmd == X` / `cmd != X` tests) with the code each reaches, the calls that pass
 * `cmd` on, and what makes a handler too dynamic to read (calls through pointers, a switch on a
 * function of cmd, assignments to cmd).
 */
import type { RecordDecl, SourceLoc } from '../cfront/types.js';
import type { Token } from '../cfront/token.js';
import { spell } from '../cfront/preprocess.js';
import { NON_DISPATCHING } from './hooks.js';
import { topLevelDeclarations } from './unit.js';

/** A function defined in the file (its body a token range of the unit). */
export interface FunctionDef {
  name: string;
  params: string[];
  loc: SourceLoc;
  /** Token indices of `{` and `}`. */
  open: number;
  close: number;
  /** Declared `__weak`: the linker takes another file's definition where one exists (kvm_arch_vm_compat_ioctl). */
  weak: boolean;
  /** Declared `static`: no other file's call reaches it. */
  isStatic: boolean;
}

/** An ops structure initialised in the file: `struct T name = { .hook = value, ... }`. */
export interface OpsDef {
  struct: string;
  name: string;
  loc: SourceLoc;
  /** Designated members: the value's tokens. */
  members: Map<string, { tokens: Token[]; loc: SourceLoc }>;
}

/** A command a handler compares: a case label or one side of `cmd ==`/`cmd !=`. */
export interface Label {
  tokens: Token[];
  /** The macro the label was written as (MEMREAD), else its text. */
  text: string;
  loc: SourceLoc;
  kind: 'case' | 'compare';
  /** `case A ... B`: a range, not read as commands. */
  range?: true;
}

/** Token index ranges [from, to). */
export type Region = Array<[number, number]>;

/** Where a command goes once a label matched it, or where unmatched commands go. */
export interface Route {
  labels: number[];
  region: Region;
}

export interface CmdCall {
  /** null: through a pointer (`ops->ioctl(...)`). */
  callee: string | null;
  text: string;
  argIndex: number;
  at: number;
  loc: SourceLoc;
}

/** `cmd >= A && cmd <= B` (compat_sock_ioctl's SIOCIWFIRST..SIOCIWLAST): the bounds as written, each optional. */
export interface CmdRange {
  lo?: { tokens: Token[]; strict: boolean };
  hi?: { tokens: Token[]; strict: boolean };
  /** The statement the comparison guards: only a command in the range goes there. */
  then: [number, number];
}

/** What a function does with its command parameter. */
export interface Dispatch {
  fn: FunctionDef;
  cmd: string;
  labels: Label[];
  /** A command equal to some label's value goes where the first route holding that label leads. */
  routes: Route[];
  /** Where a command no label matches goes. */
  unmatched: Region;
  calls: CmdCall[];
  /** What makes the routes unreliable: `cmd` rewritten, a switch on a function of cmd; a range comparison. */
  dynamic: Array<{ at: number; loc: SourceLoc; why: string; range?: CmdRange }>;
}

export function locOf(t: Token): SourceLoc {
  return t.loc;
}

/**
 * Whether a token was written in `file` (itself, or the macro use it came from), or in a .c file it includes
 * (sound/core/timer.c's timer_compat.c is part of its unit).
 */
function inFile(t: Token, file: string): boolean {
  const written = (t.origin ?? t).file;
  return written === file || written.endsWith('.c');
}

/** The index of the bracket matching the one at `i` (forward for openers). */
export function matching(tokens: readonly Token[], i: number): number {
  const open = tokens[i]!.text;
  const close = open === '(' ? ')' : open === '{' ? '}' : ']';
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j]!.text;
    if (t === open) depth++;
    else if (t === close && --depth === 0) return j;
  }
  return tokens.length - 1;
}

/**
 * Expands a macro invocation's tokens (the unit's macros, bounded); null when the first token
 * names no function-like macro; throws when the expansion fails or is too large.
 */
export type ExpandCall = (tokens: Token[]) => Token[] | null;

/**
 * Function definitions and ops structures written in `file`. A top-level macro invocation
 * (`DEFINE_..._FOPS(name);`) is expanded to find the ops structure it defines.
 */
export function readDefinitions(
  tokens: readonly Token[],
  file: string,
  expand?: ExpandCall,
): { functions: FunctionDef[]; ops: OpsDef[] } {
  const functions: FunctionDef[] = [];
  const ops: OpsDef[] = [];
  for (const [from, to] of topLevelDeclarations(tokens)) {
    const first = tokens[from];
    if (!first || (!inFile(first, file) && !inFile(tokens[to - 1]!, file))) continue;
    if (tokens[to - 1]!.text === '}') {
      const f = functionAt(tokens, from, to);
      if (f) functions.push(f);
    } else {
      const o = opsAt(tokens, from, to, expand);
      if (o.length) ops.push(...o);
      else if (expand && first.kind === 'ident' && tokens[from + 1]?.text === '(') {
        let expanded: Token[] | null = null;
        try {
          expanded = expand(tokens.slice(from, matching(tokens, from + 1) + 1));
        } catch {
          // too large, or not valid: not an ops structure this reader can see
        }
        if (expanded) {
          for (const [a, b] of topLevelDeclarations(expanded)) {
            for (const m of opsAt(expanded, a, b)) ops.push({ ...m, loc: locOf(first) });
          }
        }
      }
    }
  }
  return { functions, ops };
}

function functionAt(tokens: readonly Token[], from: number, to: number): FunctionDef | null {
  let open = -1;
  for (let i = from, paren = 0; i < to; i++) {
    const t = tokens[i]!.text;
    if (t === '(') paren++;
    else if (t === ')') paren--;
    else if (t === '{' && paren === 0) {
      open = i;
      break;
    }
  }
  if (open < 0 || tokens[open - 1]?.text !== ')') return null;
  // back over attributes after the parameters: `) __attribute__((...)) {`, `) __must_hold(x) {`
  let rp = open - 1;
  let lp = openerOf(tokens, rp, from);
  while (lp > from && isAttribute(tokens[lp - 1]!) && tokens[lp - 2]?.text === ')') {
    rp = lp - 2;
    if (tokens[rp]?.text !== ')') return null;
    lp = openerOf(tokens, rp, from);
  }
  const nameTok = tokens[lp - 1];
  if (!nameTok || nameTok.kind !== 'ident') return null;
  return {
    name: nameTok.text,
    params: paramNames(tokens.slice(lp + 1, rp)),
    loc: locOf(nameTok),
    open,
    close: to - 1,
    weak: tokens.slice(from, lp).some((t) => WEAK.has(t.text)),
    isStatic: tokens.slice(from, lp).some((t) => t.text === 'static'),
  };
}

/** How a weak definition is written: include/linux/compiler_attributes.h's macro, or the attribute itself. */
const WEAK: ReadonlySet<string> = new Set(['__weak', 'weak', '__weak__']);

/** An attribute written before a parameter list's `(`: GNU's, or a kernel macro for one (`__must_hold`). */
function isAttribute(t: Token): boolean {
  return t.text === '__attribute__' || (t.kind === 'ident' && t.text.startsWith('__'));
}

function openerOf(tokens: readonly Token[], close: number, floor: number): number {
  let depth = 0;
  for (let j = close; j >= floor; j--) {
    const t = tokens[j]!.text;
    if (t === ')') depth++;
    else if (t === '(' && --depth === 0) return j;
  }
  return floor;
}

function splitTopLevel(tokens: readonly Token[], sep = ','): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(' || t.text === '{' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === '}' || t.text === ']') depth--;
    if (t.text === sep && depth === 0) out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out;
}

function paramNames(tokens: readonly Token[]): string[] {
  if (tokens.length === 1 && tokens[0]!.text === 'void') return [];
  return splitTopLevel(tokens).map((p) => {
    // the declarator's name: the last identifier outside an attribute's or array's brackets,
    // not an attribute macro after it (`unsigned int cmd __maybe_unused`)
    let name = '';
    let depth = 0;
    for (const t of p) {
      if (t.text === '(' || t.text === '[') depth++;
      else if (t.text === ')' || t.text === ']') depth--;
      else if (t.kind === 'ident' && depth === 0 && !(name !== '' && t.text.startsWith('__'))) name = t.text;
    }
    return name;
  });
}

const DECL_PREFIX = new Set(['static', 'const', 'extern', 'volatile']);

/**
 * The ops structures a declaration defines: `struct file_operations name = { .member = value, ... }`, or one per
 * element of an array of them (sound/core/pcm_native.c: `snd_pcm_f_ops[2] = { { ... }, { ... } }`, named
 * `snd_pcm_f_ops[0]`, or by a designator's index).
 */
function opsAt(tokens: readonly Token[], from: number, to: number, expand?: ExpandCall): OpsDef[] {
  let i = from;
  while (i < to && (DECL_PREFIX.has(tokens[i]!.text) || tokens[i]!.text === '__attribute__')) {
    i = tokens[i]!.text === '__attribute__' ? matching(tokens, i + 1) + 1 : i + 1;
  }
  if (tokens[i]?.text !== 'struct') return [];
  const struct = tokens[i + 1];
  let j = i + 2;
  while (j < to && (DECL_PREFIX.has(tokens[j]!.text) || tokens[j]!.text === '__attribute__')) j++;
  const name = tokens[j];
  let k = j + 1;
  const array = tokens[k]?.text === '[';
  if (array) k = matching(tokens, k) + 1;
  // attributes between the name and `=` (__randomize_layout, __ro_after_init sections), as
  // written (an identifier, a macro call) or expanded
  while (k < to && tokens[k]!.kind === 'ident') {
    k = tokens[k + 1]?.text === '(' ? matching(tokens, k + 1) + 1 : k + 1;
  }
  if (!struct || struct.kind !== 'ident' || !name || name.kind !== 'ident') return [];
  if (tokens[k]?.text !== '=' || tokens[k + 1]?.text !== '{') return [];
  const close = matching(tokens, k + 1);
  const one = (items: Token[], named: string, at: Token): OpsDef => ({
    struct: struct.text,
    name: named,
    loc: locOf(at),
    members: membersOf(items, expand),
  });
  if (!array) return [one(tokens.slice(k + 2, close), name.text, name)];
  const out: OpsDef[] = [];
  for (const [index, item] of splitTopLevel(tokens.slice(k + 2, close)).entries()) {
    // `[SNDRV_PCM_STREAM_CAPTURE] = { ... }` or `{ ... }`
    const designated = item[0]?.text === '[' ? matching(item, 0) : -1;
    const open = designated >= 0 && item[designated + 1]?.text === '=' ? designated + 2 : 0;
    if (item[open]?.text !== '{') continue;
    const label = designated >= 0 ? spell(item.slice(1, designated)) : String(index);
    out.push(one(item.slice(open + 1, matching(item, open)), `${name.text}[${label}]`, item[open]));
  }
  return out;
}

/** The `.member = value` items of an initializer's list, and those macro calls in it set. */
function membersOf(items: readonly Token[], expand?: ExpandCall): OpsDef['members'] {
  const members: OpsDef['members'] = new Map();
  for (const item of splitTopLevel(items)) {
    if (item[0]?.text === '.' && item[1]?.kind === 'ident' && item[2]?.text === '=') {
      members.set(item[1].text, { tokens: item.slice(3), loc: locOf(item[1]) });
    } else if (expand && item[0]?.kind === 'ident' && item[1]?.text === '(') {
      // members a macro sets (kvm_main.c: `KVM_COMPAT(kvm_vm_compat_ioctl)`, `.compat_ioctl = (c)` or, without
      // CONFIG_KVM_COMPAT, kvm_no_compat_ioctl and kvm_no_compat_open), placed at the macro's call
      for (const m of macroMembers(item, expand)) members.set(m.name, { tokens: m.tokens, loc: locOf(item[0]) });
    }
  }
  return members;
}

/** The `.member = value` items a macro call written inside an initializer expands to. */
function macroMembers(item: Token[], expand: ExpandCall): Array<{ name: string; tokens: Token[] }> {
  let expanded: Token[] | null = null;
  try {
    expanded = expand(item.slice(0, matching(item, 1) + 1));
  } catch {
    return [];
  }
  const out: Array<{ name: string; tokens: Token[] }> = [];
  for (const m of splitTopLevel(expanded ?? [])) {
    if (m[0]?.text === '.' && m[1]?.kind === 'ident' && m[2]?.text === '=') {
      out.push({ name: m[1].text, tokens: m.slice(3) });
    }
  }
  return out;
}

const NOT_CALLS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', '__typeof__', 'typeof', '_Alignof']);
const ASSIGN = new Set(['=', '+=', '-=', '&=', '|=', '^=', '<<=', '>>=', '*=', '/=', '%=']);

/**
 * The operand of `==`/`!=` starting at `i` going `step` (+1 right, -1 left), as written: a
 * name, a macro call `_IOW(...)`, a parenthesised expression, a number.
 */
function operand(tokens: readonly Token[], i: number, step: 1 | -1): Token[] {
  const t = tokens[i];
  if (!t) return [];
  if (step === 1) {
    if (t.text === '(') return tokens.slice(i, matching(tokens, i) + 1);
    if (t.kind === 'ident' && tokens[i + 1]?.text === '(') return tokens.slice(i, matching(tokens, i + 1) + 1);
    return [t];
  }
  if (t.text === ')') {
    const lp = openerOf(tokens, i, 0);
    const start = tokens[lp - 1]?.kind === 'ident' && !NOT_CALLS.has(tokens[lp - 1]!.text) ? lp - 1 : lp;
    return tokens.slice(start, i + 1);
  }
  return [t];
}

function labelText(tokens: readonly Token[]): string {
  const first = tokens[0];
  if (first?.origin && tokens.every((t) => t.origin === first.origin)) return first.origin.text;
  return tokens.map((t) => t.text).join(' ');
}

/** The end of the statement starting at `i` (exclusive): a braced block, or up to its `;`. */
function statementEnd(tokens: readonly Token[], i: number, limit: number): number {
  if (tokens[i]?.text === '{') return matching(tokens, i) + 1;
  if (tokens[i]?.text === 'if') {
    const cond = matching(tokens, i + 1);
    let end = statementEnd(tokens, cond + 1, limit);
    if (tokens[end]?.text === 'else') end = statementEnd(tokens, end + 1, limit);
    return end;
  }
  for (let j = i, depth = 0; j < limit; j++) {
    const t = tokens[j]!.text;
    if (t === '(' || t === '{' || t === '[') depth++;
    else if (t === ')' || t === '}' || t === ']') depth--;
    else if (t === ';' && depth === 0) return j + 1;
  }
  return limit;
}

/** Whether the statements in [from, to) end by leaving (break, return, goto, continue): no fall-through. */
function leaves(tokens: readonly Token[], from: number, to: number): boolean {
  const kw = lastKeyword(tokens, from, to);
  return kw === 'break' || kw === 'return' || kw === 'goto' || kw === 'continue';
}

/** The first token of the last statement in [from, to) (null when it does not end with `;`). */
function lastKeyword(tokens: readonly Token[], from: number, to: number): string | null {
  let end = to;
  while (end > from && tokens[end - 1]!.text === '}') end--;
  if (end <= from || tokens[end - 1]!.text !== ';') return null;
  let start = end - 2;
  for (let depth = 0; start >= from; start--) {
    const t = tokens[start]!.text;
    if (t === ')' || t === ']') depth++;
    else if (t === '(' || t === '[') depth--;
    else if (depth === 0 && (t === ';' || t === '{' || t === '}' || t === ':')) break;
  }
  return tokens[start + 1]?.text ?? null;
}

function within(region: Region, i: number): boolean {
  return region.some(([a, b]) => i >= a && i < b);
}

/**
 * What `fn` does with its parameter number `cmdParam`. A macro called with cmd is expanded
 * (`expand`) to the functions it calls with it (pr_debug's logging, a wrapper's handler).
 */
export function readDispatch(
  tokens: readonly Token[],
  fn: FunctionDef,
  cmdParam: number,
  expand?: ExpandCall,
): Dispatch {
  const cmd = fn.params[cmdParam] ?? '';
  const d: Dispatch = { fn, cmd, labels: [], routes: [], unmatched: [], calls: [], dynamic: [] };
  const body: [number, number] = [fn.open + 1, fn.close];
  if (cmd === '') {
    d.dynamic.push({ at: fn.open, loc: fn.loc, why: `${fn.name} has no parameter ${cmdParam + 1}` });
    return d;
  }
  // regions taken away from unmatched commands: cmd-switch bodies (but their default) and `cmd ==` bodies
  const excluded: Region = [];
  const included: Region = [];
  for (let i = body[0]; i < body[1]; i++) {
    const t = tokens[i]!;
    if (t.text === 'switch' && tokens[i + 1]?.text === '(') {
      const rp = matching(tokens, i + 1);
      const expr = tokens.slice(i + 2, rp);
      if (tokens[rp + 1]?.text !== '{') continue;
      const close = matching(tokens, rp + 1);
      if (expr.length === 1 && expr[0]!.text === cmd) {
        readSwitch(tokens, rp + 1, close, d, excluded, included);
      } else if (expr.some((e) => e.text === cmd)) {
        d.dynamic.push({ at: i, loc: locOf(t), why: `switch on an expression of ${cmd}: ${labelText(expr)}` });
      }
    } else if (t.text === 'if' && tokens[i + 1]?.text === '(') {
      readIf(tokens, i, body[1], d, excluded);
    } else if (t.text === cmd && t.kind === 'ident') {
      const next = tokens[i + 1]?.text ?? '';
      const prev = tokens[i - 1]?.text ?? '';
      if (ASSIGN.has(next) || next === '++' || next === '--' || prev === '++' || prev === '--') {
        d.dynamic.push({ at: i, loc: locOf(t), why: `${cmd} is changed (${t.text} ${next})` });
      }
    } else if (t.text === '(' && i > body[0]) {
      const call = callWithCmd(tokens, i, cmd);
      if (call) d.calls.push(...throughMacro(tokens, call, cmd, expand));
    }
  }
  d.unmatched = subtract(body, excluded).concat(included);
  return d;
}

function readSwitch(
  tokens: readonly Token[],
  open: number,
  close: number,
  d: Dispatch,
  excluded: Region,
  included: Region,
): void {
  excluded.push([open, close + 1]);
  // the labels this switch owns (not those of switches nested in it), in order
  const marks: Array<{ at: number; colon: number; label: number | null }> = [];
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i]!.text;
    if (t === 'switch' && tokens[i + 1]?.text === '(') {
      const rp = matching(tokens, i + 1);
      if (tokens[rp + 1]?.text === '{') i = matching(tokens, rp + 1);
    } else if (t === 'case') {
      let colon = i + 1;
      for (let depth = 0; colon < close; colon++) {
        const c = tokens[colon]!.text;
        if (c === '(') depth++;
        else if (c === ')') depth--;
        else if (c === ':' && depth === 0) break;
      }
      const expr = tokens.slice(i + 1, colon);
      const dots = expr.findIndex((e) => e.text === '...');
      const label: Label = {
        tokens: dots < 0 ? expr : expr.slice(0, dots),
        text: labelText(dots < 0 ? expr : expr.slice(0, dots)),
        loc: locOf(tokens[i + 1] ?? tokens[i]!),
        kind: 'case',
      };
      if (dots >= 0) label.range = true;
      d.labels.push(label);
      marks.push({ at: i, colon, label: d.labels.length - 1 });
      i = colon;
    } else if (t === 'default' && tokens[i + 1]?.text === ':') {
      marks.push({ at: i, colon: i + 1, label: null });
      i++;
    }
  }
  // groups: consecutive labels share the statements after the last of them
  const groups: Array<{ labels: Array<number | null>; from: number; to: number }> = [];
  for (let m = 0; m < marks.length; m++) {
    const mark = marks[m]!;
    const last = groups[groups.length - 1];
    if (last && last.from === mark.at) {
      last.labels.push(mark.label);
      last.from = mark.colon + 1;
    } else groups.push({ labels: [mark.label], from: mark.colon + 1, to: close });
    const next = marks[m + 1];
    groups[groups.length - 1]!.to = next ? next.at : close;
  }
  for (let g = 0; g < groups.length; g++) {
    // a command matched here runs this group, and the next ones while it falls through
    const region: Region = [];
    for (let h = g; h < groups.length; h++) {
      region.push([groups[h]!.from, groups[h]!.to]);
      if (leaves(tokens, groups[h]!.from, groups[h]!.to)) {
        // `break` goes on after the switch (st_ioctl checks a capability, then calls scsi_ioctl)
        if (lastKeyword(tokens, groups[h]!.from, groups[h]!.to) === 'break') region.push([close + 1, d.fn.close]);
        break;
      }
    }
    const labels = groups[g]!.labels.filter((l): l is number => l !== null);
    if (labels.length) d.routes.push({ labels, region });
    if (groups[g]!.labels.includes(null)) included.push(...region);
  }
}

const RELATIONAL: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);

function readIf(tokens: readonly Token[], at: number, limit: number, d: Dispatch, excluded: Region): void {
  const rp = matching(tokens, at + 1);
  const cond = tokens.slice(at + 2, rp);
  const labels: number[] = [];
  const known = d.labels.length;
  let negated = false;
  // `cmd >= SIOCIWFIRST && cmd <= SIOCIWLAST` (compat_sock_ioctl's wireless range): no label; a route
  // evaluates the bounds (audit.ts inRange): a command in the range goes to the statement it guards
  const range: CmdRange = { then: [rp + 1, statementEnd(tokens, rp + 1, limit)] };
  let ranged = false;
  cond.forEach((c, k) => {
    if (!RELATIONAL.has(c.text)) return;
    const left = cond[k - 1]?.text === d.cmd && cond[k - 2]?.text !== '.' && cond[k - 2]?.text !== '->';
    const right = cond[k + 1]?.text === d.cmd && cond[k + 2]?.text !== '.' && cond[k + 2]?.text !== '->';
    if (!left && !right) return;
    ranged = true;
    const bound = left ? operand(cond, k + 1, 1) : operand(cond, k - 1, -1);
    // `cmd >= A`, `A <= cmd`: a lower bound
    const lower = left === (c.text === '>' || c.text === '>=');
    range[lower ? 'lo' : 'hi'] = { tokens: bound, strict: c.text === '<' || c.text === '>' };
  });
  if (ranged) {
    d.dynamic.push({ at, loc: locOf(tokens[at]!), why: `${d.cmd} compared by range (${labelText(cond)})`, range });
    return;
  }
  for (let k = 0; k < cond.length; k++) {
    const c = cond[k]!;
    if (c.text !== '==' && c.text !== '!=') continue;
    let side: Token[] = [];
    if (cond[k - 1]?.text === d.cmd && cond[k - 2]?.text !== '.' && cond[k - 2]?.text !== '->') {
      side = operand(cond, k + 1, 1);
    } else if (cond[k + 1]?.text === d.cmd && cond[k + 2]?.text !== '.' && cond[k + 2]?.text !== '->') {
      side = operand(cond, k - 1, -1);
    }
    if (!side.length) continue;
    d.labels.push({ tokens: side, text: labelText(side), loc: locOf(side[0]!), kind: 'compare' });
    labels.push(d.labels.length - 1);
    if (c.text === '!=') negated = true;
  }
  if (!labels.length) return;
  const thenEnd = statementEnd(tokens, rp + 1, limit);
  const then: [number, number] = [rp + 1, thenEnd];
  // `cmd != X && other` (seq_oss's odev_ioctl) leaves only when `other` holds too: X and the rest go on
  // after it; `cmd == X && other` reaches the branch or goes on. Only a test of cmd alone routes.
  let depth = 0;
  const conjunction = cond.some((c) => {
    if (c.text === '(' || c.text === '[') depth++;
    else if (c.text === ')' || c.text === ']') depth--;
    return depth === 0 && c.text === '&&';
  });
  if (conjunction) {
    if (!negated) d.routes.push({ labels, region: [then, [thenEnd, d.fn.close]] });
    // `cmd != X && ...` dispatches nothing: X is no command this handler serves because of it
    else d.labels.length = known;
    return;
  }
  // a preparation (`if (cmd == A || ...) copy_from_user(...); else memset(...);`): neither
  // branch leaves, no else-if chain follows: every command goes on after it
  const hasElse = tokens[thenEnd]?.text === 'else';
  const elseEnd = hasElse ? statementEnd(tokens, thenEnd + 1, limit) : thenEnd;
  if (
    !leaves(tokens, then[0], then[1]) &&
    (!hasElse || (tokens[thenEnd + 1]?.text !== 'if' && !leaves(tokens, thenEnd + 1, elseEnd)))
  ) {
    if (!negated) d.routes.push({ labels, region: [then, [elseEnd, d.fn.close]] });
    // `if (cmd != X) unlock();` prepares or tidies up: X is no command it serves
    else d.labels.length = known;
    return;
  }
  if (!negated) {
    d.routes.push({ labels, region: [then] });
    excluded.push(then);
  } else if (leaves(tokens, then[0], then[1])) {
    // `if (cmd != X) return ...;`: X goes on after the if, every other command leaves in it
    const rest: [number, number] = [thenEnd, d.fn.close];
    d.routes.push({ labels, region: [rest] });
    excluded.push(rest);
  } else {
    d.dynamic.push({ at, loc: locOf(tokens[at]!), why: `${d.cmd} != ... without leaving: read as unknown` });
  }
}

function callWithCmd(tokens: readonly Token[], lp: number, cmd: string): CmdCall | null {
  const before = tokens[lp - 1]!;
  const rp = matching(tokens, lp);
  const args = splitTopLevel(tokens.slice(lp + 1, rp));
  const argIndex = args.findIndex((a) => a.length === 1 && a[0]!.text === cmd);
  if (argIndex < 0) return null;
  if (before.kind === 'ident') {
    if (NOT_CALLS.has(before.text) || NON_DISPATCHING.has(before.text) || before.text.startsWith('__builtin_')) {
      return null;
    }
    const via = tokens[lp - 2]?.text;
    if (via === '->' || via === '.') {
      const obj = tokens[lp - 3]?.text ?? '';
      return { callee: null, text: `${obj}${via}${before.text}`, argIndex, at: lp, loc: locOf(before) };
    }
    return { callee: before.text, text: before.text, argIndex, at: lp, loc: locOf(before) };
  }
  if (before.text === ')') return { callee: null, text: '(*pointer)', argIndex, at: lp, loc: locOf(before) };
  return null;
}

/** A call of a macro with cmd: the calls with cmd its expansion makes, at the macro's place. */
function throughMacro(tokens: readonly Token[], call: CmdCall, cmd: string, expand?: ExpandCall): CmdCall[] {
  if (!expand || call.callee === null) return [call];
  let expanded: Token[] | null;
  try {
    expanded = expand(tokens.slice(call.at - 1, matching(tokens, call.at) + 1));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return [{ ...call, callee: null, text: `${call.text} (a macro not expanded: ${why})` }];
  }
  if (expanded === null) return [call];
  const out: CmdCall[] = [];
  for (let j = 1; j < expanded.length; j++) {
    if (expanded[j]!.text !== '(') continue;
    const inner = callWithCmd(expanded, j, cmd);
    if (inner) out.push({ ...inner, at: call.at, loc: call.loc, text: `${inner.text} (in ${call.text})` });
  }
  return out;
}

function subtract(range: [number, number], cut: Region): Region {
  let out: Region = [range];
  for (const [a, b] of cut) {
    out = out.flatMap(([x, y]): Region => {
      if (b <= x || a >= y) return [[x, y]];
      const parts: Region = [];
      if (a > x) parts.push([x, a]);
      if (b < y) parts.push([b, y]);
      return parts;
    });
  }
  return out;
}

export { within };

/**
 * The names a C text seems to define as functions: a line naming one before `(` without ending the
 * declaration there (`long btrfs_ioctl(struct file *file,`, or the name alone at the line's start after
 * `static long`), one line at a time. A cheap test on the text, before any file is preprocessed.
 */
export function definedNames(text: string): string[] {
  return [...text.matchAll(/^(?:[A-Za-z_][\w \t*]*?[ \t*])?([A-Za-z_]\w*)[ \t]*\([^;\n]*$/gm)].map((m) => m[1]!);
}

/** Hook members a function assigns at run time (`hw->ops.ioctl = f;`), grouped by what they are members of. */
export interface AssignedOps {
  /** The tokens before the member: `hw -> ops`. */
  base: Token[];
  members: Map<string, { tokens: Token[]; loc: SourceLoc }>;
  loc: SourceLoc;
}

/**
 * `BASE.MEMBER = NAME;` and `BASE->MEMBER = NAME;` statements of a function body (sound/pci/rme9652/hdspm.c:
 * `hw->ops.ioctl = snd_hdspm_hwdep_ioctl;`), one group per BASE as written.
 */
export function readAssignments(tokens: readonly Token[], fn: FunctionDef): AssignedOps[] {
  const groups = new Map<string, AssignedOps>();
  for (let i = fn.open + 1; i < fn.close; i++) {
    const t = tokens[i]!;
    // MEMBER = NAME ;
    if (t.text !== '=' || tokens[i + 2]?.text !== ';' || tokens[i + 1]?.kind !== 'ident') continue;
    const member = tokens[i - 1];
    const dot = tokens[i - 2];
    if (member?.kind !== 'ident' || (dot?.text !== '.' && dot?.text !== '->')) continue;
    // the base back to the statement's start
    let s = i - 3;
    while (s > fn.open && !STATEMENT_START.has(tokens[s]!.text)) s--;
    const base = tokens.slice(s + 1, i - 2);
    if (!base.length || !base.every((b) => b.kind === 'ident' || b.text === '.' || b.text === '->')) continue;
    const key = base.map((b) => b.text).join(' ');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { base, members: new Map(), loc: locOf(base[0]!) }));
    g.members.set(member.text, { tokens: [tokens[i + 1]!], loc: locOf(member) });
  }
  return [...groups.values()];
}

const STATEMENT_START: ReadonlySet<string> = new Set([';', '{', '}']);

/**
 * The struct tag a base names (`hw -> ops` → `struct snd_hwdep_ops`): the first name's declaration in the
 * function (`struct snd_hwdep *hw`, a parameter or a local), then each member's type through `record`.
 */
export function baseStruct(
  tokens: readonly Token[],
  fn: FunctionDef,
  base: readonly Token[],
  record: (key: string) => RecordDecl | undefined,
): string | null {
  const first = base[0]!.text;
  // `struct TAG *...* NAME` within the function's declaration or body
  let tag: string | null = null;
  for (let i = openerBefore(tokens, fn); i < fn.close; i++) {
    if (tokens[i]!.text !== first) continue;
    let j = i - 1;
    while (tokens[j]?.text === '*') j--;
    if (tokens[j - 1]?.text === 'struct' && tokens[j]?.kind === 'ident') {
      tag = tokens[j]!.text;
      break;
    }
  }
  if (tag === null) return null;
  for (let k = 1; k + 1 < base.length; k += 2) {
    const decl = record(`struct ${tag}`);
    const m = decl?.members?.find((x) => x.name === base[k + 1]!.text);
    let type = m?.type;
    while (type && (type.kind === 'pointer' || type.kind === 'typedef' || type.kind === 'array')) {
      type = type.kind === 'pointer' ? type.to : type.kind === 'typedef' ? type.decl.type : type.of;
    }
    if (!type || type.kind !== 'record' || !type.decl.tag) return null;
    tag = type.decl.tag;
  }
  return tag;
}

/** Where a function's parameter list starts (its name's `(`), to find the parameters' declarations too. */
function openerBefore(tokens: readonly Token[], fn: FunctionDef): number {
  for (let i = fn.open; i > 0; i--) if (tokens[i]!.text === fn.name && tokens[i + 1]?.text === '(') return i + 1;
  return fn.open;
}
