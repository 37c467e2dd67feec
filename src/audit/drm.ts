/**
 * DRM's ioctls: not a switch on cmd but tables indexed by the command's nr. The native entry
 * (drm_ioctl) looks the nr up in the core table or a driver's and copies the caller's size in
 * and out; the compat entry (drm_compat_ioctl) converts the nrs its own table has an entry for
 * and passes every other number on to drm_ioctl unchanged. So for each ioctl of the tables read,
 * a compat task's call is converted (an entry), or reaches drm_ioctl with the compat size: right
 * where the layouts are the same, tolerated where only tail padding differs (`tail-only`), and
 * silently wrong otherwise (`unconverted`). The conventions are tables below, each with its source.
 */
import { relative } from 'node:path';
import type { Abi } from '../abi/types.js';
import type { IoctlVerdict } from '../compat/check.js';
import type { Reason } from '../compat/compare.js';
import { Token } from '../cfront/token.js';
import type { AuditFinding } from './audit.js';
import { article, numbers } from './evidence.js';
import { DRM_DISPATCH, type DrmTableMacro } from './hooks.js';
import { matching, readDefinitions, readDispatch, type OpsDef } from './reader.js';
import { topLevelDeclarations, type KernelBuild, type KernelUnit } from './unit.js';

/** One entry of a native table (DRM_IOCTL_DEF ...), as read. */
export interface DrmIoctl {
  /** The command macro the entry's `.cmd` names (DRM_IOCTL_MODE_GETFB2). */
  name: string;
  nativeCmd: number;
  func: string;
  /** The table (drm_ioctls, vgem_ioctls) and whether it is the core's. */
  table: string;
  core: boolean;
  unit: KernelUnit;
  loc: { file: string; line: number };
}

/** How the compat hook of the device files serving a table reaches drm_compat_ioctl / drm_ioctl. */
type CompatPath = { kind: 'drm' } | { kind: 'unknown'; why: string };

export interface DrmModel {
  ioctls: DrmIoctl[];
  /** nr → the compat table's converter (drm_compat_ioctls[nr].fn). */
  converted: Map<number, string>;
  /** Whether the compat entry's table was read (else nothing is judged). */
  compatTableRead: boolean;
  /** Driver table → how its device files' compat hook reaches the DRM entries. */
  driverPaths: Map<string, CompatPath & { ops: string }>;
  /** UAPI headers (relative to a uapi dir) defining the commands: the catalogue reads them. */
  headers: string[];
}

export interface DrmSources {
  /** Every .c file under the paths audited. */
  all: readonly string[];
  /** Reads a file as a unit (null: it failed; the audit records why). */
  read: (path: string) => KernelUnit | null;
  /** Cheap text test before reading. */
  text: (path: string) => string;
  kb: KernelBuild;
}

/** The units of the files whose text `mentions` passes (the cheap test before reading), those that read. */
export function unitsMentioning(src: DrmSources, mentions: (text: string) => boolean): KernelUnit[] {
  return src.all
    .filter((f) => mentions(src.text(f)))
    .map((f) => src.read(f))
    .filter((u): u is KernelUnit => u !== null);
}

/** Files worth reading for DRM: a table macro's use, the compat table, a drm_driver definition. */
function mentionsDrm(text: string): boolean {
  return (
    DRM_DISPATCH.tables.some((t) => text.includes(`${t.macro}(`)) ||
    DRM_DISPATCH.compatTables.some((t) => text.includes(`${t.array}[]`)) ||
    text.includes(`struct ${DRM_DISPATCH.driver.struct} `)
  );
}

