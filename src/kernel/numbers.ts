/** Command numbers and argument layouts the model needs, from the ABI's own headers (never typed in). */
import type { Abi } from '../abi/types.js';
import {
  includeConfigFor,
  parseHeader,
  tokenize,
  FileCache,
  CFrontError,
  Parser,
  Preprocessor,
  type TranslationUnit,
} from '../cfront/index.js';
import type { IncludeOptions } from '../cfront/index.js';
import type { FlatField } from '../layout/fields.js';
import { Layouter } from '../layout/layout.js';
import type { Dumped } from '../scan/dump.js';

const CACHE = new Map<string, Map<string, number>>();

/**
 * The values of `names`, macros or enum constants, as `headers` define them for `abi`: each
 * header is its own translation unit; a list of headers is one unit that includes them in
 * order (`#define SIOCINQ FIONREAD` in linux/sockios.h needs asm/ioctls.h before it).
 */
export function macroNumbers(
  abi: Abi,
  headers: Array<string | string[]>,
  names: string[],
  include: IncludeOptions = {},
): Record<string, number> {
  const key = JSON.stringify([abi.name, headers, include]);
  let known = CACHE.get(key);
  if (!known) CACHE.set(key, (known = new Map<string, number>()));
  const out: Record<string, number> = {};
  const missing = names.filter((n) => !known.has(n));
  if (missing.length) {
    const files = new FileCache();
    const { includeDirs, defines } = includeConfigFor(abi, include);
    for (const header of headers) {
      const p =
        typeof header === 'string'
          ? parseHeader(header, { abi, includeDirs, defines, files, sizes: new Layouter(abi) })
          : parseHeaders(header, abi, includeDirs, defines, files);
      for (const name of missing) {
        if (known.has(name)) continue;
        if (!p.preprocessor.macros.has(name)) {
          const constant = p.unit.enumConstants.get(name);
          if (constant !== undefined) known.set(name, Number(BigInt.asUintN(32, constant.v)));
          continue;
        }
        try {
          known.set(
            name,
            Number(BigInt.asUintN(32, p.parser.evaluate(p.preprocessor.expand(tokenize(name, '<kernel model>'))).v)),
          );
        } catch (e) {
          if (!(e instanceof CFrontError)) throw e;
        }
      }
    }
  }
  for (const n of names) {
    const v = known.get(n);
    if (v === undefined) {
      const named = headers.map((h) => (typeof h === 'string' ? h : h.join(' + ')));
      throw new CFrontError(`${n} is not defined by ${named.join(', ')} on ${abi.name}`, {
        file: named[0] ?? '',
        line: 0,
        column: 0,
      });
    }
    out[n] = v;
  }
  return out;
}

/** One translation unit that includes `headers` in order. */
function parseHeaders(
  headers: string[],
  abi: Abi,
  includeDirs: string[],
  defines: Array<[string, string]>,
  files: FileCache,
): { preprocessor: Preprocessor; parser: Parser; unit: TranslationUnit } {
  const preprocessor = new Preprocessor({ abi, includeDirs, defines, files });
  const tokens = preprocessor.preprocessSource(
    headers.map((h) => `#include <${h}>\n`).join(''),
    `<${headers.join(' + ')}>`,
  );
  const parser = new Parser(abi, new Layouter(abi));
  return { preprocessor, parser, unit: parser.parse(tokens, preprocessor.segments) };
}

/** A record as a dump lays it out: its size and its fields by path. */
export interface RecordView {
  size: number;
  field(path: string): FlatField;
}

/** `name` of a dump; a record or a field the headers lack is an error that names it. */
export function recordOf(d: Dumped, name: string): RecordView {
  const r = d.result.records[name];
  if (!r) throw new Error(`${name} is missing from the ${d.result.abi} headers`);
  const fields = new Map(r.fields.map((f) => [f.path, f]));
  return {
    size: r.size,
    field(path) {
      const f = fields.get(path);
      if (!f) throw new Error(`${name}.${path} is missing from the ${d.result.abi} headers`);
      return f;
    },
  };
}
