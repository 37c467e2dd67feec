/**
 * `ioctl32 explain`: an ioctl number a compat task passed, from the kernel's compat log line,
 * QEMU linux-user's, or bare, taken apart — who, which descriptor, the number decoded on each ABI
 * the task may be, the ioctls it is there, and for each the verdict of the native/compat pair:
 * the members that differ and why, what the handler must do, and whether the kernel already
 * answers the number in its own compat path (src/ioctl/kernel-remaps.ts).
 */
import { headerList, namesNotLookedUp } from './decode.js';
import { assertAbi, getAbi } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import type { IncludeOptions } from '../cfront/index.js';
import { FileCache } from '../cfront/preprocess.js';
import { shortTypeName } from '../cfront/print.js';
import { stripTypedefs, type CType } from '../cfront/types.js';
import { emptyAnnotations } from '../compat/annotations.js';
import { withBuiltins } from '../compat/builtin-annotations.js';
import { ioctlVerdict } from '../compat/check.js';
import { memberClass, type Reason, type Verdict } from '../compat/compare.js';
import { Ioctl32Error, UsageError } from '../errors.js';
import { decodeIoc, typeChar, type DecodedIoc } from '../ioctl/ioc.js';
import { kernelRemapsFor, type KernelRemap } from '../ioctl/kernel-remaps.js';
import { flattenFields } from '../layout/fields.js';
import type { Layouter } from '../layout/layout.js';
import { LayoutError } from '../layout/types.js';
import { dumpHeaders, unreadHeaders, type Dumped } from '../scan/dump.js';
import { cmdOf, indexHeaderTrees, ioctlNamesFor, type UnevaluatedName } from '../scan/names.js';

/**
 * Which line it was: the kernel's `ioctl32(prog:pid): ... cmd(X){t:'K';sz:16} ...` (2.6.2x to
 * 5.x), its older `ioctl32(prog:pid): ... cmd(X){00} ...` (2.6 to 2.6.2x), the 2.5 arch
 * code's `sys32_ioctl(prog:pid): ...`, QEMU linux-user's `Unsupported ioctl: cmd=0x...`, or a
 * bare number.
 */
export type LogFormat = 'ioctl32' | 'ioctl32-old' | 'sys32_ioctl' | 'qemu' | 'number';

export interface LogLine {
  format: LogFormat;
  cmd: number;
  program?: string;
  pid?: number;
  fd?: number;
  arg?: number;
  /** `{t:'K';sz:16}` of the ioctl32 format: the type as printed ('K', or hex), and the size field. */
  typeText?: string;
  size?: number;
  /** `{00}` of the ioctl32-old format: (cmd >> 24) & 0x3f as the kernel printed it ('c' or hex). */
  braced?: string;
  /** `on /dev/kvm`: the file the descriptor is. */
  path?: string;
  /** qemu: QEMU printed the int command sign-extended to 64 bits (0xffffffffc0185617). */
  signExtended?: boolean;
  /** qemu's `Unsupported ioctl type: cmd=0x... type=N`: QEMU knows the command, not its argument type N. */
  qemuArgType?: number;
}

const NOT_A_LINE =
  'not a compat ioctl log line (expected ' +
  '"ioctl32(prog:pid): Unknown cmd fd(N) cmd(X){t:\'K\';sz:16} arg(Y) on PATH", ' +
  'the older "ioctl32(prog:pid): Unknown cmd fd(N) cmd(X){00} arg(Y) on PATH" or ' +
  '"sys32_ioctl(prog:pid): Unknown cmd fd(N) cmd(X) arg(Y)", QEMU\'s "Unsupported ioctl: cmd=0xX", ' +
  'or a number, decimal or 0x-hex)';

/** A %08x field: an unsigned 32-bit number, never cut down to one. */
function hex32(text: string, field: string): number {
  const v = BigInt(`0x${text}`);
  if (v > 0xffffffffn) {
    throw new UsageError(
      `${field}(${text}) has more than 32 bits: the kernel prints an unsigned 32-bit number there (%08x), ` +
        'so the line is damaged (two lines run together, or a digit too many)',
    );
  }
  return Number(v);
}