export function readDrm(src: DrmSources): DrmModel {
  const model: DrmModel = {
    ioctls: [],
    converted: new Map(),
    compatTableRead: false,
    driverPaths: new Map(),
    headers: [],
  };
  const units = unitsMentioning(src, mentionsDrm);
  const headers = new Set<string>();
  const drivers: Array<{ def: OpsDef; unit: KernelUnit }> = [];
  const fops = new Map<string, { def: OpsDef; unit: KernelUnit }>();
  for (const unit of units) {
    for (const [from, to] of topLevelDeclarations(unit.tokens)) {
      const arr = arrayAt(unit.tokens, from, to, unit.path);
      if (!arr) continue;
      const compat = DRM_DISPATCH.compatTables.find((t) => t.array === arr.name);
      if (compat) {
        model.compatTableRead = true;
        readCompatTable(unit, arr.items, compat.fnField, compat.base, model.converted);
        continue;
      }
      for (const item of arr.items) {
        const row = DRM_DISPATCH.tables.find((t) => t.macro === item[0]?.text);
        if (!row) continue;
        const entry = tableEntry(unit, item, row, arr.name, src.kb, headers);
        if (entry) model.ioctls.push(entry);
      }
    }
    for (const def of readDefinitions(unit.tokens, unit.path, expandCall(unit)).ops) {
      if (def.struct === DRM_DISPATCH.driver.struct) drivers.push({ def, unit });
      if (def.struct === 'file_operations') fops.set(def.name, { def, unit });
    }
  }
  for (const { def } of drivers) {
    const table = single(def.members.get(DRM_DISPATCH.driver.ioctls)?.tokens);
    const f = def.members.get(DRM_DISPATCH.driver.fops)?.tokens.filter((t) => t.text !== '&');
    const fopsName = single(f);
    if (!table) continue;
    const ops = fopsName ? fops.get(fopsName) : undefined;
    if (!ops) {
      model.driverPaths.set(table, { kind: 'unknown', why: `${def.name}'s fops not read`, ops: def.name });
      continue;
    }
    const hook = single(ops.def.members.get('compat_ioctl')?.tokens) ?? 'none';
    model.driverPaths.set(table, { ...compatPath(hook, ops.unit, units), ops: `file_operations ${ops.def.name}` });
  }
  model.headers = [...headers].sort();
  return model;
}

/** `static ... NAME[] = { items }` at [from, to): the name and its initializer's items, as written. */
export function arrayAt(
  tokens: readonly Token[],
  from: number,
  to: number,
  file: string,
): { name: string; items: Token[][] } | null {
  if (tokens[from]?.file !== file) return null;
  for (let i = from; i + 3 < to; i++) {
    const t = tokens[i]!;
    // past a struct's body (`static struct { ... } drm_compat_ioctls[]`) and attributes' parentheses
    if (t.text === '(' || t.text === '{') {
      i = matching(tokens, i);
      continue;
    }
    if (t.kind !== 'ident' || tokens[i + 1]!.text !== '[') continue;
    const close = matching(tokens, i + 1);
    if (tokens[close + 1]?.text !== '=' || tokens[close + 2]?.text !== '{') return null;
    const end = matching(tokens, close + 2);
    return { name: t.text, items: splitItems(tokens.slice(close + 3, end)) };
  }
  return null;
}

function splitItems(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(' || t.text === '{' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === '}' || t.text === ']') depth--;
    if (t.text === ',' && depth === 0) out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out.filter((x) => x.length);
}

/** The arguments of a macro call as written (`M(a, b, c)` → [[a], [b], [c]]). */
export function callArgs(item: readonly Token[]): Token[][] {
  if (item[1]?.text !== '(') return [];
  return splitItems(item.slice(2, matching(item, 1)));
}

export function single(tokens: readonly Token[] | undefined): string | null {
  return tokens?.length === 1 && tokens[0]!.kind === 'ident' ? tokens[0]!.text : null;
}

function tableEntry(
  unit: KernelUnit,
  item: Token[],
  row: DrmTableMacro,
  table: string,
  kb: KernelBuild,
  headers: Set<string>,
): DrmIoctl | null {
  const args = callArgs(item);
  const arg = single(args[row.ioctlArg]);
  // the handler as configured: DRM_LEGACY_IOCTL_DEF names drm_invalid_op without CONFIG_DRM_LEGACY
  const func = expandedMember(unit, item, row.funcField) ?? single(args[row.funcArg]) ?? '?';
  if (!arg) return null;
  const name = `${row.cmdPrefix}${arg}`;
  const at = item[0]!;
  let nativeCmd: number;
  try {
    const tok = new Token('ident', name, at.file, at.line, at.col, false, true);
    nativeCmd = Number(BigInt.asUintN(32, unit.evaluate([tok]).v));
  } catch {
    return null;
  }
  const file = unit.macros(name)?.def?.file;
  const dir = file ? kb.uapiDirs.find((d) => file.startsWith(`${d}/`)) : undefined;
  if (file && dir) headers.add(relative(dir, file));
  return { name, nativeCmd, func, table, core: row.core, unit, loc: { file: at.file, line: at.line } };
}

