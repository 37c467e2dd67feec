/** `ioctl32 convert`: one argument buffer from one ABI's layout to another's (CONTRACT.md). */
import type { Abi } from '../abi/types.js';
import { tokenize } from '../cfront/lexer.js';
import { Parser } from '../cfront/parser.js';
import { CFrontError } from '../cfront/token.js';
import { stripTypedefs, type CType } from '../cfront/types.js';
import { typeName } from '../cfront/print.js';
import { UsageError } from '../errors.js';
import { emptyAnnotations, validateAnnotations, type Annotations } from '../compat/annotations.js';
import { includeConfigFor } from '../cfront/index.js';
import type { RecordDecl, TypedefDecl } from '../cfront/types.js';
import { Layouter } from '../layout/layout.js';
import { dumpHeaders, unreadHeaders, type Dumped } from '../scan/dump.js';
import { headerIndex, type HeaderIndex } from '../scan/ioctl-index.js';
import { uapiHeaders } from '../scan/scan.js';
import { assertHeadersRead } from '../scan/failed.js';
import { unionChoiceErrors } from '../compat/members.js';
import type { ScanOptions } from '../scan/scan.js';
import { compileConverter, type Converter, type ConvertOptions } from './compile.js';
import { einval } from './errors.js';
import { ioctlThunk } from './ioctl.js';

/** What a type name is looked up in: the declarations of a dump (or none, for a C type name alone). */
type TypeScope = Pick<Dumped, 'decls' | 'typedefs' | 'layouter'>;

/** A type the headers know, by name: `struct TAG`, `union TAG`, a typedef name, or a C type name. */
export function resolveTypeName(name: string, d: TypeScope): CType {
  const decl = d.decls.get(name);
  if (decl) return { kind: 'record', decl };
  const td = d.typedefs.get(name);
  if (td) return { kind: 'typedef', decl: td };
  let t: CType;
  try {
    t = new Parser(d.layouter.abi, d.layouter).typeName(tokenize(name, '<--type>'));
  } catch (e) {
    if (e instanceof CFrontError) throw new UsageError(`unknown type '${name}' on ${d.layouter.abi.name}: ${e.bare}`);
    throw e;
  }
  // `struct nope` parses as a record declared here, with no members: no type to lay out
  let inner = stripTypedefs(t);
  while (inner.kind === 'array') inner = stripTypedefs(inner.of);
  if (inner.kind === 'record' && inner.decl.members === null)
    throw new UsageError(
      `unknown type '${name}' on ${d.layouter.abi.name}: no ${typeName(inner)} is defined in the headers read`,
    );
  return t;
}

export interface ConvertRequest {
  from: Abi;
  to: Abi;
  type: string;
  /** Active union members: path → member name. */
  members?: Record<string, string>;
  /** Member names chosen in any union that has them (anonymous unions); one no union of the type has: an error. */
  choose?: string[];
  annotations?: Annotations;
  /** Headers and include options (no ABI: each side reads its own). */
  scan: Omit<ScanOptions, 'abi'>;
  /** Each ABI's own scan settings over `scan` (the CLI's `--sysroot ABI=DIR`). */
  scanFor?: (abi: Abi) => Partial<ScanOptions>;
  convert?: ConvertOptions;
}

/** Converts `input` (laid out for `from`) to `to`'s layout. */
export function convertArgument(req: ConvertRequest, input: Uint8Array): Uint8Array {
  const { toIsNative, native, compat } = sidesOf(req);
  const [nd, cd] = readSides(req, native, compat, (abi) => typeScope(req, abi));
  const opts = {
    ...(req.members ? { members: req.members } : {}),
    ...(req.choose ? { choose: req.choose } : {}),
    ...(req.annotations ? { annotations: req.annotations } : {}),
    recordName: req.type,
  };
  const nativeType = resolveTypeName(req.type, nd);
  const choiceErrors = unionChoiceErrors([nativeType], req.members ?? {}, req.choose);
  if (choiceErrors.length) throw new UsageError(choiceErrors.join('\n'));
  const conv = compileConverter(nativeType, resolveTypeName(req.type, cd), native, compat, opts);
  return wholeArgument(req.type, sizesOf(conv, toIsNative), req.from, input, () =>
    toIsNative ? conv.compatToNative(input, req.convert) : conv.nativeToCompat(input, req.convert),
  );
}