// fs/compat_ioctl.c compat_ioctl_error(): "ioctl32(%s:%d): Unknown cmd fd(%d) cmd(%08x){...} arg(%08x) on %s"
const TASK_CMD = String.raw`ioctl32\((.*):(\d+)\): Unknown cmd fd\((-?\d+)\) cmd\(([0-9a-fA-F]+)\)`;
const ARG_ON = String.raw` arg\(([0-9a-fA-F]+)\)(?: on (.*\S))?`;
const CUR = new RegExp(String.raw`${TASK_CMD}\{t:('.'|[^;]*);sz:(\d+)\}${ARG_ON}`);
const OLD = new RegExp(String.raw`${TASK_CMD}\{('.'|[^}]*)\}${ARG_ON}`);
const SYS32 = /sys32_ioctl(?:\((.*):(\d+)\))?: Unknown cmd fd\((-?\d+)\) cmd\(([0-9a-fA-F]+)\) arg\(([0-9a-fA-F]+)\)/;
const QEMU = /Unsupported ioctl( type)?: cmd=0x([0-9a-fA-F]+)(?: type=(-?\d+))?/;
const NUMBER = /^(0[xX][0-9a-fA-F]+|[0-9]+)$/;

/** One line in any of the forms of LogFormat; a UsageError (exit 2) for anything else. */
export function parseLogLine(text: string): LogLine {
  const cur = CUR.exec(text);
  if (cur) {
    const l: LogLine = {
      format: 'ioctl32',
      program: cur[1]!,
      pid: Number(cur[2]),
      fd: Number(cur[3]),
      cmd: hex32(cur[4]!, 'cmd'),
      arg: hex32(cur[7]!, 'arg'),
      typeText: cur[5]!,
      size: Number(cur[6]),
    };
    if (cur[8]) l.path = cur[8];
    return l;
  }
  const old = OLD.exec(text);
  if (old) {
    const l: LogLine = {
      format: 'ioctl32-old',
      program: old[1]!,
      pid: Number(old[2]),
      fd: Number(old[3]),
      cmd: hex32(old[4]!, 'cmd'),
      arg: hex32(old[6]!, 'arg'),
      braced: old[5]!,
    };
    if (old[7]) l.path = old[7];
    return l;
  }
  const sys = SYS32.exec(text);
  if (sys) {
    const l: LogLine = {
      format: 'sys32_ioctl',
      fd: Number(sys[3]),
      cmd: hex32(sys[4]!, 'cmd'),
      arg: hex32(sys[5]!, 'arg'),
    };
    // the earliest form names no task: "sys32_ioctl: Unknown cmd ..."
    if (sys[1] !== undefined) {
      l.program = sys[1];
      l.pid = Number(sys[2]);
    }
    return l;
  }
  const qemu = QEMU.exec(text);
  if (qemu) {
    // do_ioctl(int fd, int cmd, ...) prints (long)cmd: on a 64-bit host a command with bit 31
    // set comes out sign-extended, which is the int's 32 bits and nothing more
    const v = BigInt(`0x${qemu[2]}`);
    const signExtended = v > 0xffffffffn && v >> 32n === 0xffffffffn && (v & 0x80000000n) !== 0n;
    if (v > 0xffffffffn && !signExtended) {
      throw new UsageError(
        `cmd=0x${qemu[2]} has more than 32 bits and is no sign-extended int (QEMU prints the int command as a long)`,
      );
    }
    const l: LogLine = { format: 'qemu', cmd: Number(v & 0xffffffffn) };
    if (signExtended) l.signExtended = true;
    if (qemu[1] && qemu[3] !== undefined) l.qemuArgType = Number(qemu[3]);
    return l;
  }
  const bare = text.trim();
  if (NUMBER.test(bare)) {
    const v = BigInt(bare);
    if (v > 0xffffffffn)
      throw new UsageError(`${bare} has more than 32 bits: an ioctl command is an unsigned 32-bit number`);
    return { format: 'number', cmd: Number(v) };
  }
  throw new UsageError(NOT_A_LINE);
}

/** A reason of the verdict with the member's C type on each side, and the reason as a sentence. */
export interface MemberDifference extends Reason {
  nativeType?: string;
  compatType?: string;
  /** "timestamp: struct timeval, 8 bytes on i386 and 16 on x86_64, at offset 20 and 24: its members differ" */
  text: string;
}

