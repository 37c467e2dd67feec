/**
 * V4L2's VIDIOC_* ioctls: not a switch on cmd but a table indexed by _IOC_NR (v4l2_ioctls[]), reached
 * after a compat task's number went through a translate switch (`case VIDIOC_X32: return VIDIOC_X;`).
 * For each entry of the table, the number a compat task sends either is translated to the entry's
 * (converted: the compat copy switches convert the argument; the compat struct's size is in the case's
 * number, so a struct of the wrong size is no match), or is the native number itself (copied as it is:
 * right only where the layouts are the same), or is neither: v4l2_is_known_ioctl fails and the task gets
 * ENOTTY. A case of the translate switch whose number no compat task of the native kernel sends is dead
 * code. The conventions are V4L2_DISPATCH (hooks.ts), each with its source.
 */
import { relative } from 'node:path';
import { getAbi } from '../abi/index.js';
import type { Abi, AbiName } from '../abi/types.js';
import type { SourceLoc } from '../cfront/types.js';
import { Token } from '../cfront/token.js';
import { check, type IoctlVerdict } from '../compat/check.js';
import { decodeIoc } from '../ioctl/ioc.js';
import type { AuditFinding } from './audit.js';
import {
  arrayAt,
  callArgs,
  expandCall,
  inPlaceUserPointer,
  reasonText,
  single,
  unitsMentioning,
  type DrmJudgeOptions,
  type DrmSources,
} from './drm.js';
import { article, hex, numbers } from './evidence.js';
import { V4L2_DISPATCH } from './hooks.js';
import { definedNames, readDefinitions, readDispatch, type FunctionDef } from './reader.js';
import { topLevelDeclarations, type KernelUnit } from './unit.js';

/** One entry of v4l2_ioctls[], as read. */
export interface V4l2Ioctl {
  name: string;
  nativeCmd: number;
  func: string;
  loc: { file: string; line: number };
}

/** A case of a switch on the compat number, evaluated; `to`: the number it returns (translate switch). */
export interface V4l2Case {
  label: string;
  value: number;
  to: number | null;
  loc: SourceLoc;
}

export interface V4l2Model {
  ioctls: V4l2Ioctl[];
  /** The translate switch's cases (null: the function was not read: nothing is judged). */
  translate: V4l2Case[] | null;
  /** Compat numbers the copy-in and copy-out switches convert (null: not read). */
  copyIn: Set<number> | null;
  copyOut: Set<number> | null;
  /** BASE_VIDIOC_PRIVATE as the unit evaluates it. */
  privateBase: number | null;
  /** The file_operations whose .compat_ioctl is the V4L2 compat entry (v4l2_fops), as read. */
  fops: string | null;
  /** UAPI headers (relative to a uapi dir) defining the table's commands: the catalogue reads them. */
  headers: string[];
}

const D = V4L2_DISPATCH;

/** Whether `text` seems to define function `name` (reader.ts definedNames). */
function defines(text: string, name: string): boolean {
  return text.includes(`${name}(`) && definedNames(text).includes(name);
}

/** Files worth reading: the table, the translate or copy switches, the fops setting the compat entry. */
function mentionsV4l2(text: string): boolean {
  return (
    text.includes(`${D.table.array}[]`) ||
    [D.translate.func, D.copyIn.func, D.copyOut.func].some((f) => defines(text, f)) ||
    new RegExp(`\\.compat_ioctl\\s*=\\s*${D.compatEntry}\\b`).test(text)
  );
}

