/**
 * Names of command numbers per ABI, from the catalogue of its whole UAPI set. Scanning a header
 * tree takes a second or two, so the numbers are kept in ~/.cache/ioctl32 (IOCTL32_CACHE), keyed
 * by the ABI, its include directories and the headers' version stamp.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Abi } from '../abi/types.js';
import { includeDirsFor, type IncludeOptions } from '../cfront/index.js';
import { dumpHeaders } from './dump.js';

const CACHE = join(process.env.IOCTL32_CACHE ?? join(homedir(), '.cache', 'ioctl32'), 'names');

function stamp(dirs: string[]): string {
  const parts = dirs.map((d) => {
    try {
      const st = statSync(join(d, 'linux', 'version.h'));
      return `${d}:${st.size}:${st.mtimeMs}`;
    } catch {
      return d;
    }
  });
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/** cmd → ioctl names on `abi` (an empty map when the ABI has no headers here). */
export function ioctlNames(abi: Abi, include: IncludeOptions = {}): Map<number, string[]> {
  let dirs: string[];
  try {
    dirs = includeDirsFor(abi, include);
  } catch {
    return new Map();
  }
  const file = join(CACHE, `${abi.name}-${stamp(dirs)}.json`);
  let pairs: Array<[string, number]>;
  try {
    pairs = JSON.parse(readFileSync(file, 'utf8')) as Array<[string, number]>;
  } catch {
    const d = dumpHeaders({ abi, ...include });
    pairs = [...d.ioctls.values()].map((e) => [e.name, e.cmd]);
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(pairs));
    renameSync(`${file}.${process.pid}`, file);
  }
  const out = new Map<number, string[]>();
  for (const [name, cmd] of pairs) out.set(cmd, [...(out.get(cmd) ?? []), name]);
  return out;
}
