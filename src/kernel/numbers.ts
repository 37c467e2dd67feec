/** Command numbers the model needs, evaluated from the ABI's own headers (never typed in). */
import type { Abi } from '../abi/types.js';
import { includeDirsFor, parseHeader, tokenize, FileCache, CFrontError } from '../cfront/index.js';
import type { IncludeOptions } from '../cfront/index.js';

const CACHE = new Map<string, Map<string, number>>();

/** The values of `names`, macros or enum constants, as `headers` define them for `abi` (each header its own unit). */
export function macroNumbers(abi: Abi, headers: string[], names: string[], include: IncludeOptions = {}): Record<string, number> {
  const key = JSON.stringify([abi.name, headers, include]);
  let known = CACHE.get(key);
  if (!known) CACHE.set(key, (known = new Map()));
  const out: Record<string, number> = {};
  const missing = names.filter((n) => !known!.has(n));
  if (missing.length) {
    const files = new FileCache();
    const includeDirs = includeDirsFor(abi, include);
    for (const header of headers) {
      const p = parseHeader(header, { abi, includeDirs, files });
      for (const name of missing) {
        if (known.has(name)) continue;
        const constant = p.unit.enumConstants.get(name);
        if (constant !== undefined && !p.preprocessor.macros.has(name)) {
          known.set(name, Number(BigInt.asUintN(32, constant.v)));
          continue;
        }
        if (!p.preprocessor.macros.has(name)) continue;
        try {
          known.set(name, Number(BigInt.asUintN(32, p.parser.evaluate(p.preprocessor.expand(tokenize(name, '<kernel model>'))).v)));
        } catch (e) {
          if (!(e instanceof CFrontError)) throw e;
        }
      }
    }
  }
  for (const n of names) {
    const v = known.get(n);
    if (v === undefined) throw new CFrontError(`${n} is not defined by ${headers.join(', ')} on ${abi.name}`, { file: headers[0] ?? '', line: 0, column: 0 });
    out[n] = v;
  }
  return out;
}