export function readV4l2(src: DrmSources): V4l2Model {
  const model: V4l2Model = {
    ioctls: [],
    translate: null,
    copyIn: null,
    copyOut: null,
    privateBase: null,
    fops: null,
    headers: [],
  };
  const units = unitsMentioning(src, mentionsV4l2);
  const headers = new Set<string>();
  for (const unit of units) {
    for (const [from, to] of topLevelDeclarations(unit.tokens)) {
      const arr = arrayAt(unit.tokens, from, to, unit.path);
      if (arr?.name !== D.table.array) continue;
      for (const item of arr.items) {
        if (item[0]?.text !== D.table.macro) continue;
        const entry = tableEntry(unit, item, src.kb.uapiDirs, headers);
        if (entry) model.ioctls.push(entry);
      }
    }
    const defs = readDefinitions(unit.tokens, unit.path, expandCall(unit));
    const fn = (name: string) => defs.functions.find((f) => f.name === name);
    const translate = fn(D.translate.func);
    if (translate) model.translate = cases(unit, translate, D.translate.cmdParam, true);
    const copyIn = fn(D.copyIn.func);
    if (copyIn) model.copyIn = new Set(cases(unit, copyIn, D.copyIn.cmdParam, false).map((c) => c.value));
    const copyOut = fn(D.copyOut.func);
    if (copyOut) model.copyOut = new Set(cases(unit, copyOut, D.copyOut.cmdParam, false).map((c) => c.value));
    for (const def of defs.ops) {
      if (def.struct === 'file_operations' && single(def.members.get('compat_ioctl')?.tokens) === D.compatEntry)
        model.fops ??= def.name;
    }
    model.privateBase ??= evaluate(unit, [ident(D.passThrough.nrBelow, unit.path)]);
  }
  model.headers = [...headers].sort();
  return model;
}

function ident(name: string, file: string): Token {
  return new Token('ident', name, file, 0, 0, false, true);
}

/** A constant expression's value as the native compiler computes it (an unsigned int), or null. */
function evaluate(unit: KernelUnit, tokens: Token[]): number | null {
  try {
    return Number(BigInt.asUintN(32, unit.evaluate(tokens).v));
  } catch {
    return null;
  }
}

function tableEntry(unit: KernelUnit, item: Token[], uapiDirs: readonly string[], headers: Set<string>) {
  const args = callArgs(item);
  const name = single(args[D.table.ioctlArg]);
  const nativeCmd = args[D.table.ioctlArg] ? evaluate(unit, args[D.table.ioctlArg]!) : null;
  if (!name || nativeCmd === null) return null;
  const file = unit.macros(name)?.def?.file;
  const dir = file ? uapiDirs.find((d) => file.startsWith(`${d}/`)) : undefined;
  if (file && dir) headers.add(relative(dir, file));
  const at = item[0]!;
  return { name, nativeCmd, func: single(args[D.table.funcArg]) ?? '?', loc: { file: at.file, line: at.line } };
}

/**
 * The cases of `fn`'s switch on its command, evaluated; with `returns`, what the statements a case
 * leads to return first (`case VIDIOC_G_FMT32: return VIDIOC_G_FMT;`).
 */
function cases(unit: KernelUnit, fn: FunctionDef, cmdParam: number, returns: boolean): V4l2Case[] {
  const d = readDispatch(unit.tokens, fn, cmdParam, expandCall(unit));
  const out: V4l2Case[] = [];
  for (const route of d.routes) {
    let to: number | null = null;
    if (returns) {
      const [a, b] = route.region[0] ?? [0, 0];
      const r = unit.tokens.findIndex((t, i) => i >= a && i < b && t.text === 'return');
      const semi = r < 0 ? -1 : unit.tokens.findIndex((t, i) => i > r && t.text === ';');
      if (r >= 0 && semi > r + 1) to = evaluate(unit, unit.tokens.slice(r + 1, semi));
    }
    for (const i of route.labels) {
      const label = d.labels[i]!;
      if (label.range) continue;
      const value = evaluate(unit, label.tokens);
      if (value !== null) out.push({ label: label.text, value, to, loc: label.loc });
    }
  }
  return out;
}

export interface V4l2JudgeOptions extends DrmJudgeOptions {
  /** The build tree whose UAPI headers the other compat ABIs' numbers are read from. */
  kernelTree: string;
}

export interface V4l2Judged {
  findings: AuditFinding[];
  /** Entries of the table joined with a verdict and judged. */
  judged: number;
}

/** What each compat ABI of the native kernel sends: per ABI, native number → compat number. */
function sentNumbers(model: V4l2Model, opts: V4l2JudgeOptions): Map<string, Map<number, number>> {
  // every compat task of the native kernel reaches the same switch (in_compat_syscall() holds for all)
  const names = [...new Set<AbiName>([opts.compat.name, ...opts.native.compat])];
  const out = new Map<string, Map<number, number>>();
  if (!model.headers.length) return out;
  const r = check({
    pairs: names.map((n) => ({ native: opts.native, compat: getAbi(n) })),
    scan: { headers: model.headers, kernelTree: opts.kernelTree },
    lint: false,
  });
  for (const p of r.pairs) {
    const m = new Map<number, number>();
    for (const v of p.ioctls) if (v.nativeCmd !== null && v.compatCmd !== null) m.set(v.nativeCmd, v.compatCmd);
    out.set(p.compat, m);
  }
  return out;
}

