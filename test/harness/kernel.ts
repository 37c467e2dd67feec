/**
 * The real kernel as an oracle: builds test/kernel/capture.c twice — `gcc -m64` (a native
 * x86_64 process) and `gcc -m32` (an i386 process, served by the kernel's compat path) — runs
 * both, and returns what the kernel did for every case: the command number passed, the return
 * value and errno, and the argument buffer before and after the call.
 *
 *   const cap = await captureKernel();
 *   const { native, compat } = cap.get('loop.LOOP_GET_STATUS')!;
 *
 * Binaries are cached by the hash of source, compiler version and flags (ioctl32's own cache
 * directory, src/cache-root.cts, as in compile.ts). The capture itself is not cached: it asks the running kernel each
 * time (once per test process). A case the program could not set up comes back with `skipped`
 * set and empty buffers; callers must treat that as "no evidence", never as a pass.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cacheRoot } from '../../src/cache-root.cjs';

const run = promisify(execFile);

/** The C program both builds are made from. */
export const CAPTURE_SOURCE = fileURLToPath(new URL('../kernel/capture.c', import.meta.url));

const CACHE_ROOT = cacheRoot();
const BIN_CACHE = join(CACHE_ROOT, 'kernel-capture');

/** One case as one build saw it. */
export interface CaseResult {
  /** The number handed to ioctl(), as the kernel's unsigned int cmd. */
  cmd: number;
  /** ioctl()'s return value (-1 on error; an fd or count for some commands). */
  ret: number;
  /** errno after a failing call, 0 when it succeeded. */
  errno: number;
  /** Bytes of the argument buffer; 0 when the argument is a plain value (see note). */
  size: number;
  /** The argument buffer before the call (0xA5 pattern for getters, the value for setters). */
  before: Uint8Array;
  /** The argument buffer after the call. */
  after: Uint8Array;
  /** A second buffer the argument points at (SIOCGIFCONF's ifreq array, KVM's dirty bitmap), after the call. */
  extra?: Uint8Array;
  /** Set when the case could not run; then ret/errno/size are meaningless and buffers empty. */
  skipped?: string;
  note?: string;
  /** How many bytes past `size` the kernel wrote into the guard area (absent: none). */
  overrun?: number;
}

export type Build = 'native' | 'compat';

export interface CaseResults {
  native?: CaseResult;
  compat?: CaseResult;
}

/** The first line each build prints: what the process is. */
export interface CaptureMeta {
  pointerBits: number;
  longBits: number;
  euid: number;
  release: string;
  machine: string;
}

/** One build's whole run, or why there was none. */
export interface CaptureRun {
  build: Build;
  flags: string[];
  /** Present when the build compiled and ran to the end. */
  meta?: CaptureMeta;
  cases: Map<string, CaseResult>;
  /** Why the build did not run (compiler missing, crash ...). */
  failed?: string;
  stderr: string;
}

const BUILD_FLAGS: Record<Build, string[]> = {
  native: ['-m64'],
  compat: ['-m32'],
};
const COMMON_FLAGS = ['-std=gnu11', '-O0', '-Wall'];

// ---------------------------------------------------------------------------------------------
// prerequisites

let prereqs: { m32: boolean; kvm: boolean; loop: boolean } | undefined;