export interface ConvertIoctlRequest extends Omit<ConvertRequest, 'type'> {
  /** The ioctl's macro name: its argument type, and what its handler does (union members, directions, built-ins). */
  ioctl: string;
}

/**
 * Converts `input` as the kernel converts an ioctl's argument (ioctlThunk): from the compat ABI to the native one
 * the way in, back the other way. null where the kernel copies nothing that way (the way back of an `_IOW` ioctl).
 * Without headers, only the UAPI units that may define the macro are read.
 */
export function convertIoctlArgument(req: ConvertIoctlRequest, input: Uint8Array): Uint8Array | null {
  const { toIsNative, native, compat } = sidesOf(req);
  const given = (req.scan.headers ?? []).length > 0;
  const missing = (abi: Abi) => new UsageError(`no ioctl ${req.ioctl} in the headers of ${abi.name}`);
  const scope = (abi: Abi): Dumped => {
    const opts = { ...req.scan, ...req.scanFor?.(abi), abi };
    if (given || req.annotations) return dumpHeaders(opts);
    const named = indexedUnits(opts, (ix) => ix.unitsForMacro(req.ioctl));
    if (!named.length) throw missing(abi);
    return dumpHeaders({ ...opts, headers: named });
  };
  const [nd, cd] = readSides(req, native, compat, scope, (d) => {
    if (!d.ioctls.has(req.ioctl)) throw missing(d.layouter.abi);
  });
  // a --member that names no union member of the argument is the user's error, as for --type
  const argType = nd.ioctls.get(req.ioctl)!.argType;
  const choiceErrors = argType ? unionChoiceErrors([argType], req.members ?? {}, req.choose) : [];
  if (choiceErrors.length) throw new UsageError(choiceErrors.join('\n'));
  const opts = { ...(req.members ? { members: req.members } : {}), ...(req.choose ? { choose: req.choose } : {}) };
  const thunk = ioctlThunk(req.ioctl, nd, cd, req.annotations ?? emptyAnnotations(), opts);
  if (!thunk.converter) throw new UsageError(`${req.ioctl} takes no argument in memory: nothing to convert`);
  if (toIsNative ? !thunk.in : !thunk.out) return null;
  return wholeArgument(`${req.ioctl}'s argument`, sizesOf(thunk.converter, toIsNative), req.from, input, () =>
    toIsNative ? thunk.enter(input, req.convert) : thunk.leave(input, req.convert)!,
  );
}

/** The sides of a conversion: the wider ABI plays the native one (widening is compat -> native). */
function sidesOf(req: { from: Abi; to: Abi }): { toIsNative: boolean; native: Abi; compat: Abi } {
  const toIsNative = req.to.bits >= req.from.bits;
  return { toIsNative, native: toIsNative ? req.to : req.from, compat: toIsNative ? req.from : req.to };
}

/**
 * Both sides read with `scope`: a header named that cannot be read is the error (not the type or ioctl it would have
 * defined), then `each` side's own check, then the annotations checked against what was read.
 */
function readSides<D extends Dumped | TypeScope>(
  req: Omit<ConvertRequest, 'type'>,
  native: Abi,
  compat: Abi,
  scope: (abi: Abi) => D,
  each?: (d: D) => void,
): [D, D] {
  const [nd, cd] = [scope(native), scope(compat)];
  const failed = { [native.name]: unread(nd), [compat.name]: unread(cd) };
  assertHeadersRead(failed, req.scan.headers ?? [], [native.name, compat.name]);
  if (each) [nd, cd].forEach(each);
  if (req.annotations && 'ioctls' in nd && 'ioctls' in cd) {
    validateAnnotations(req.annotations, nd.decls, nd.layouter, nd.ioctls, nd.typedefs);
    validateAnnotations(req.annotations, cd.decls, cd.layouter, undefined, cd.typedefs);
  }
  return [nd, cd];
}