export interface NameExplanation {
  name: string;
  /** Its number on the native ABI; absent when the native headers do not define it. */
  nativeCmd?: number;
  /** The header that defines it, and its argument type as C names it. */
  header?: string;
  arg?: string;
  verdict?: Verdict;
  cmdDiffers?: boolean;
  reasons?: MemberDifference[];
  /** One line: what the .compat_ioctl handler must do (the verdict's action). */
  action?: string;
  /** Why there is no verdict (headers that cannot be read, a name the native ABI lacks ...). */
  noVerdict?: string;
}

/** A case of the kernel's own compat path that the number meets (src/ioctl/kernel-remaps.ts). */
export interface KernelRemapHit extends Omit<KernelRemap, 'number' | 'definition' | 'needs' | 'natives'> {
  /** The native command's number, where the native headers give it. */
  nativeCmd?: number;
}

export interface CandidateAbi {
  abi: string;
  decoded: DecodedIoc;
  names: NameExplanation[];
  /** Macros of the catalogue with this type and nr whose number has no value on this ABI. */
  unevaluated?: Array<{ name: string; reason: string }>;
  /** Headers that may define the number but cannot be read on this ABI, with their first error. */
  unread?: Array<{ header: string; error: string }>;
  /** Why no name was looked up on this ABI: it has no headers here. */
  noHeaders?: string;
  kernelRemap?: KernelRemapHit;
}

export interface Explanation {
  line: LogLine;
  /** The kernel's ABI. */
  native: string;
  /**
   * Whether the kernel has a compat path: false for a 32-bit kernel (the task's number goes
   * straight to the driver's native handler) and a 64-bit one that serves no compat ABI; then
   * `candidates` holds the native ABI alone, with names and no verdicts.
   */
  compatPath: boolean;
  /** Without a compat path: what that means for the number (the text prints it). */
  note?: string;
  candidates: CandidateAbi[];
}

/** What explain asks of the catalogue's names on one ABI (ioctlNames gives all of it). */
export type CatalogueNames = ReadonlyMap<number, string[]> & {
  unevaluated?(cmd: number): UnevaluatedName[];
  /** The headers to dump to judge `name` (IoctlNames.unitsOf); without it, no verdicts. */
  unitsOf?(name: string): string[] | undefined;
  /** Headers looked in that cannot be read, with their first error (IoctlNames.unread). */
  readonly unread?: Readonly<Record<string, string>>;
  /** Why the ABI has no headers to look in (IoctlNames.noHeaders). */
  readonly noHeaders?: string | undefined;
};

export interface ExplainOptions {
  /** The kernel's ABI. */
  native: Abi;
  /** The ABIs the task may be (default: the native ABI's compat ABIs). */
  compats?: readonly Abi[];
  /**
   * The catalogue's names per ABI (default: those of the numbers and names asked, from the units
   * the header index names: ioctlNamesFor).
   */
  names?: (abi: Abi) => CatalogueNames;
  /** Judge each candidate (default true): dumps the header that defines it for both ABIs. */
  verdicts?: boolean;
  /** Include directories for the ABIs' headers. */
  include?: IncludeOptions;
  /** Each ABI's own, over `include` (the CLI's `--sysroot ABI=DIR`). */
  includeFor?: (abi: Abi) => IncludeOptions;
  /** Told what is read before each step that reads headers (the CLI's progress line). */
  progress?: (what: string) => void;
}

/**
 * Explains lines with caches shared between them: each ABI's names are read once, each header
 * that defines a candidate is dumped once per ABI (never the whole UAPI set).
 */
export class Explainer {
  private readonly names = new Map<string, CatalogueNames>();
  private readonly nativeByName = new Map<string, number | undefined>();
  private nativeNames: Map<string, number> | undefined;
  private readonly dumps = new Map<string, Dumped | Error>();
  private readonly files = new FileCache();
  private readonly compats: readonly Abi[];

