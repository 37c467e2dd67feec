/**
 * The ioctl catalogue of a translation unit: every object-like macro whose expansion invokes
 * `_IOC` (directly or through _IOR/_IOW/_IOWR and other macros, like DRM_IOWR), with its
 * number and argument type for the ABI. The argument type is the one given to the outermost
 * _IOR/_IOW/_IOWR (or `sizeof(T)` handed to _IOC).
 */
import type { Abi } from '../abi/types.js';
import { typeName } from '../cfront/print.js';
import type { Parser } from '../cfront/parser.js';
import { Preprocessor, spell, type Macro } from '../cfront/preprocess.js';
import { tokenize } from '../cfront/lexer.js';
import { CFrontError, type Token } from '../cfront/token.js';
import type { CType, SourceLoc } from '../cfront/types.js';
import { decodeIoc, type IocDir } from './ioc.js';
import { prerequisitesFor } from './prerequisites.js';
import { LayoutError } from '../layout/types.js';

export interface IoctlEntry {
  name: string;
  cmd: number;
  dir: IocDir | null;
  type: number;
  nr: number;
  size: number;
  /** The argument type as C names it (`struct kvm_dirty_log`), when the macro names one. */
  arg?: string;
  argType?: CType;
  /** The file that defines the macro. */
  file: string;
  loc: SourceLoc;
  /** `_IOW(t, nr, sizeof(T))`: the type inside sizeof (lint: the size of a size is encoded). */
  sizeofArg?: string;
  /**
   * Object-like macros the definition names (SIOCGSTAMP: SIOCGSTAMP_OLD and SIOCGSTAMP_NEW, which it picks
   * between by sizeof(struct timeval)); absent when it names none.
   */
  definedAs?: string[];
  /** From the legacy table: the header's number does not carry (the right) argument type. */
  legacy?: boolean;
  /** The argument is the ioctl's third parameter itself, not a pointer to it. */
  byValue?: boolean;
  /** The data direction the kernel source shows (legacy entries; `dir` is what the number says). */
  argDir?: IocDir;
  /**
   * The member of each union in the argument the kernel's handler uses, by the union's path (legacy entries:
   * SIOCGIFFLAGS `{ ifr_ifru: 'ifru_flags' }`): what a converter needs named where the members convert differently.
   * UNION_BYTES where the handler uses the union's bytes as the task laid them (SIOCGMIIPHY).
   */
  members?: Record<string, string>;
  /**
   * The header uses _IOR and friends without including <linux/ioctl.h> (sound/asound.h relies
   * on its users): the number was computed with that header's macros added, as a user's
   * program that includes it would.
   */
  needsIoctlHeader?: boolean;
  /**
   * The number has a value only with these headers included first (`stddef.h` for linux/fs.h's
   * `_IOR(0x12,114,size_t)`): it was computed as a program that includes them sees it. Also the
   * headers that declare a legacy argument type the run's units do not (`linux/if.h` for
   * linux/sockios.h's SIOCGIFFLAGS read alone).
   */
  prerequisites?: string[];
}

/** What the catalogue needs of a legacy table entry (src/ioctl/legacy.ts). */
export interface LegacyArgument {
  name: string;
  arg: string | null;
  byValue?: boolean;
  dir?: IocDir;
  /** Headers a program includes before the macro's own (tried when the number has no value alone). */
  needs?: readonly string[];
  /** The union member the handler uses (IoctlEntry.members). */
  member?: { union: string; member: string };
}

/** A macro that invokes _IOC but has no constant value here (named with the reason). */
export interface UnresolvedIoctl {
  name: string;
  file: string;
  loc: SourceLoc;
  /** The macro's body as the header spells it (`_IOR(0x12,114,size_t)`). */
  definition: string;
  /** Why, without the location: `'size_t' undeclared (not a constant)`. */
  reason: string;
  /** Located, with the definition: `linux/fs.h:169:9: BLKGETSIZE64 = _IOR(0x12,114,size_t): 'size_t' undeclared`. */
  message: string;
  /**
   * The fields of the number that have a value even so (`_IOC`'s direction bits as this ABI
   * encodes them, type and nr): a number decoded elsewhere can be matched to the macro.
   */
  dirBits?: number;
  type?: number;
  nr?: number;
  /** Headers a program includes first that may declare what is missing (src/ioctl/prerequisites.ts). */
  prerequisites?: string[];
}

/**
 * The member choice "the union's bytes as they are": the kernel copies the task's record whole and its handler reads
 * the union as the task laid it out (get_user_ifreq's copy of struct compat_ifreq, compat_wext_handle_ioctl's of
 * struct iwreq), so a converter copies the bytes both sides' unions hold and zeroes the rest. No C member is named so.
 */