/** The identifier a designated member `.field = x` holds in the entry's expansion. */
function expandedMember(unit: KernelUnit, item: Token[], field: string): string | null {
  let x: Token[];
  try {
    x = unit.expand(item);
  } catch {
    return null;
  }
  const i = x.findIndex((t, j) => t.text === field && x[j - 1]?.text === '.' && x[j + 1]?.text === '=');
  const v = i >= 0 ? x[i + 2] : undefined;
  return v?.kind === 'ident' ? v.text : null;
}

/** drm_compat_ioctls[]: `[index] = {.fn = f, ...}` once the entry macro is expanded. */
function readCompatTable(
  unit: KernelUnit,
  items: readonly Token[][],
  fnField: string,
  base: string,
  out: Map<number, string>,
): void {
  const baseValue = base === '0' ? 0 : Number(unit.evaluate([new Token('ident', base, '', 0, 0, false, true)]).v);
  for (const item of items) {
    let x: Token[];
    try {
      x = unit.macros(item[0]!.text)?.params ? unit.expand(item) : item;
    } catch {
      continue;
    }
    if (x[0]?.text !== '[') continue;
    const close = matching(x, 0);
    const fn = x.findIndex((t, i) => t.text === fnField && x[i - 1]?.text === '.' && x[i + 1]?.text === '=');
    const f = fn >= 0 ? x[fn + 2] : undefined;
    if (!f || f.kind !== 'ident') continue;
    try {
      out.set(Number(unit.evaluate(x.slice(1, close)).v) + baseValue, f.text);
    } catch {
      // an index the unit cannot evaluate: the entry is not known, its nr reads as unconverted
    }
  }
}

export function expandCall(unit: KernelUnit) {
  return (tokens: Token[]) => {
    const m = tokens[0] ? unit.macros(tokens[0].text) : undefined;
    return m && m.params !== null ? unit.expand(tokens) : null;
  };
}

/**
 * A driver's compat hook: DRM's own entry, or a function of the driver that only passes cmd on
 * to the DRM entries (radeon_kms_compat_ioctl: drm_compat_ioctl below DRM_COMMAND_BASE,
 * radeon_drm_ioctl → drm_ioctl above), read through the functions of the units.
 */
function compatPath(hook: string, unit: KernelUnit, units: readonly KernelUnit[]): CompatPath {
  const ends = new Set<string>([DRM_DISPATCH.compatEntry, DRM_DISPATCH.nativeEntry]);
  if (ends.has(hook)) return { kind: 'drm' };
  if (hook === 'none') return { kind: 'unknown', why: 'no compat hook' };
  const seen = new Set<string>();
  const visit = (name: string, depth: number): string | null => {
    if (ends.has(name) || seen.has(name)) return null;
    seen.add(name);
    if (depth > 3) return `${name}: too deep`;
    for (const u of [unit, ...units]) {
      const fn = readDefinitions(u.tokens, u.path).functions.find((f) => f.name === name);
      if (!fn) continue;
      const cmdParam = 1;
      const d = readDispatch(u.tokens, fn, cmdParam, expandCall(u));
      if (d.labels.length) return `${name} dispatches on cmd itself`;
      if (d.dynamic.length) return `${name}: ${d.dynamic[0]!.why}`;
      for (const c of d.calls) {
        if (c.callee === null) return `${name} calls ${c.text}`;
        const why = visit(c.callee, depth + 1);
        if (why) return why;
      }
      return null;
    }
    return `${name} not in the files read`;
  };
  const why = visit(hook, 0);
  return why ? { kind: 'unknown', why } : { kind: 'drm' };
}

export interface DrmJudgeOptions {
  root: string;
  native: Abi;
  compat: Abi;
  identify: (nativeCmd: number, name: string, exact?: boolean) => IoctlVerdict | undefined;
}

export interface DrmJudged {
  findings: AuditFinding[];
  /** Ioctls of the tables read joined with a verdict and judged. */
  judged: number;
}