  constructor(private readonly opts: ExplainOptions) {
    // i386+t64 is i386 user space built with 64-bit time_t: its kernel is i386's
    if (opts.native.flavourOf !== undefined) {
      throw new UsageError(
        `${opts.native.name} is a user-space flavour of ${opts.native.flavourOf}, not a kernel: ` +
          `its tasks run on the ${opts.native.flavourOf} kernel (--arch ${opts.native.flavourOf}) or as compat tasks`,
      );
    }
    this.compats = opts.compats ?? opts.native.compat.map(getAbi);
    if (!opts.names) indexHeaderTrees([opts.native, ...this.compats], (abi) => this.includeOf(abi));
  }

  explain(text: string): Explanation {
    const line = parseLogLine(text);
    const native = this.opts.native;
    if (line.format === 'ioctl32') checkBraces(line, native);
    if (!this.compats.length) {
      const names = this.namesOf(native, line.cmd);
      const candidate: CandidateAbi = {
        abi: native.name,
        decoded: decodeIoc(native, line.cmd),
        names: (names.get(line.cmd) ?? []).map((name) => ({ name, nativeCmd: line.cmd })),
      };
      addUnevaluated(candidate, names, line.cmd);
      const note =
        native.bits === 32
          ? `${native.name} is a 32-bit kernel: it has no compat path. A 32-bit task's number goes straight to the ` +
            "driver's native handler (.unlocked_ioctl): nothing is converted and no .compat_ioctl is involved."
          : native.compatUnmodelled !== undefined
            ? `the ${native.name} kernel serves no compat ABI ioctl32 models: ${native.compatUnmodelled}. The number ` +
              "is read as a native task's."
            : `the ${native.name} kernel serves no compat ABI: every task's number goes to the driver's ` +
              'native handler.';
      return { line, native: native.name, compatPath: false, note, candidates: [candidate] };
    }
    const candidates = this.compats.map((abi) => {
      const names = this.namesOf(abi, line.cmd);
      const c: CandidateAbi = {
        abi: abi.name,
        decoded: decodeIoc(abi, line.cmd),
        names: (names.get(line.cmd) ?? []).map((name) => this.judge(name, abi, names)),
      };
      addUnevaluated(c, names, line.cmd);
      const remap = kernelRemapsFor(native, line.cmd)[0];
      if (remap) c.kernelRemap = this.remapHit(remap);
      return c;
    });
    return { line, native: native.name, compatPath: true, candidates };
  }

  /** The names of `cmd` on `abi` (the whole catalogue when opts.names gives it). */
  private namesOf(abi: Abi, cmd: number): CatalogueNames {
    const key = this.opts.names ? abi.name : `${abi.name}\0${cmd}`;
    let n = this.names.get(key);
    if (!n) {
      this.opts.progress?.(`reading ${abi.name}'s headers`);
      n = this.opts.names
        ? this.opts.names(abi)
        : ioctlNamesFor(abi, this.includeOf(abi), { cmds: [cmd] }, { files: this.files });
      this.names.set(key, n);
    }
    return n;
  }

  /** The names of the macro `name` on the native ABI: its number and the units that define it. */
  private nativeNamesOf(name: string): CatalogueNames {
    const native = this.opts.native;
    if (this.opts.names) return this.namesOf(native, 0);
    const key = `${native.name}\0macro\0${name}`;
    let n = this.names.get(key);
    if (!n) {
      this.opts.progress?.(`reading ${native.name}'s headers for ${name}`);
      n = ioctlNamesFor(native, this.includeOf(native), { macros: [name] }, { files: this.files });
      this.names.set(key, n);
    }
    return n;
  }

  /** The native ABI's number of the ioctl `name`. */
  private nativeCmd(name: string): number | undefined {
    if (this.opts.names) {
      if (!this.nativeNames) {
        this.nativeNames = new Map();
        for (const [cmd, list] of this.namesOf(this.opts.native, 0)) for (const n of list) this.nativeNames.set(n, cmd);
      }
      return this.nativeNames.get(name);
    }
    if (!this.nativeByName.has(name)) this.nativeByName.set(name, cmdOf(this.nativeNamesOf(name), name));
    return this.nativeByName.get(name);
  }

  private includeOf(abi: Abi): IncludeOptions {
    return { ...this.opts.include, ...this.opts.includeFor?.(abi) };
  }

  private remapHit(r: KernelRemap): KernelRemapHit {
    const { number: _n, definition: _d, needs: _x, natives: _a, ...rest } = r;
    const hit: KernelRemapHit = { ...rest };
    const nativeCmd = this.nativeCmd(r.nativeName);
    if (nativeCmd !== undefined) hit.nativeCmd = nativeCmd;
    return hit;
  }