export const UNION_BYTES = '*';

const TYPED = new Set(['_IOR', '_IOW', '_IOWR', '_IOR_BAD', '_IOW_BAD', '_IOWR_BAD']);
/** Words followed by '(' that are C, not a macro another unit might define. */
const NOT_MACROS = new Set([
  'sizeof',
  '_Alignof',
  '__alignof__',
  '__alignof',
  'alignof',
  '__attribute__',
  '__attribute',
  'typeof',
  '__typeof__',
  '__typeof',
  '__extension__',
  '__asm__',
  'asm',
  '_Static_assert',
  'offsetof',
]);

export interface CatalogueResult {
  ioctls: IoctlEntry[];
  unresolved: UnresolvedIoctl[];
}

/**
 * Finds the ioctl macros among those the preprocessor has defined. `seen` holds macro
 * definitions already catalogued (by their defining token): scanning many headers that share
 * includes visits each definition once. `only`: the names to catalogue (decode's few numbers), the
 * others left out as if seen.
 */
export function catalogueIoctls(
  abi: Abi,
  pp: Preprocessor,
  parser: Parser,
  seen: Set<Token> = new Set(),
  legacy: readonly LegacyArgument[] = [],
  only?: (name: string) => boolean,
): CatalogueResult {
  const out: CatalogueResult = { ioctls: [], unresolved: [] };
  const legacyByName = legacyIndex(legacy);
  const borrowed = borrowIoctlMacros(abi, pp);
  const reach = new Map<Macro, Reach>();
  // expanding never defines: the table stays as it is while we walk it (predefined macros are
  // no ioctls)
  for (const m of pp.macros.ownValues()) {
    if (m.params !== null || m.def === null || m.builtin || seen.has(m.def)) continue;
    if (only && !only(m.name)) {
      // left out, and marked seen as one catalogued before: cataloguing one never reads another's
      seen.add(m.def);
      continue;
    }
    const legacyEntry = legacyByName.get(m.name);
    const r = legacyEntry ? 'ioc' : reaches(m, pp, reach);
    // a call of something this unit does not define: another unit may make it an ioctl
    if (r === 'maybe') continue;
    seen.add(m.def);
    if (r === 'no') continue;
    const c = catalogueMacro(abi, pp, parser, m, legacyEntry, borrowed);
    if (c.entry) out.ioctls.push(c.entry);
    if (c.unresolved) out.unresolved.push(c.unresolved);
    // another unit may define what this one lacks (struct termios for TCGETS on sparc)
    if (c.retry) seen.delete(m.def);
  }
  return out;
}

/**
 * The named macros only, as catalogueIoctls reads them: for a unit that includes a header's
 * prerequisites before it (src/ioctl/prerequisites.ts), where the rest is known already.
 */
export function catalogueNamed(
  abi: Abi,
  pp: Preprocessor,
  parser: Parser,
  names: Iterable<string>,
  legacy: readonly LegacyArgument[] = [],
): CatalogueResult {
  const out: CatalogueResult = { ioctls: [], unresolved: [] };
  const legacyByName = legacyIndex(legacy);
  const borrowed = borrowIoctlMacros(abi, pp);
  for (const name of names) {
    const m = pp.macros.get(name);
    if (!m || m.params !== null || m.def === null) continue;
    const c = catalogueMacro(abi, pp, parser, m, legacyByName.get(name), borrowed);
    if (c.entry) out.ioctls.push(c.entry);
    if (c.unresolved) out.unresolved.push(c.unresolved);
  }
  return out;
}

/** The legacy table's entries by macro name. */
export function legacyIndex(legacy: readonly LegacyArgument[]): Map<string, LegacyArgument> {
  let byName = LEGACY_BY_NAME.get(legacy);
  if (!byName) LEGACY_BY_NAME.set(legacy, (byName = new Map(legacy.map((l) => [l.name, l]))));
  return byName;
}

interface Catalogued {
  entry?: IoctlEntry;
  unresolved?: UnresolvedIoctl;
  /** The number has no value here but may have one in another unit. */
  retry?: boolean;
}

