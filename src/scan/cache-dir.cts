/**
 * The user's cache directory and the results directory's entries, with nothing else loaded: a replayed
 * run (src/cli/replay.cts) reads its entry before the rest of ioctl32.
 */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../cache-root.cjs';

/** The directory's bound (IOCTL32_CACHE_MB overrides it, in megabytes). */
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Writes an entry of the results directory whole (a temporary file renamed into place: concurrent runs never
 * see half an entry), then keeps the directory within its bound.
 */
export function writeResultFile(name: string, text: string): void {
  const dir = join(cacheRoot(), 'results');
  const file = join(dir, name);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
    evict(dir);
  } catch {
    // a cache that cannot be written is no error: the next run computes again
  }
}

/** An entry of the results directory (null: none), marked used now. */
export function readResultFile(name: string): string | null {
  const file = join(cacheRoot(), 'results', name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  touch(file);
  return text;
}

/** Marks an entry used now: the last to go. */
export function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // read-only: fine
  }
}

/** Drops the least recently used entries while the directory is over its bound. */
function evict(dir: string): void {
  const max = Number(process.env.IOCTL32_CACHE_MB) * 1024 * 1024 || DEFAULT_MAX_BYTES;
  const entries: Array<{ path: string; size: number; used: number }> = [];
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const st = statSync(join(dir, name));
      entries.push({ path: join(dir, name), size: st.size, used: st.mtimeMs });
      total += st.size;
    } catch {
      // removed by another run meanwhile
    }
  }
  if (total <= max) return;
  entries.sort((a, b) => a.used - b.used);
  for (const e of entries) {
    if (total <= max) break;
    try {
      unlinkSync(e.path);
    } catch {
      // another run removed it
    }
    total -= e.size;
  }
}