  /** One header set dumped for one ABI; an Error (the headers of the ABI are missing) is kept. */
  private dump(abi: Abi, units: string[]): Dumped | Error {
    const key = [abi.name, ...units].join('\0');
    let d = this.dumps.get(key);
    if (!d) {
      this.opts.progress?.(`reading ${units.join(', ')} for ${abi.name}`);
      try {
        d = dumpHeaders({ abi, headers: units, files: this.files, ...this.includeOf(abi) });
      } catch (e) {
        if (!(e instanceof Ioctl32Error)) throw e;
        d = e;
      }
      this.dumps.set(key, d);
    }
    return d;
  }

  /** The verdict on `name` for (native, compat), from dumps of the headers that define it. */
  private judge(name: string, compat: Abi, compatNames: CatalogueNames): NameExplanation {
    const native = this.opts.native;
    const out: NameExplanation = { name };
    const nativeCmd = this.nativeCmd(name);
    if (nativeCmd !== undefined) out.nativeCmd = nativeCmd;
    if (this.opts.verdicts === false) return out;
    const units = compatNames.unitsOf?.(name) ?? this.nativeNamesOf(name).unitsOf?.(name);
    if (!units) return { ...out, noVerdict: 'the catalogue does not say which header defines it' };
    const n = this.dump(native, units);
    const c = this.dump(compat, units);
    const unread = unreadable(n, native, units) ?? unreadable(c, compat, units);
    if (n instanceof Error || c instanceof Error || unread) return { ...out, noVerdict: unread ?? 'headers missing' };
    const ne = n.ioctls.get(name);
    if (!ne) {
      const why = n.unresolved.get(name);
      const noVerdict = why
        ? `no value on ${native.name}: ${n.scan.shorten(why.message)}`
        : `${native.name} does not define it (${units.join(', ')})`;
      return { ...out, noVerdict };
    }
    // what only the kernel's handlers reveal (NVMe's addr is a user pointer), as check applies it
    const v = ioctlVerdict(name, ne, c.ioctls.get(name), n, c, withBuiltins(emptyAnnotations(), [n, c]));
    out.header = v.header;
    if (v.arg !== undefined) out.arg = v.arg;
    out.verdict = v.verdict;
    out.cmdDiffers = v.cmdDiffers;
    const nTypes = memberTypes(ne.argType, n.layouter);
    const cTypes = memberTypes(c.ioctls.get(name)?.argType, c.layouter);
    out.reasons = v.reasons.map((r) => {
      const nt = r.native ? nTypes.get(r.path) : undefined;
      const ct = r.compat ? cTypes.get(r.path) : undefined;
      const m: MemberDifference = { ...r, text: '' };
      if (nt) m.nativeType = typeText(nt);
      if (ct) m.compatType = typeText(ct);
      m.text = describe(m, nt ?? ct, compat.name, native.name);
      return m;
    });
    out.action = v.action;
    return out;
  }
}

/** Why `units` cannot be judged on `abi`: its headers are missing or one of them fails to parse. */
function unreadable(d: Dumped | Error, abi: Abi, units: string[]): string | undefined {
  if (d instanceof Error) return d.message;
  for (const u of units) {
    const why = unreadHeaders(d)[u];
    if (why !== undefined) return `${u} cannot be read for ${abi.name}: ${why}`;
  }
  return undefined;
}

/** What the names of `cmd` may lack: macros without a value, headers that cannot be read, no headers at all. */
function addUnevaluated(c: CandidateAbi, names: CatalogueNames, cmd: number): void {
  const u = names.unevaluated?.(cmd) ?? [];
  if (u.length) c.unevaluated = u.map(({ name, reason }) => ({ name, reason }));
  Object.assign(c, namesNotLookedUp(names));
}

