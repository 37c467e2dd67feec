/**
 * The reference compilers' answers for the whole Linux UAPI header set: which headers compile
 * on their own, and the layouts and ioctl numbers the compiler computes for the records and
 * macros ioctl32's C front end found there. The front end is compared against this oracle.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Abi } from '../../src/abi/types.js';
import { CACHE_ROOT, CompileError, compileObject, referenceCompiler } from './compile.js';
import { u32Array, type ElfObject } from './elf.js';
import { bitsOf } from './probe.js';

const run = promisify(execFile);
const CACHE = join(CACHE_ROOT, 'uapi');
/** The directories CONTRACT.md names as the UAPI set. */
const UAPI_DIRS = ['linux', 'asm', 'drm', 'misc', 'mtd', 'rdma', 'scsi', 'sound', 'video', 'xen'];
/**
 * Headers per translation unit: large enough to amortise compiler start-up, small enough that a failing batch splits
 * cheaply.
 */
const BATCH_ITEMS = 40;
/** The CI machines have two cores. */
const MAX_COMPILERS = 2;

export function uapiIncludeDir(abi: Abi): string {
  return `/usr/${abi.headerTriple}/include`;
}

/** Every UAPI header below the include directory, as include names, sorted. */
export function uapiHeaders(includeDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(includeDir, rel))) {
      const child = `${rel}/${name}`;
      // statSync follows symlinks, which some sysroots use for asm/
      if (statSync(join(includeDir, child)).isDirectory()) walk(child);
      else if (name.endsWith('.h')) out.push(child);
    }
  };
  for (const dir of UAPI_DIRS) if (existsSync(join(includeDir, dir))) walk(dir);
  return out.sort();
}

const includeArgsMemo = new Map<string, Promise<string[]>>();

/** Flags that give the compiler its own builtin headers and the ABI's cross headers, nothing from the host. */
export function compilerIncludeArgs(abi: Abi): Promise<string[]> {
  let args = includeArgsMemo.get(abi.name);
  if (!args) {
    args = builtinIncludeDir(abi).then((builtin) => [
      '-nostdinc',
      '-isystem',
      builtin,
      '-isystem',
      uapiIncludeDir(abi),
    ]);
    includeArgsMemo.set(abi.name, args);
  }
  return args;
}

async function builtinIncludeDir(abi: Abi): Promise<string> {
  const cc = referenceCompiler(abi);
  if (abi.clangTarget) {
    const { stdout } = await run(cc.command, ['-print-resource-dir']);
    return join(stdout.trim(), 'include');
  }
  const { stdout } = await run(cc.command, [...cc.args, '-print-file-name=include']);
  const dir = stdout.trim();
  // gcc echoes the bare name back when it has no such directory
  if (!dir.startsWith('/')) throw new Error(`${cc.command} has no builtin include directory`);
  return dir;
}

const stampMemo = new Map<string, Promise<string>>();

/**
 * Changes whenever a file the compiler may read changes, appears or goes: every file below its include
 * directories (the ABI's cross tree with its libc, the compiler's own headers), by path, size and mtime. Installing
 * a package (the 32-bit libc of s390 or sparc: gnu/stubs-32.h appears) retires the answers cached before it.
 */
function headerStamp(abi: Abi): Promise<string> {
  let stamp = stampMemo.get(abi.name);
  if (!stamp) {
    stamp = compilerIncludeArgs(abi).then((args) => {
      const hash = createHash('sha256');
      const walk = (dir: string) => {
        for (const name of readdirSync(dir).sort()) {
          const path = join(dir, name);
          // statSync follows symlinks, which some sysroots use for asm/
          const st = statSync(path, { throwIfNoEntry: false });
          if (st?.isDirectory()) walk(path);
          else if (st) hash.update(`${path}\0${st.size}\0${st.mtimeMs}\n`);
        }
      };
      args.forEach((a, i) => {
        if (args[i - 1] === '-isystem') walk(a);
      });
      return hash.digest('hex').slice(0, 16);
    });
    stampMemo.set(abi.name, stamp);
  }
  return stamp;
}

let running = 0;
const waiting: Array<() => void> = [];