/** One object-like macro: its ioctl entry, why it has no value, or nothing (no ioctl). */
function catalogueMacro(
  abi: Abi,
  pp: Preprocessor,
  parser: Parser,
  m: Macro,
  legacyEntry: LegacyArgument | undefined,
  borrowed: boolean,
): Catalogued {
  const def = m.def!;
  let sawIoc = false;
  let iocArgs: Token[][] | null = null;
  let typeArg: Token[] | null = null;
  let sizeArg: Token[] | null = null;
  let expanded: Token[];
  try {
    expanded = pp.expand([def], (name, args) => {
      if (name === '_IOC') {
        sawIoc = true;
        iocArgs ??= args;
        sizeArg ??= args[3] ?? null;
      } else if (TYPED.has(name)) typeArg ??= args[2] ?? null;
    });
  } catch (e) {
    if (!(e instanceof CFrontError)) throw e;
    // a macro that cannot even expand is an error only if it was on its way to _IOC
    return sawIoc ? { unresolved: unresolvedIoctl(m, e, iocArgs, null, pp, parser, legacyEntry) } : {};
  }
  if (!sawIoc && !legacyEntry) return {};
  const file = def.file;
  try {
    const value = parser.evaluate(expanded);
    const cmd = Number(BigInt.asUintN(32, value.v));
    const d = decodeIoc(abi, cmd);
    const loc = { file, line: def.line, column: def.col };
    const entry: IoctlEntry = { name: m.name, cmd, dir: d.dir, type: d.type, nr: d.nr, size: d.size, file, loc };
    if (borrowed) entry.needsIoctlHeader = true;
    // `#define SIOCGSTAMP ((sizeof(struct timeval)) == 8 ? SIOCGSTAMP_OLD : SIOCGSTAMP_NEW)`: the numbers it is
    // defined as (check: the one it is on an ABI is that command)
    const definedAs = m.body.filter(
      (t) => t.kind === 'ident' && t.text !== m.name && pp.macros.get(t.text)?.params === null,
    );
    if (definedAs.length) entry.definedAs = [...new Set(definedAs.map((t) => t.text))];
    const raw = typeArg as Token[] | null;
    if (raw !== null && raw[0]?.text === 'sizeof') entry.sizeofArg = spell(raw.slice(1)).replace(/^\((.*)\)$/, '$1');
    if (legacyEntry) {
      // the kernel source's type, not the header's
      entry.legacy = true;
      if (legacyEntry.byValue) entry.byValue = true;
      if (legacyEntry.dir) entry.argDir = legacyEntry.dir;
      if (legacyEntry.member) entry.members = { [legacyEntry.member.union]: legacyEntry.member.member };
      if (legacyEntry.arg !== null) {
        entry.arg = legacyEntry.arg;
        const t = parseTypeText(pp, parser, legacyEntry.arg);
        if (t) entry.argType = t;
      }
    } else {
      const argType = argumentType(pp, parser, typeArg, sizeArg);
      if (argType) {
        entry.argType = argType;
        entry.arg = typeName(argType);
      }
    }
    return { entry };
  } catch (e) {
    if (!(e instanceof CFrontError)) throw e;
    return { unresolved: unresolvedIoctl(m, e, iocArgs, expanded, pp, parser, legacyEntry), retry: true };
  }
}

/** Why a macro has no value, with what of its number is known and what a program would include first. */
function unresolvedIoctl(
  m: Macro,
  e: CFrontError,
  iocArgs: Token[][] | null,
  expanded: Token[] | null,
  pp: Preprocessor,
  parser: Parser,
  legacyEntry: LegacyArgument | undefined,
): UnresolvedIoctl {
  const def = m.def!;
  const definition = spell(m.body);
  const loc = { file: def.file, line: def.line, column: def.col };
  const message = `${loc.file}:${loc.line}:${loc.column}: ${m.name} = ${definition}: ${e.bare}`;
  const u: UnresolvedIoctl = { name: m.name, file: def.file, loc, definition, reason: e.bare, message };
  const args = iocArgs;
  const field = (i: number): number | undefined => {
    const a = args?.[i];
    if (!a) return undefined;
    try {
      return Number(BigInt.asUintN(32, parser.evaluate(pp.expand(a)).v));
    } catch (x) {
      if (x instanceof CFrontError) return undefined;
      throw x;
    }
  };
  const dirBits = field(0);
  const type = field(1);
  const nr = field(2);
  if (dirBits !== undefined) u.dirBits = dirBits;
  if (type !== undefined) u.type = type;
  if (nr !== undefined) u.nr = nr;
  const prerequisites = prerequisitesFor(namesUsed(expanded ?? m.body), legacyEntry?.needs);
  if (prerequisites.length) u.prerequisites = prerequisites;
  return u;
}

/** The identifiers and `struct TAG`/`union TAG`/`enum TAG` names tokens use. */
function namesUsed(tokens: Token[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'ident') continue;
    const next = tokens[i + 1];
    if ((t.text === 'struct' || t.text === 'union' || t.text === 'enum') && next?.kind === 'ident') {
      out.push(`${t.text} ${next.text}`);
      i++;
    } else out.push(t.text);
  }
  return out;
}