/** Member path → C type, as compare.ts names the paths (`a.b`, `arr[].x` for record arrays). */
function memberTypes(t: CType | undefined, layouter: Layouter): Map<string, CType> {
  const out = new Map<string, CType>();
  if (!t) return out;
  out.set('', t);
  const walk = (rt: CType, prefix: string) => {
    const x = stripTypedefs(rt);
    if (x.kind !== 'record') return;
    for (const f of flattenFields(layouter.layout(x.decl), layouter)) {
      out.set(prefix + f.path, f.ctype);
      let el = stripTypedefs(f.ctype);
      let arrays = 0;
      while (el.kind === 'array') {
        el = stripTypedefs(el.of);
        arrays++;
      }
      if (arrays && el.kind === 'record') walk(el, `${prefix}${f.path}[].`);
    }
  };
  try {
    walk(t, '');
  } catch (e) {
    // the verdict already says why the type has no layout
    if (!(e instanceof LayoutError)) throw e;
  }
  return out;
}

/** A member's type as written, with the integer under a typedef (`__kernel_long_t (long)`). */
function typeText(t: CType): string {
  const spelled = shortTypeName(t);
  const s = stripTypedefs(t);
  return s.kind === 'int' && s.name !== spelled ? `${spelled} (${s.name})` : spelled;
}

/**
 * The kernel printed `{t:...;sz:...}` from the number itself, with its own _IOC fields (2.6's
 * compat_ioctl_error: the type byte as a character or %02x, then _IOC_SIZE): a line where they
 * disagree was damaged or edited, and which half is right cannot be told.
 */
function checkBraces(line: LogLine, native: Abi): void {
  const d = decodeIoc(native, line.cmd);
  const ch = String.fromCharCode(d.type);
  const printable = d.type >= 0x20 && d.type < 0x7f;
  const typeOk = line.typeText === `'${ch}'` || (!printable && line.typeText === d.type.toString(16).padStart(2, '0'));
  if (typeOk && line.size === d.size) return;
  throw new UsageError(
    `the line says {t:${line.typeText};sz:${line.size}} but cmd(${(line.cmd >>> 0).toString(16).padStart(8, '0')}) ` +
      `has type ${printable ? `'${ch}'` : `0x${d.type.toString(16)}`} and size ${d.size} on ${native.name}: ` +
      'the kernel prints both from the number, so the line was damaged or edited',
  );
}

/** One line, explained; a UsageError when it is no line explain knows or its number is wider than 32 bits. */
export function explain(text: string, opts: ExplainOptions): Explanation {
  assertAbi(opts?.native, 'explain: options.native');
  return new Explainer(opts).explain(text);
}

export interface LineError {
  /** 1-based line number in the text. */
  line: number;
  text: string;
  message: string;
}

/** Every non-blank line of `text` explained in turn; lines that cannot be are listed, not thrown. */
export function explainLines(text: string, opts: ExplainOptions): { explanations: Explanation[]; errors: LineError[] } {
  const explainer = new Explainer(opts);
  const explanations: Explanation[] = [];
  const errors: LineError[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      explanations.push(explainer.explain(raw));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      errors.push({ line: i + 1, text: raw, message: e.message });
    }
  });
  return { explanations, errors };
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Member lines shown per ioctl before "and N more". */
const MAX_MEMBER_LINES = 12;

/** The explanation as text, one line per fact. */
export function formatExplanation(e: Explanation): string {
  const l = e.line;
  const out = [headline(e)];
  if (e.note) out.push(`  ${e.note}`);
  for (const c of e.candidates) {
    const d = c.decoded;
    const ch = typeChar(d.type);
    const dir = d.dir ?? `? (bits ${d.dirBits})`;
    out.push(
      `  as ${c.abi}: dir ${dir}, type ${ch ? `'${ch}' ` : ''}0x${d.type.toString(16)}, nr ${d.nr}, size ${d.size}`,
    );
    if (c.kernelRemap) out.push(`    ${remapLine(c.kernelRemap, l.cmd)}`);
    const missing = c.noHeaders !== undefined || c.unread?.length;
    if (!c.names.length && !c.unevaluated?.length) {
      out.push(`    no ioctl in the ${missing ? 'headers that could be read' : 'catalogue'} has this number here`);
    }
    if (c.noHeaders !== undefined) out.push(`    names not looked up: no headers to read: ${c.noHeaders}`);
    const unread = new Map<string, string[]>();
    for (const u of c.unread ?? []) unread.set(u.error, [...(unread.get(u.error) ?? []), u.header]);
    // with a name found, the headers that could not be read only may hold another: one line, not each error
    if (c.names.length && c.unread?.length) {
      const all = c.unread.map((u) => u.header);
      out.push(`    ${headerList(all)} may define it too but cannot be read (explain --json: why)`);
    } else {
      for (const [error, headers] of unread)
        out.push(`    ${headerList(headers)} may define it but cannot be read: ${error}`);
    }
    for (const n of c.names) out.push(...nameLines(n, c, e));
    for (const u of c.unevaluated ?? [])
      out.push(`    ${u.name}? its number has no value in the ${c.abi} headers: ${u.reason}`);
  }
  // QEMU linux-user runs guests of any architecture, whose numbers are their own kernels' (an aarch64 guest's is
  // arm64's): where no compat ABI of this kernel names it, say where to look
  if (l.format === 'qemu' && e.candidates.every((c) => !c.names.length && !c.unevaluated?.length))
    out.push(
      `  a QEMU guest may be of any architecture: ioctl32 decode 0x${l.cmd.toString(16).padStart(8, '0')} names ` +
        "the number on every ABI (an aarch64 guest's numbers are arm64's)",
    );
  return out.join('\n');
}