/** Runs fn when fewer than MAX_COMPILERS others are running, across every caller in this process. */
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running < MAX_COMPILERS) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await fn();
  } finally {
    // hand the slot straight to the next waiter, or give it back
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** The first line of compiler output that reports an error (the rest are usually consequences). */
function firstError(stderr: string): string {
  const lines = stderr.split('\n');
  return (
    lines.find((l) => l.includes('error')) ?? lines.find((l) => l.trim() !== '') ?? 'compiler failed without a message'
  );
}

export type Acceptance = { ok: true } | { ok: false; error: string };

/**
 * One JSON file of answers per ABI. Several processes (vitest forks) may write it at once, so
 * a flush re-reads the file, merges, and replaces it atomically: a lost race costs a recompute,
 * never a corrupt file.
 */
class AcceptanceCache {
  private readonly file: string;
  private readonly entries: Record<string, Acceptance>;
  private readonly fresh: Record<string, Acceptance> = {};
  private unflushed = 0;
  private static writes = 0;

  constructor(abi: Abi) {
    this.file = join(CACHE, `accept-${abi.name}.json`);
    this.entries = this.read();
  }

  get(key: string): Acceptance | undefined {
    return this.entries[key];
  }

  set(key: string, value: Acceptance): void {
    this.entries[key] = value;
    this.fresh[key] = value;
    // flush now and then so an interrupted run keeps most of its work
    if (++this.unflushed >= 100) this.flush();
  }

  flush(): void {
    if (this.unflushed === 0) return;
    const merged = { ...this.read(), ...this.fresh };
    mkdirSync(CACHE, { recursive: true });
    const tmp = `${this.file}.${process.pid}.${AcceptanceCache.writes++}.tmp`;
    writeFileSync(tmp, JSON.stringify(merged));
    renameSync(tmp, this.file);
    this.unflushed = 0;
  }

  private read(): Record<string, Acceptance> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Acceptance>;
    } catch {
      return {};
    }
  }
}

function acceptOne(command: string, args: string[], header: string): Promise<Acceptance> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.stdin.on('error', reject);
    child.on('close', (code) => resolve(code === 0 ? { ok: true } : { ok: false, error: firstError(stderr) }));
    child.stdin.end(`#include <${header}>\n`);
  });
}

/** Whether the ABI's reference compiler accepts each header included on its own. */
export async function headerAcceptance(abi: Abi, headers: string[]): Promise<Map<string, Acceptance>> {
  const cc = referenceCompiler(abi);
  const args = [...cc.args, '-fsyntax-only', '-std=gnu11', '-w', ...(await compilerIncludeArgs(abi)), '-x', 'c', '-'];
  const stamp = await headerStamp(abi);
  const cache = new AcceptanceCache(abi);
  try {
    const answers = await Promise.all(
      headers.map(async (header) => {
        const key = createHash('sha256')
          .update(JSON.stringify([cc.command, args, header, stamp]))
          .digest('hex');
        const known = cache.get(key);
        if (known) return known;
        const answer = await limited(() => acceptOne(cc.command, args, header));
        cache.set(key, answer);
        return answer;
      }),
    );
    return new Map(headers.map((h, i) => [h, answers[i]!]));
  } finally {
    cache.flush();
  }
}

export interface OracleItem {
  header: string;
  /** Headers a program would include first (<linux/ioctl.h> for sound/asound.h's numbers). */
  before?: string[];
  records: Array<{
    name: string;
    /** `size`: also ask sizeof the member (not for flexible arrays, whose sizeof is an error). */
    paths: Array<{ path: string; bitfield?: 'bool' | 'other'; size?: boolean }>;
    /**
     * Macros that share a member's name (glibc's `#define __spins __elision_data.__espins`): hidden around the
     * probe.
     */
    hide?: string[];
  }>;
  ioctls: string[];
}

export type FieldTruth = { offset: number; size?: number } | { bitOffset: number; bitWidth: number };

export interface RecordTruth {
  header: string;
  size: number;
  align: number;
  fields: Map<string, FieldTruth>;
}

export interface OracleResult {
  /** By record name as C spells it: `struct foo`, `union bar`, or a typedef name. */
  records: Map<string, RecordTruth>;
  /** By macro name; cmd as an unsigned 32-bit integer. */
  ioctls: Map<string, { header: string; cmd: number }>;
  /** Items whose probe does not compile even on its own. */
  failed: Array<{ header: string; error: string }>;
}

interface Indexed {
  item: OracleItem;
  /** Position in the caller's list: names the item's symbols and orders the result. */
  index: number;
}

type ItemOutcome =
  { ok: true; records: Array<[string, RecordTruth]>; ioctls: Array<[string, number]> } | { ok: false; error: string };