/** Each table entry's compat path, judged with check's verdict for the pair; then the translate switch's dead cases. */
export function judgeV4l2(model: V4l2Model, opts: V4l2JudgeOptions): V4l2Judged {
  const out: V4l2Judged = { findings: [], judged: 0 };
  if (!model.translate || !model.ioctls.length) return out;
  const c = opts.compat.name;
  const translated = new Map<number, V4l2Case>();
  for (const k of model.translate) if (!translated.has(k.value)) translated.set(k.value, k);
  const entryOf = new Map(model.ioctls.map((io) => [io.nativeCmd, io]));
  const ops = model.fops ? `file_operations ${model.fops}` : `file_operations of V4L2 devices (${D.compatEntry})`;
  const base = { ops, hook: D.compatEntry };
  const tr = D.translate.func;
  for (const io of model.ioctls) {
    const entry = opts.identify(io.nativeCmd, io.name);
    if (!entry || entry.compatCmd === null) continue;
    const cmd = entry.compatCmd;
    const where = { file: relative(opts.root, io.loc.file), line: io.loc.line, ioctl: entry.name };
    const evidence = numbers(entry, io.nativeCmd, opts);
    const ioc = decodeIoc(opts.native, cmd);
    if (ioc.type !== D.passThrough.type.charCodeAt(0) || model.privateBase === null || ioc.nr >= model.privateBase) {
      out.findings.push({
        ...base,
        ...where,
        kind: 'unknown',
        level: 'note',
        message: `${D.compatEntry} passes ${c}'s 0x${hex(cmd)} to the driver's compat_ioctl32, not to ${D.nativeEntry}`,
        evidence,
        fix: 'none: read the driver',
      });
      continue;
    }
    out.judged++;
    const k = translated.get(cmd);
    const real = k?.to ?? cmd;
    const target = entryOf.get(real);
    if (!target) {
      // the numbers the switch does map to this entry (other compat ABIs', other struct sizes)
      const mapped = model.translate.filter((t) => t.to === io.nativeCmd).map((t) => `${t.label} 0x${hex(t.value)}`);
      const name = mapped.length ? `${entry.name}32_${c.replace(/\W/g, '_').toUpperCase()}` : `${entry.name}32`;
      out.findings.push({
        ...base,
        ...where,
        kind: 'unreachable',
        level: 'error',
        message:
          `${article(c)} ${c} task's ${entry.name} (0x${hex(cmd)}) is ` +
          `${k ? `translated to 0x${hex(real)}` : `not translated by ${tr}`} and is no command of ` +
          `${D.table.array}[] (v4l2_is_known_ioctl fails): ENOTTY where the entry has 0x${hex(io.nativeCmd)}`,
        evidence:
          `${evidence}; verdict ${entry.verdict}; ` +
          (mapped.length ? `${tr} maps only ${mapped.join(', ')} to it` : `${tr} maps no number to it`),
        fix:
          `add \`case ${name}: return ${entry.name};\` to ${tr} with ${name} the compat number ` +
          `0x${hex(cmd)}, and its conversion to ${D.copyIn.func}/${D.copyOut.func} (ioctl32 gen c ${entry.header})`,
      });
      continue;
    }
    if (target !== io) {
      out.findings.push({
        ...base,
        ...where,
        kind: 'unconverted',
        level: 'error',
        message:
          `${tr} translates ${c}'s ${entry.name} (0x${hex(cmd)}) to ${target.name}: ` +
          `its handler ${target.func} runs`,
        evidence: `${evidence}; case ${k!.label} at line ${k!.loc.line}`,
        fix: `return ${entry.name} for case ${k!.label} in ${tr}`,
      });
      continue;
    }
    if (real === cmd) {
      // not translated: video_get_user/video_put_user copy _IOC_SIZE bytes as they are
      const same = sameLayout(entry);
      if (same === 'fine') continue;
      if (same === 'unknown') {
        out.findings.push({
          ...base,
          ...where,
          kind: 'unknown',
          level: 'note',
          message: `no verdict for ${entry.name}: ${entry.reasons[0]?.message ?? entry.verdict}`,
          evidence,
          fix: 'none: the catalogue cannot lay the argument out',
        });
        continue;
      }
      out.findings.push({
        ...base,
        ...where,
        kind: 'unconverted',
        level: 'error',
        message:
          `${article(c)} ${c} task's ${entry.name} is the native number, which ${tr} leaves as it is: ` +
          `${D.nativeEntry} copies ${entry.arg ?? 'the argument'} in the native layout: verdict ${entry.verdict}`,
        evidence: `${evidence}; ${reasonText(entry)}`,
        fix:
          `convert ${entry.arg ?? 'the argument'} for compat tasks ` +
          `(ioctl32 gen c ${entry.header} writes the converter)`,
      });
      continue;
    }
    // translated: video_get_user/video_put_user convert through the copy switches, by the compat number's direction
    const dir = ioc.dir ?? 'none';
    const lacking = [
      dir.includes('w') && model.copyIn && !model.copyIn.has(cmd)
        ? `${D.copyIn.func} has no case for it: the argument is not copied in (the native struct stays zeroed)`
        : null,
      dir.includes('r') && model.copyOut && !model.copyOut.has(cmd)
        ? `${D.copyOut.func} has no case for it: the result is not copied back`
        : null,
    ].flatMap((x) => (x === null ? [] : [x]));
    if (!lacking.length) continue;
    out.findings.push({
      ...base,
      ...where,
      kind: 'unconverted',
      level: 'error',
      message: `${tr} translates ${c}'s ${entry.name} (0x${hex(cmd)}, ${k!.label}), but ${lacking.join('; ')}`,
      evidence: `${evidence}; verdict ${entry.verdict}`,
      fix:
        `add case ${k!.label} to ${D.copyIn.func} and ${D.copyOut.func} with its converters ` +
        `(ioctl32 gen c ${entry.header} writes them)`,
    });
  }
  out.findings.push(...deadCases(model, opts, base));
  return out;
}