function headline(e: Explanation): string {
  const l = e.line;
  const cmd = hex(l.cmd);
  switch (l.format) {
    case 'qemu':
      return (
        'QEMU linux-user has no ' +
        (l.qemuArgType !== undefined ? `conversion of argument type ${l.qemuArgType} for` : 'entry for') +
        ` ioctl ${cmd}${l.signExtended ? ' (printed sign-extended)' : ''}; read as a task of the ${e.native} kernel:`
      );
    case 'number':
      return `ioctl ${cmd}, as a task of the ${e.native} kernel passes it:`;
    default: {
      const who = l.program !== undefined ? `${l.program} (pid ${l.pid})` : 'a task';
      const call = `ioctl(${l.fd}, ${cmd}, ${hex(l.arg ?? 0)})`;
      const on = l.path ? ` on ${l.path}` : '';
      return `${who} issued ${call}${on}; the ${e.native} kernel found no compat handler for it.`;
    }
  }
}

function remapLine(r: KernelRemapHit, cmd: number): string {
  const sites = r.sites.map((s) => `${s.function} in ${s.file}`).join(', ');
  const to = `${r.nativeName}${r.nativeCmd !== undefined ? ` (${hex(r.nativeCmd)})` : ''}`;
  const what =
    r.kind === 'remap'
      ? `maps ${r.compatName} (${hex(cmd)}) to ${to} (${r.does})`
      : `answers ${r.compatName} (${hex(cmd)})${r.nativeName !== r.compatName ? ` for ${to}` : ''}: ${r.does}`;
  switch (r.scope) {
    case 'every file':
      return `the kernel ${what}, for every file, before any .compat_ioctl: ${sites}`;
    case 'block devices':
      return `on a block device the kernel ${what}; a block driver's .compat_ioctl never sees it: ${sites}`;
    case 'filesystems':
      return `some filesystems' own .compat_ioctl ${what}: ${sites}`;
  }
}

/** The action line, said of the kernel where its own compat path does the work. */
function actionLine(action: string, remap: KernelRemapHit | undefined): string {
  switch (remap?.scope) {
    case undefined:
      return `the handler must: ${action}`;
    case 'every file':
      return `the kernel does what a handler would have to: ${action}`;
    case 'block devices':
      return `the block layer does it for block devices; on another file the handler must: ${action}`;
    case 'filesystems':
      return `the handler must (as those filesystems do): ${action}`;
  }
}

function nameLines(n: NameExplanation, c: CandidateAbi, e: Explanation): string[] {
  const native = e.native;
  if (!e.compatPath) return [`    ${n.name}`];
  const number =
    n.nativeCmd === undefined
      ? `not defined for ${native}`
      : n.nativeCmd === e.line.cmd
        ? `the same number on ${native}`
        : `${native} number ${hex(n.nativeCmd)}`;
  if (n.verdict === undefined) return [`    ${n.name}: ${number}${n.noVerdict ? `; no verdict: ${n.noVerdict}` : ''}`];
  const where = [n.header, n.arg].filter(Boolean).join(', ');
  const out = [`    ${n.name}: ${n.verdict}${where ? ` (${where})` : ''}; ${number}`];
  const members = memberLines(n.reasons ?? []);
  const shown = members.slice(0, MAX_MEMBER_LINES);
  out.push(...shown.map((m) => `      ${m}`));
  if (members.length > shown.length)
    out.push(`      and ${members.length - shown.length} more (--json lists every one)`);
  if (n.action) out.push(`      ${actionLine(n.action, c.kernelRemap)}`);
  return out;
}