/** The item's header, then its probes right after it, so its macros are read as its header left them. */
function itemSource({ item, index }: Indexed): string {
  const lines = [...(item.before ?? []).map((h) => `#include <${h}>`), `#include <${item.header}>`];
  item.records.forEach((r, ri) => {
    for (const m of r.hide ?? []) lines.push(`#pragma push_macro("${m}")`, `#undef ${m}`);
    const words = [`sizeof(${r.name})`, `_Alignof(${r.name})`];
    r.paths.forEach((p, pi) => {
      if (!p.bitfield) {
        words.push(`__builtin_offsetof(${r.name}, ${p.path})`);
        if (p.size) words.push(`sizeof(((${r.name} *)0)->${p.path})`);
        return;
      }
      // an image of the record with only this bitfield's bits set
      const value = p.bitfield === 'bool' ? '1' : '-1';
      lines.push(
        `const union { ${r.name} s; unsigned char b[sizeof(${r.name})]; } ` +
          `ioctl32_b${index}_${ri}_${pi} = { .s = { .${p.path} = ${value} } };`,
      );
    });
    lines.push(`const unsigned int ioctl32_r${index}_${ri}[] = { ${words.join(', ')} };`);
    for (const m of r.hide ?? []) lines.push(`#pragma pop_macro("${m}")`);
  });
  if (item.ioctls.length) lines.push(`const unsigned int ioctl32_ioc${index}[] = { ${item.ioctls.join(', ')} };`);
  return lines.join('\n');
}

function readItem(obj: ElfObject, { item, index }: Indexed): ItemOutcome {
  const records = item.records.map((r, ri): [string, RecordTruth] => {
    const words = u32Array(obj, `ioctl32_r${index}_${ri}`);
    const fields = new Map<string, FieldTruth>();
    let w = 2;
    r.paths.forEach((p, pi) => {
      if (!p.bitfield) {
        const offset = words[w++]!;
        fields.set(p.path, p.size ? { offset, size: words[w++]! } : { offset });
        return;
      }
      const image = obj.symbols.get(`ioctl32_b${index}_${ri}_${pi}`);
      if (!image) throw new Error(`bitfield image of ${r.name}.${p.path} missing from the object`);
      fields.set(p.path, bitsOf(image, obj.endian));
    });
    return [r.name, { header: item.header, size: words[0]!, align: words[1]!, fields }];
  });
  const cmds = item.ioctls.length ? u32Array(obj, `ioctl32_ioc${index}`) : [];
  return { ok: true, records, ioctls: item.ioctls.map((name, i) => [name, cmds[i]!]) };
}

/**
 * The compiler's layouts and ioctl numbers for the items. Items go many to a translation unit;
 * a unit that does not compile is split in halves until the item that breaks it stands alone.
 */
/** `alone`: one item per translation unit, so no item sees what another's header defines. */
export async function compilerTruth(
  abi: Abi,
  items: OracleItem[],
  opts: { alone?: boolean } = {},
): Promise<OracleResult> {
  const includeArgs = await compilerIncludeArgs(abi);
  // the object cache is keyed by source: naming the header version in it retires stale objects
  const prelude = `/* ${uapiIncludeDir(abi)} ${await headerStamp(abi)} */\n`;
  const outcomes: ItemOutcome[] = [];

  // A header the compiler rejects alone fails every probe of it; the (cached) acceptance answer
  // says so without splitting a batch down to it.
  const acceptance = await headerAcceptance(abi, [...new Set(items.map((i) => i.header))]);
  const probed: Indexed[] = [];
  items.forEach((item, index) => {
    const a = acceptance.get(item.header);
    if (a && !a.ok) outcomes[index] = { ok: false, error: a.error };
    else probed.push({ item, index });
  });

  const probe = async (batch: Indexed[]): Promise<void> => {
    try {
      const obj = await limited(() =>
        compileObject(abi, prelude + batch.map(itemSource).join('\n') + '\n', includeArgs),
      );
      for (const b of batch) outcomes[b.index] = readItem(obj, b);
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      if (batch.length === 1) {
        // the temporary file's directory is random: keep only its name so errors compare across runs
        outcomes[batch[0]!.index] = { ok: false, error: firstError(e.stderr).replace(/[^\s:]*\/probe\.c/g, 'probe.c') };
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await Promise.all([probe(batch.slice(0, half)), probe(batch.slice(half))]);
    }
  };
  const batches: Indexed[][] = [];
  const perUnit = opts.alone ? 1 : BATCH_ITEMS;
  for (let i = 0; i < probed.length; i += perUnit) batches.push(probed.slice(i, i + perUnit));
  await Promise.all(batches.map(probe));

  // assembled in the caller's order so the result does not depend on which compile finished first
  const result: OracleResult = { records: new Map(), ioctls: new Map(), failed: [] };
  items.forEach((item, index) => {
    const o = outcomes[index]!;
    if (!o.ok) {
      result.failed.push({ header: item.header, error: o.error });
      return;
    }
    for (const [name, truth] of o.records) result.records.set(name, truth);
    for (const [name, cmd] of o.ioctls) result.ioctls.set(name, { header: item.header, cmd });
  });
  return result;
}