/** Whether a macro's expansion can invoke _IOC: 'maybe' when it calls something not defined here. */
type Reach = 'ioc' | 'no' | 'maybe';

/**
 * Whether expanding `m` can reach _IOC, from the macro bodies alone (an over-approximation: a
 * parameter named like a macro counts). Most macros are plain constants: this spares the
 * catalogue expanding each of them.
 */
function reaches(m: Macro, pp: Preprocessor, known: Map<Macro, Reach>): Reach {
  const k = known.get(m);
  if (k !== undefined) return k;
  known.set(m, 'ioc'); // while it is being looked at: a cycle is expanded to be sure
  let r: Reach = 'no';
  const body = m.body;
  for (let i = 0; i < body.length && r !== 'ioc'; i++) {
    const t = body[i]!;
    // pasting makes names the body does not spell
    if (t.text === '##' && t.kind === 'punct') r = 'ioc';
    if (t.kind !== 'ident') continue;
    if (t.text === '_IOC') r = 'ioc';
    const inner = pp.macros.get(t.text);
    // its own name in its body stays a name (painted blue): `#define IPPROTO_IP IPPROTO_IP`
    if (inner === m) continue;
    if (inner) {
      const x = reaches(inner, pp, known);
      if (x === 'ioc' || (x === 'maybe' && r === 'no')) r = x;
    } else if (body[i + 1]?.text === '(' && !NOT_MACROS.has(t.text) && !t.text.startsWith('__builtin')) r = 'maybe';
  }
  known.set(m, r);
  return r;
}

const IOCTL_MACROS = new Map<string, Macro[]>();
const LEGACY_BY_NAME = new WeakMap<readonly LegacyArgument[], Map<string, LegacyArgument>>();

/**
 * Adds <linux/ioctl.h>'s _IO* macros to a unit that uses them without including it; true when
 * it had to. The unit has been parsed already: only the catalogue sees them.
 */
function borrowIoctlMacros(abi: Abi, pp: Preprocessor): boolean {
  if (pp.macros.has('_IOC')) return false;
  const key = JSON.stringify([abi.name, pp.includeDirs, pp.defines, pp.undefines]);
  let macros = IOCTL_MACROS.get(key);
  if (!macros) {
    const { includeDirs, files } = pp;
    const helper = new Preprocessor({
      abi,
      includeDirs,
      defines: [...pp.defines],
      undefines: [...pp.undefines],
      files,
    });
    try {
      helper.preprocessSource('#include <linux/ioctl.h>\n', '<ioctl32: linux/ioctl.h>');
      macros = [...helper.macros.ownValues()].filter((m) => m.name.startsWith('_IO') && m.def !== null);
    } catch (e) {
      if (!(e instanceof CFrontError)) throw e;
      macros = [];
    }
    IOCTL_MACROS.set(key, macros);
  }
  for (const m of macros) if (!pp.macros.has(m.name)) pp.macros.set(m.name, m);
  return macros.length > 0;
}

/** A legacy entry's type in this translation unit, if it knows the names involved. */
/** A type the legacy table names, read in a unit; undefined where the unit does not declare it (completely). */
export function parseTypeText(pp: Preprocessor, parser: Parser, text: string): CType | undefined {
  try {
    const tokens = pp.expand(tokenize(text, '<legacy ioctl table>'));
    if (!parser.startsTypeName(tokens)) return undefined;
    const t = parser.typeName(tokens);
    parser.sizes.typeLayout(t); // incomplete here: the dump looks for it in the other units
    return t;
  } catch (e) {
    if (e instanceof CFrontError || e instanceof LayoutError) return undefined;
    throw e;
  }
}

function argumentType(
  pp: Preprocessor,
  parser: Parser,
  typeArg: Token[] | null,
  sizeArg: Token[] | null,
): CType | undefined {
  let tokens = typeArg ? pp.expand(typeArg) : null;
  if (!tokens && sizeArg) {
    const s = pp.expand(sizeArg);
    // _IOC(dir, type, nr, sizeof(T)): the type inside
    if (s[0]?.text === 'sizeof' && s[1]?.text === '(' && s[s.length - 1]?.text === ')') tokens = s.slice(2, -1);
  }
  if (!tokens?.length || !parser.startsTypeName(tokens)) return undefined;
  try {
    return parser.typeName(tokens);
  } catch (e) {
    if (e instanceof CFrontError) return undefined;
    throw e;
  }
}