/** The UAPI units of an ABI's include directories that `find` names in the header index (none without units). */
function indexedUnits(opts: ScanOptions, find: (ix: HeaderIndex) => string[]): string[] {
  const dirs = includeConfigFor(opts.abi, opts).includeDirs;
  const units = uapiHeaders(dirs);
  return units.length ? find(headerIndex(dirs, units)) : [];
}

/** What a converter reads and writes, the way the conversion goes. */
function sizesOf(conv: Converter, toIsNative: boolean): { input: number; output: number } {
  return toIsNative
    ? { input: conv.compatSize, output: conv.nativeSize }
    : { input: conv.nativeSize, output: conv.compatSize };
}

/**
 * One whole argument converted: an empty input is a usage error, one shorter or longer than `what` is on `from` an
 * EINVAL that says both sizes (bytes past the argument would be dropped silently); an output that grew (a flexible
 * array's elements) takes the input as it is.
 */
function wholeArgument(
  what: string,
  sizes: { input: number; output: number },
  from: Abi,
  input: Uint8Array,
  convert: () => Uint8Array,
): Uint8Array {
  if (input.length === 0 && sizes.input > 0)
    throw new UsageError(`the input is empty: ${what} is ${sizes.input} bytes on ${from.name}`);
  const wrong = () => einval(`${what} is ${sizes.input} bytes on ${from.name}; the input has ${input.length}`);
  if (input.length < sizes.input) throw wrong();
  const out = convert();
  if (out.length <= sizes.output && input.length !== sizes.input) throw wrong();
  return out;
}

/** C's own type words: a type name of only these needs no header (`unsigned long`, `char[16]`). */
const C_TYPE_WORDS = new Set([
  ...['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool'],
  ...['const', 'volatile'],
]);
const TAG_WORDS = new Set(['struct', 'union', 'enum']);

/**
 * What `req.type` is looked up in on `abi`, reading no more than it needs: nothing for a C type
 * name alone; the headers given; else only the UAPI units that name the type (the header index),
 * which see it as the whole set does (the first unit that declares it is among them). Annotations
 * may name any record or ioctl: with them and no headers, the whole set.
 */
function typeScope(req: ConvertRequest, abi: Abi): Dumped | TypeScope {
  const opts = { ...req.scan, ...req.scanFor?.(abi), abi };
  const words = req.type.match(/[A-Za-z_]\w*/g) ?? [];
  const given = (req.scan.headers ?? []).length > 0;
  if (!given && words.every((w) => C_TYPE_WORDS.has(w)) && !req.annotations) {
    return emptyScope(abi);
  }
  const names = words.filter((w) => !C_TYPE_WORDS.has(w) && !TAG_WORDS.has(w));
  // one name to look up (a tag or a typedef name): more, and the whole set reads them
  if (given || req.annotations || names.length !== 1) return dumpHeaders(opts);
  const named = indexedUnits(opts, (ix) => ix.unitsForRecord(names[0]!));
  // no unit names it: the parser says why it is no type (an empty header list would mean the whole set)
  if (!named.length) return emptyScope(abi);
  return dumpHeaders({ ...opts, headers: named });
}

function emptyScope(abi: Abi): TypeScope {
  return {
    decls: new Map<string, RecordDecl>(),
    typedefs: new Map<string, TypedefDecl>(),
    layouter: new Layouter(abi),
  };
}

function unread(d: Dumped | TypeScope): Record<string, string> {
  return 'result' in d ? unreadHeaders(d) : {};
}