/** Each table entry's compat path, judged with check's verdict for the pair. */
export function judgeDrm(model: DrmModel, opts: DrmJudgeOptions): DrmJudged {
  const out: DrmJudged = { findings: [], judged: 0 };
  if (!model.compatTableRead) return out;
  const c = opts.compat.name;
  for (const io of model.ioctls) {
    if (DRM_DISPATCH.nonReading.some((n) => n.func === io.func)) continue;
    // by name only: DRM drivers number their ioctls from DRM_COMMAND_BASE alike, so vmwgfx_drv.c's own
    // DRM_IOCTL_VMW_UNREF_DMABUF has radeon's DRM_IOCTL_RADEON_CP_STOP's number
    const entry = opts.identify(io.nativeCmd, io.name, true);
    if (!entry || entry.compatCmd === null) continue;
    const path = io.core
      ? { kind: 'drm' as const, ops: `file_operations of DRM devices (${DRM_DISPATCH.compatEntry})` }
      : model.driverPaths.get(io.table);
    const where = { file: relative(opts.root, io.loc.file), line: io.loc.line };
    const evidence = numbers(entry, io.nativeCmd, opts);
    const base = { ioctl: entry.name, ...where, ops: path?.ops ?? `table ${io.table}`, hook: DRM_DISPATCH.compatEntry };
    if (!path || path.kind === 'unknown') {
      out.findings.push({
        ...base,
        kind: 'unknown',
        level: 'note',
        message: `no compat path read for ${io.table}: ${path ? path.why : 'no drm_driver names it'}`,
        evidence,
        fix: 'none: read the driver',
      });
      continue;
    }
    out.judged++;
    const nr = entry.compatCmd & 0xff;
    const converter = model.converted.get(nr);
    if (converter) continue;
    const kind = judgement(entry);
    if (kind === 'fine') continue;
    if (kind === 'unknown') {
      out.findings.push({
        ...base,
        kind: 'unknown',
        level: 'note',
        message: `no verdict for ${entry.name}: ${entry.reasons[0]?.message ?? entry.verdict}`,
        evidence,
        fix: 'none: the catalogue cannot lay the argument out',
      });
      continue;
    }
    const via = `${DRM_DISPATCH.compatEntry} has no entry for nr 0x${nr.toString(16)}: ${DRM_DISPATCH.nativeEntry}`;
    if (kind === 'tail-only') {
      out.findings.push({
        ...base,
        kind: 'tail-only',
        level: 'note',
        message: `${via} copies the ${c} size of ${entry.arg ?? 'the argument'}; only tail padding differs`,
        evidence: `${evidence}; ${reasonText(entry)}`,
        fix: 'none needed',
      });
      continue;
    }
    out.findings.push({
      ...base,
      kind: 'unconverted',
      level: 'error',
      message:
        `${via} (${io.table}[${io.func}]) reads ${article(c)} ${c} task's ${entry.arg ?? 'argument'} ` +
        `in the native layout: verdict ${entry.verdict}`,
      evidence: `${evidence}; ${reasonText(entry)}`,
      fix: `add ${entry.name} to drm_compat_ioctls[] with a converter ` + `(ioctl32 gen c ${entry.header} writes one)`,
    });
  }
  return out;
}

/**
 * What drm_ioctl does with a compat task's argument: the same layout (user pointers in __u64s in
 * place included), only tail padding that drm_ioctl's size handling tolerates, or anything else.
 */
function judgement(entry: IoctlVerdict): 'fine' | 'tail-only' | 'wrong' | 'unknown' {
  if (entry.verdict === 'unknown') return 'unknown';
  const left = entry.reasons.filter((r) => !inPlaceUserPointer(r));
  if (!left.length || entry.verdict === 'identical' || entry.verdict === 'no-arg') return 'fine';
  if (left.every((r) => r.rule === 'size' && r.sub === 'tail-padding' && r.dispatcher === DRM_DISPATCH.nativeEntry))
    return 'tail-only';
  return 'wrong';
}

export function inPlaceUserPointer(r: Reason): boolean {
  return (
    r.rule === 'user-pointer' &&
    !!r.native &&
    !!r.compat &&
    r.native.offset === r.compat.offset &&
    r.native.size === r.compat.size
  );
}

export function reasonText(entry: IoctlVerdict): string {
  return entry.reasons
    .filter((r) => !inPlaceUserPointer(r))
    .slice(0, 3)
    .map((r) => {
      const at = r.path ? `${r.rule} ${r.path}` : r.rule;
      const n = r.native;
      const k = r.compat;
      if (n && k) return `${at}: offset ${n.offset} size ${n.size} vs offset ${k.offset} size ${k.size}`;
      return r.message ?? at;
    })
    .join('; ');
}
