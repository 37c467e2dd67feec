/**
 * Runs an ABI's reference compiler (clang-16 --target, or the gcc cross compiler where clang is
 * wrong or absent) on C source and returns the object it produced. Objects are cached by the
 * hash of compiler, flags and source, so deterministic probes cost one compile per machine.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Abi } from '../../src/abi/types.js';
import { cacheRoot } from '../../src/cache-root.cjs';
import { readElf, type ElfObject } from './elf.js';

const run = promisify(execFile);
/**
 * Compiler answers are deterministic: kept across runs and clones on the same machine
 * (ioctl32's own cache directory, src/cache-root.cts).
 */
export const CACHE_ROOT = cacheRoot();
const CACHE = join(CACHE_ROOT, 'objects');

export interface CompilerCommand {
  command: string;
  args: string[];
}

/** The reference compiler of an ABI with the flags that select it (a flavour's -D flags too: Abi.cflags). */
export function referenceCompiler(abi: Abi): CompilerCommand {
  if (abi.clangTarget) return { command: 'clang-16', args: [`--target=${abi.clangTarget}`, ...abi.cflags] };
  if (!abi.gcc) throw new Error(`${abi.name} has no reference compiler`);
  return { command: abi.gcc.command, args: [...abi.gcc.flags, ...abi.cflags] };
}

/** Include flags for the ABI's Debian cross headers (no host headers leak in). */
export function crossIncludes(abi: Abi): string[] {
  return ['-nostdinc', '-isystem', `/usr/${abi.headerTriple}/include`];
}

export class CompileError extends Error {
  constructor(
    readonly stderr: string,
    readonly source: string,
  ) {
    super(`compiler rejected the probe:\n${stderr.split('\n').slice(0, 30).join('\n')}`);
  }
}

/** Compiles C source for the ABI into an ELF object and reads its symbols. */
export async function compileObject(
  abi: Abi,
  source: string,
  extraArgs: string[] = [],
  opts: { cache?: boolean } = {},
): Promise<ElfObject> {
  const cc = referenceCompiler(abi);
  const args = [...cc.args, '-std=gnu11', '-w', '-O0', '-fno-common', '-c', '-x', 'c', ...extraArgs];
  const key = createHash('sha256')
    .update(JSON.stringify([cc.command, args, source]))
    .digest('hex');
  const cache = opts.cache ?? true;
  const cached = join(CACHE, `${key}.o`);
  if (cache && existsSync(cached)) return readElf(readFileSync(cached));
  const dir = join(tmpdir(), `ioctl32-${process.pid}-${key.slice(0, 16)}`);
  mkdirSync(dir, { recursive: true });
  const src = join(dir, 'probe.c');
  const obj = join(dir, 'probe.o');
  writeFileSync(src, source);
  try {
    await run(cc.command, [...args, '-o', obj, src], { maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    rmSync(dir, { recursive: true, force: true });
    throw new CompileError(err.stderr ?? err.message, source);
  }
  const bytes = readFileSync(obj);
  if (cache) {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(`${cached}.tmp${process.pid}`, bytes);
    renameSync(`${cached}.tmp${process.pid}`, cached);
  }
  rmSync(dir, { recursive: true, force: true });
  return readElf(bytes);
}