/**
 * The reasons as lines: each member whose size or kind differs, with its type and both sides'
 * sizes and offsets; members that only moved are listed once, without those inside a moved one.
 */
function memberLines(reasons: readonly MemberDifference[]): string[] {
  const out: string[] = [];
  const moved: string[] = [];
  const shifted = new Set<string>();
  // a scalar argument's own reason (long, pointer) says its size already
  const scalar = reasons.some((r) => r.path === '' && r.rule !== 'size');
  for (const r of reasons) {
    if (scalar && r.rule === 'size') continue;
    if (r.native && r.compat && r.native.offset !== r.compat.offset) shifted.add(r.path);
    if (r.rule === 'offset' && r.native && r.compat && r.native.size === r.compat.size) moved.push(r.path);
    else out.push(r.text);
  }
  // a member inside one that moved moves with it
  const roots = moved.filter((p) => !ancestors(p).some((a) => shifted.has(a)));
  if (roots.length) {
    const list = roots.length > 8 ? `${roots.slice(0, 8).join(', ')} and ${roots.length - 8} more` : roots.join(', ');
    out.push(`moved, same size: ${list}`);
  }
  return out;
}

/** One reason as a sentence: the member, its type, both sides' sizes and offsets, and why it matters. */
function describe(r: MemberDifference, t: CType | undefined, compat: string, native: string): string {
  const name = r.path || 'the argument';
  const n = r.native;
  const c = r.compat;
  const type = typeLabel(r, compat, native);
  switch (r.rule) {
    case 'unresolved':
      return `${r.path ? `${r.path}: ` : ''}${r.message ?? 'not resolved'}`;
    case 'missing': {
      const p = (n ?? c)!;
      const typed = type ? ` ${type},` : '';
      return `${name}:${typed} only on ${n ? native : compat} (${p.size} bytes at offset ${p.offset})`;
    }
    case 'bitfield':
      return (
        `${name}: bit ${c!.bitOffset} (width ${c!.bitWidth}) on ${compat}, ` +
        `bit ${n!.bitOffset} (width ${n!.bitWidth}) on ${native}`
      );
    case 'user-pointer':
      return `${name}:${type ? ` ${type}` : ''} carries a user pointer (annotation): compat_ptr() it`;
    case 'sigset':
      return `${name}: a signal mask: ${compat}'s 32-bit words are ordered otherwise on big-endian ${native}`;
    case 'pointee':
      return `${name}: ${r.message}`;
  }
  if (!n || !c) return `${name}: ${r.rule}`;
  if (r.rule === 'size' && !r.path)
    return `the argument${type ? ` (${type})` : ''}: ${c.size} bytes on ${compat}, ${n.size} on ${native}`;
  const sizes = n.size === c.size ? `${c.size} bytes` : `${c.size} bytes on ${compat} and ${n.size} on ${native}`;
  const offsets = n.offset === c.offset ? '' : `, at offset ${c.offset} and ${n.offset}`;
  return `${name}:${type ? ` ${type},` : ''} ${sizes}${offsets}${n.size !== c.size && t ? why(t) : ''}`;
}

function ancestors(path: string): string[] {
  const parts = path.split('.');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('.'));
}

function typeLabel(r: MemberDifference, compat: string, native: string): string {
  const { nativeType: nt, compatType: ct } = r;
  if (nt && ct && nt !== ct) return `${ct} on ${compat} and ${nt} on ${native}`;
  return nt ?? ct ?? '';
}

/** Why a member whose size differs needs care, from what it is (never from its spelling). */
function why(t: CType): string {
  switch (memberClass(t)) {
    case 'pointer':
      return ': a pointer (compat_ptr())';
    case 'scalar':
      return ': an integer of another size (widen or narrow it)';
    case 'aggregate':
      return ': its members differ';
  }
}
