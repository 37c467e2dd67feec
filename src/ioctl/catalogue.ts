/**
 * The ioctl catalogue of a translation unit: every object-like macro whose expansion invokes
 * `_IOC` (directly or through _IOR/_IOW/_IOWR and other macros, like DRM_IOWR), with its
 * number and argument type for the ABI. The argument type is the one given to the outermost
 * _IOR/_IOW/_IOWR (or `sizeof(T)` handed to _IOC).
 */
import type { Abi } from '../abi/types.js';
import { typeName } from '../cfront/print.js';
import type { Parser } from '../cfront/parser.js';
import type { Preprocessor } from '../cfront/preprocess.js';
import { CFrontError, type Token } from '../cfront/token.js';
import type { CType, SourceLoc } from '../cfront/types.js';
import { decodeIoc, type IocDir } from './ioc.js';

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
}

/** A macro that invokes _IOC but has no constant value here (named with the reason). */
export interface UnresolvedIoctl {
  name: string;
  file: string;
  message: string;
}

const TYPED = new Set(['_IOR', '_IOW', '_IOWR', '_IOR_BAD', '_IOW_BAD', '_IOWR_BAD']);

export interface CatalogueResult {
  ioctls: IoctlEntry[];
  unresolved: UnresolvedIoctl[];
}

/**
 * Finds the ioctl macros among those the preprocessor has defined. `seen` holds macro
 * definitions already catalogued (by their defining token): scanning many headers that share
 * includes visits each definition once.
 */
export function catalogueIoctls(abi: Abi, pp: Preprocessor, parser: Parser, seen: Set<Token> = new Set()): CatalogueResult {
  const out: CatalogueResult = { ioctls: [], unresolved: [] };
  for (const m of pp.macros.values()) {
    if (m.params !== null || m.def === null || m.builtin || seen.has(m.def)) continue;
    seen.add(m.def);
    if (!m.body.some((t) => t.kind === 'ident')) continue;
    let sawIoc = false;
    let typeArg: Token[] | null = null;
    let sizeArg: Token[] | null = null;
    let expanded: Token[];
    try {
      expanded = pp.expand([m.def], (name, args) => {
        if (name === '_IOC') {
          sawIoc = true;
          sizeArg ??= args[3] ?? null;
        } else if (TYPED.has(name)) typeArg ??= args[2] ?? null;
      });
    } catch (e) {
      if (!(e instanceof CFrontError)) throw e;
      // a macro that cannot even expand is an error only if it was on its way to _IOC
      if (sawIoc) out.unresolved.push({ name: m.name, file: m.def.file, message: e.message });
      continue;
    }
    if (!sawIoc) continue;
    const file = m.def.file;
    try {
      const value = parser.evaluate(expanded);
      const cmd = Number(BigInt.asUintN(32, value.v));
      const d = decodeIoc(abi, cmd);
      const entry: IoctlEntry = { name: m.name, cmd, dir: d.dir, type: d.type, nr: d.nr, size: d.size, file, loc: { file, line: m.def.line, column: m.def.col } };
      const argType = argumentType(pp, parser, typeArg, sizeArg);
      if (argType) {
        entry.argType = argType;
        entry.arg = typeName(argType);
      }
      out.ioctls.push(entry);
    } catch (e) {
      if (!(e instanceof CFrontError)) throw e;
      out.unresolved.push({ name: m.name, file, message: e.message });
    }
  }
  return out;
}

function argumentType(pp: Preprocessor, parser: Parser, typeArg: Token[] | null, sizeArg: Token[] | null): CType | undefined {
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