function canOpenReadWrite(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `gcc -m32` links a program and this kernel runs it (IA32 emulation on). */
function m32Works(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-m32-'));
  try {
    const exe = join(dir, 'probe');
    const cc = spawnSync('gcc', ['-m32', '-x', 'c', '-', '-o', exe], {
      input: '#include <stdio.h>\nint main(void) { return sizeof(void *) == 4 ? 0 : 1; }\n',
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (cc.status !== 0) return false;
    return spawnSync(exe, [], { timeout: 30_000 }).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What this machine offers: a working `gcc -m32` (packages libc6-dev-i386, lib32gcc-12-dev),
 * a usable /dev/kvm, and /dev/loop-control (needs root). Synchronous and memoized.
 */
export function haveKernelPrerequisites(): { m32: boolean; kvm: boolean; loop: boolean } {
  prereqs ??= {
    m32: m32Works(),
    kvm: canOpenReadWrite('/dev/kvm'),
    loop: canOpenReadWrite('/dev/loop-control'),
  };
  return { ...prereqs };
}

// ---------------------------------------------------------------------------------------------
// build

async function compilerVersion(): Promise<string> {
  try {
    return (await run('gcc', ['--version'])).stdout;
  } catch (e) {
    throw new Error(`gcc is not installed: ${(e as Error).message}`);
  }
}

/** Compiles capture.c for a build, or returns the cached binary. */
async function buildCapture(build: Build, source: string, gccVersion: string): Promise<string> {
  const args = [...COMMON_FLAGS, ...BUILD_FLAGS[build]];
  const key = createHash('sha256')
    .update(JSON.stringify([gccVersion, args, source]))
    .digest('hex')
    .slice(0, 24);
  const exe = join(BIN_CACHE, `capture-${build}-${key}`);
  if (existsSync(exe)) return exe;
  mkdirSync(BIN_CACHE, { recursive: true });
  const tmp = `${exe}.tmp${process.pid}`;
  try {
    await run('gcc', [...args, '-o', tmp, CAPTURE_SOURCE], { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    rmSync(tmp, { force: true });
    throw new Error(
      `gcc ${args.join(' ')} capture.c failed:\n${(err.stderr ?? err.message).split('\n').slice(0, 20).join('\n')}`,
    );
  }
  chmodSync(tmp, 0o755);
  renameSync(tmp, exe);
  return exe;
}

// ---------------------------------------------------------------------------------------------
// parse

function hexBytes(hex: unknown, what: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex))
    throw new Error(`${what}: not a hex string`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${what}: not an integer`);
  return v;
}

/** Parses the program's JSON lines into its meta line and cases. */
export function parseCaptureOutput(stdout: string): { meta: CaptureMeta; cases: Map<string, CaseResult> } {
  let meta: CaptureMeta | undefined;
  let done: { run: number; skipped: number } | undefined;
  const cases = new Map<string, CaseResult>();
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  for (const [i, line] of lines.entries()) {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`capture output line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    if (o.meta) {
      meta = o.meta as CaptureMeta;
      continue;
    }
    if (o.done) {
      done = o.done as { run: number; skipped: number };
      continue;
    }
    const name = o.case;
    if (typeof name !== 'string') throw new Error(`capture output line ${i + 1} has no case name`);
    if (cases.has(name)) throw new Error(`capture output repeats case ${name}`);
    const where = `case ${name}`;
    const cmd = num(o.cmd, `${where}.cmd`);
    if (typeof o.skipped === 'string') {
      cases.set(name, {
        cmd,
        ret: -1,
        errno: 0,
        size: 0,
        before: new Uint8Array(),
        after: new Uint8Array(),
        skipped: o.skipped,
      });
      continue;
    }
    const r: CaseResult = {
      cmd,
      ret: num(o.ret, `${where}.ret`),
      errno: num(o.errno, `${where}.errno`),
      size: num(o.size, `${where}.size`),
      before: hexBytes(o.before, `${where}.before`),
      after: hexBytes(o.after, `${where}.after`),
    };
    if (r.before.length !== r.size || r.after.length !== r.size)
      throw new Error(`${where}: buffers do not have size ${r.size} bytes`);
    if (o.extra !== undefined) r.extra = hexBytes(o.extra, `${where}.extra`);
    if (typeof o.note === 'string' && o.note !== '') r.note = o.note;
    if (o.overrun !== undefined) r.overrun = num(o.overrun, `${where}.overrun`);
    cases.set(name, r);
  }
  if (!meta) throw new Error('capture output has no meta line');
  if (!done) throw new Error('capture output ends before its done line (the program stopped early)');
  if (done.run + done.skipped !== cases.size) {
    throw new Error(
      `capture output has ${cases.size} cases, the program counted ${done.run} run + ${done.skipped} skipped`,
    );
  }
  return { meta, cases };
}

// ---------------------------------------------------------------------------------------------
// run

/** A short work directory: loop devices keep the backing path in a 64-byte field. */
function workDir(): string {
  const base = tmpdir().length <= 24 ? tmpdir() : '/tmp';
  return mkdtempSync(join(base, 'ioctl32-kc-'));
}

async function runBuild(build: Build, source: string, gccVersion: string): Promise<CaptureRun> {
  const flags = [...COMMON_FLAGS, ...BUILD_FLAGS[build]];
  let exe: string;
  try {
    exe = await buildCapture(build, source, gccVersion);
  } catch (e) {
    return { build, flags, cases: new Map(), failed: (e as Error).message, stderr: '' };
  }
  const dir = workDir();
  try {
    const { stdout, stderr } = await run(exe, [dir], { timeout: 180_000, maxBuffer: 64 << 20 });
    const { meta, cases } = parseCaptureOutput(stdout);
    const bits = build === 'native' ? 64 : 32;
    if (meta.pointerBits !== bits)
      throw new Error(`the ${build} build reports ${meta.pointerBits}-bit pointers, expected ${bits}`);
    return { build, flags, meta, cases, stderr };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { build, flags, cases: new Map(), failed: `running ${exe}: ${err.message}`, stderr: err.stderr ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let runs: Promise<{ native: CaptureRun; compat: CaptureRun }> | undefined;

/**
 * Both builds' runs in full (meta, stderr, why a build failed). The builds run one after the
 * other (they share loop devices and KVM). Memoized per process.
 */
export function captureKernelRuns(): Promise<{ native: CaptureRun; compat: CaptureRun }> {
  runs ??= (async () => {
    const source = readFileSync(CAPTURE_SOURCE, 'utf8');
    const gccVersion = await compilerVersion();
    const native = await runBuild('native', source, gccVersion);
    const compat = await runBuild('compat', source, gccVersion);
    return { native, compat };
  })();
  return runs;
}

/**
 * Every case by name, with what the native (x86_64) and the compat (i386) process got. A build
 * that could not be compiled or run leaves its side undefined (captureKernelRuns says why).
 */
export async function captureKernel(): Promise<Map<string, CaseResults>> {
  const { native, compat } = await captureKernelRuns();
  const out = new Map<string, CaseResults>();
  for (const [name, r] of native.cases) out.set(name, { native: r });
  for (const [name, r] of compat.cases) {
    const e = out.get(name);
    if (e) e.compat = r;
    else out.set(name, { compat: r });
  }
  return out;
}

/**
 * One line: cases run and skipped per build, then every skipped case with its reason (and any
 * build that did not run at all, with why).
 */
export function formatCaptureSummary(
  capture: Map<string, CaseResults>,
  runsInfo?: { native: CaptureRun; compat: CaptureRun },
): string {
  const parts: string[] = [];
  const skipped: string[] = [];
  for (const build of ['native', 'compat'] as const) {
    let ran = 0;
    let skip = 0;
    for (const [name, r] of capture) {
      const c = r[build];
      if (!c) continue;
      if (c.skipped !== undefined) {
        skip++;
        skipped.push(`[${build}] ${name}: ${c.skipped}`);
      } else ran++;
    }
    const failed = runsInfo?.[build].failed;
    parts.push(failed ? `${build}: did not run (${failed.split('\n')[0]})` : `${build}: ${ran} ran, ${skip} skipped`);
  }
  return `kernel capture — ${parts.join('; ')}; skipped cases: ${skipped.length ? skipped.join(' | ') : 'none'}`;
}
