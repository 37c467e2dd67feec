/** `ioctl32 convert`: one argument buffer from one ABI's layout to another's (CONTRACT.md). */
import type { Abi } from '../abi/types.js';
import { tokenize } from '../cfront/lexer.js';
import { Parser } from '../cfront/parser.js';
import { CFrontError } from '../cfront/token.js';
import type { CType } from '../cfront/types.js';
import { UsageError } from '../errors.js';
import { validateAnnotations, type Annotations } from '../compat/annotations.js';
import { dumpHeaders, unreadHeaders, type Dumped } from '../scan/dump.js';
import { assertHeadersRead } from '../scan/failed.js';
import { unionChoiceErrors } from '../compat/members.js';
import type { ScanOptions } from '../scan/scan.js';
import { compileConverter, type ConvertOptions } from './compile.js';
import { einval } from './errors.js';

/** A type the headers know, by name: `struct TAG`, `union TAG`, a typedef name, or a C type name. */
export function resolveTypeName(name: string, d: Dumped): CType {
  const decl = d.decls.get(name);
  if (decl) return { kind: 'record', decl };
  const td = d.typedefs.get(name);
  if (td) return { kind: 'typedef', decl: td };
  try {
    return new Parser(d.layouter.abi, d.layouter).typeName(tokenize(name, '<--type>'));
  } catch (e) {
    if (e instanceof CFrontError) throw new UsageError(`unknown type '${name}' on ${d.layouter.abi.name}: ${e.bare}`);
    throw e;
  }
}

export interface ConvertRequest {
  from: Abi;
  to: Abi;
  type: string;
  /** Active union members: path → member name. */
  members?: Record<string, string>;
  /** Member names chosen in any union that has them (anonymous unions). */
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
  // the wider ABI plays the native side: widening is compat -> native
  const toIsNative = req.to.bits >= req.from.bits;
  const native = toIsNative ? req.to : req.from;
  const compat = toIsNative ? req.from : req.to;
  const nd = dumpHeaders({ ...req.scan, ...req.scanFor?.(native), abi: native });
  const cd = dumpHeaders({ ...req.scan, ...req.scanFor?.(compat), abi: compat });
  // a header named that cannot be read is the error, not the type it would have defined
  const failed = { [native.name]: unreadHeaders(nd), [compat.name]: unreadHeaders(cd) };
  assertHeadersRead(failed, req.scan.headers ?? [], [native.name, compat.name]);
  if (req.annotations) {
    validateAnnotations(req.annotations, nd.decls, nd.layouter, nd.ioctls, nd.typedefs);
    validateAnnotations(req.annotations, cd.decls, cd.layouter, undefined, cd.typedefs);
  }
  const opts = {
    ...(req.members ? { members: req.members } : {}),
    ...(req.choose ? { choose: req.choose } : {}),
    ...(req.annotations ? { annotations: req.annotations } : {}),
    recordName: req.type,
  };
  const nativeType = resolveTypeName(req.type, nd);
  const choiceErrors = unionChoiceErrors([nativeType], req.members ?? {});
  if (choiceErrors.length) throw new UsageError(choiceErrors.join('\n'));
  const conv = compileConverter(nativeType, resolveTypeName(req.type, cd), native, compat, opts);
  const inSize = toIsNative ? conv.compatSize : conv.nativeSize;
  if (input.length === 0 && inSize > 0) {
    throw new UsageError(`the input is empty: ${req.type} is ${inSize} bytes on ${req.from.name}`);
  }
  const out = toIsNative ? conv.compatToNative(input, req.convert) : conv.nativeToCompat(input, req.convert);
  // bytes past the argument would be dropped silently: a whole buffer is one argument
  const expected = toIsNative ? conv.compatSize : conv.nativeSize;
  const grew = out.length > (toIsNative ? conv.nativeSize : conv.compatSize);
  if (!grew && input.length !== expected)
    throw einval(`${req.type} is ${expected} bytes on ${req.from.name}; the input has ${input.length}`);
  return out;
}