/** Cases of the translate switch whose number no compat task of the native kernel sends. */
function deadCases(model: V4l2Model, opts: V4l2JudgeOptions, base: { ops: string; hook: string }): AuditFinding[] {
  const sent = sentNumbers(model, opts);
  if (!sent.size) return [];
  const all = new Set([...sent.values()].flatMap((m) => [...m.values()]));
  const out: AuditFinding[] = [];
  for (const k of model.translate ?? []) {
    if (all.has(k.value)) continue;
    const target = model.ioctls.find((io) => io.nativeCmd === k.to);
    const name = target?.name ?? k.label;
    const entry = target ? opts.identify(target.nativeCmd, target.name) : undefined;
    const senders = target
      ? [...sent].flatMap(([abi, m]) => {
          const n = m.get(target.nativeCmd);
          return n === undefined ? [] : [`${abi} sends 0x${hex(n)}`];
        })
      : [];
    out.push({
      ...base,
      kind: 'dead-compat-code',
      level: 'error',
      ioctl: name,
      file: relative(opts.root, k.loc.file),
      line: k.loc.line,
      message:
        `${D.translate.func} compares cmd with ${k.label} = 0x${hex(k.value)}, a number no compat task of ` +
        `${opts.native.name} sends (${[...sent.keys()].join(', ')}): this case and its conversion never run`,
      evidence: [`${k.label} 0x${hex(k.value)}${size(opts.native, k.value)}`, ...senders].join('; '),
      fix:
        `define ${k.label} with the compat struct laid out as the compat ABIs lay out ` +
        `${entry?.arg ?? 'the argument'}${entry ? ` (ioctl32 gen c ${entry.header} writes it)` : ''}`,
    });
  }
  return out;
}

function size(abi: Abi, n: number): string {
  const d = decodeIoc(abi, n);
  return d.dir === null || d.dir === 'none' ? '' : ` (size ${d.size})`;
}

/**
 * Whether a compat task's argument reads right when copied as it is: the same layout (user pointers
 * in __u64s in place included).
 */
function sameLayout(entry: IoctlVerdict): 'fine' | 'wrong' | 'unknown' {
  if (entry.verdict === 'unknown') return 'unknown';
  if (entry.verdict === 'identical' || entry.verdict === 'no-arg') return 'fine';
  return entry.reasons.some((r) => !inPlaceUserPointer(r)) ? 'wrong' : 'fine';
}
