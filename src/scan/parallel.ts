/**
 * Per-ABI work on both cores: the dumps of several ABIs (every ABI, check's `--arch all`, its
 * default pairs) in a small pool of worker threads (node:worker_threads), with the same bytes out
 * as one thread. The calls stay synchronous — the caller's thread waits on a shared counter
 * (Atomics.wait) and takes the workers' replies with receiveMessageOnPort — so check() and
 * every other sync caller use the pool without turning async.
 *
 * What crosses threads is plain data, as the results cache keeps it (src/scan/cache.ts): a dump's
 * result, or for check the declarations behind it (a structured clone keeps the type graph's
 * shared nodes and cycles) with each file's display name as the worker's scan gave it. Each worker
 * keeps one FileCache for the ABIs it reads, as one thread does for all. A job that fails in a
 * worker is run again in this thread, so its error is the one a one-thread run throws.
 *
 * Threads: `threads` in the options, else IOCTL32_THREADS, else min(available cores, ABIs).
 * The worker is the built one (dist/scan/parallel-worker.js); run from the sources (tests), the
 * default is one thread, and more threads use the build (`npm run build` first).
 */
import { availableParallelism } from 'node:os';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { getAbi } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import { FileCache } from '../cfront/preprocess.js';
import { Layouter } from '../layout/layout.js';
import { noteReadsOf, type ReadsOf } from './cache.js';
import { dumpHeaders, type Dumped, type DumpResult } from './dump.js';
import { asFound, type Scan, type ScanOptions, type ScanTimings } from './scan.js';

export interface ThreadOptions {
  /**
   * Worker threads for the ABIs' work; 1: all of it in the caller's thread. Default: IOCTL32_THREADS,
   * else min(available cores, ABIs) (from the sources: 1).
   */
  threads?: number;
}

/**
 * Threads for `jobs` jobs: the option, else IOCTL32_THREADS, else min(cores, jobs) — or 1 when
 * `small` (every job names its headers: a driver's few headers are read here sooner than a
 * worker starts). Never more than the jobs.
 */
export function threadsFor(jobs: number, threads?: number, small = false): number {
  const env = Number(process.env.IOCTL32_THREADS);
  const byDefault = FROM_SOURCES || small ? 1 : availableParallelism();
  const asked = threads ?? (Number.isInteger(env) && env > 0 ? env : byDefault);
  return Math.max(1, Math.min(Math.floor(asked), jobs));
}

/** The heap's growth between full collections that boundHeapGrowth sets (percent of the live set). */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Lets V8's heap grow by HEAP_GROWING_PERCENT of what a full collection leaves, for the whole process (its workers
 * too). On a machine of many gigabytes V8 lets it grow to several times that: a whole-UAPI run over every ABI keeps
 * under 200 MB live and peaked at 700 MB; bounded, at about 450 MB, in about the same time (measured: `check --arch
 * all`, 17.5 s against 18.8 s, within the machine's noise). A process-wide V8 setting: the CLI sets it, the library
 * leaves it to its host.
 */
export function boundHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** Whether every job names its headers (no whole UAPI set): the work is small. */
const smallJobs = (list: readonly ScanOptions[]) => list.every((o) => o.headers?.length);

/** Each ABI's dump result, in the order given (dumpHeaders(o).result for each o, the result cache not used). */
export function dumpEach(list: readonly ScanOptions[], opts: ThreadOptions = {}): DumpResult[] {
  const out: DumpResult[] = [];
  forEachDump(list, (i, r) => (out[i] = r), opts);
  return out;
}

/**
 * Each ABI's dump result handed to `f` as it is done (in no set order) and kept by nobody else:
 * a caller that does not hold them (a benchmark of every ABI) needs no memory for them.
 */
export function forEachDump(
  list: readonly ScanOptions[],
  f: (index: number, result: DumpResult) => void,
  opts: ThreadOptions = {},
): void {
  const threads = threadsFor(list.length, opts.threads, smallJobs(list));
  runJobs(
    'dump',
    list,
    threads,
    (o) => dumpHeaders(o).result,
    (i, v) => f(i, v as DumpResult),
  );
}

/**
 * dumpHeaders for each of `list`, in its order (check: every ABI of its pairs); in one thread unless
 * `threads` or IOCTL32_THREADS asks for more. From a worker the
 * Dumped is rebuilt here: its own Layouter, and a scan that names files as the worker's did; its
 * messages (unresolved) are shortened already, and it cannot be iterated again.
 */
export function dumpedEach(
  list: readonly ScanOptions[],
  opts: ThreadOptions = {},
  /** Each Dumped as it comes, in no set order, none kept (the result is empty): a caller that drops them early. */
  each?: (index: number, dumped: Dumped) => void,
): Dumped[] {
  const out: Dumped[] = [];
  const files = list.find((o) => o.files)?.files ?? new FileCache();
  // a whole-UAPI set's declarations take about half as long to cross threads as to read (measured:
  // check of x86_64's pairs used 42% more CPU in two threads): workers only when asked
  const threads = threadsFor(list.length, opts.threads, true);
  runJobs(
    'dumped',
    list,
    threads,
    (o) => dumpHeaders(o),
    (i, v, here) => {
      const o = list[i]!;
      const d = here ? (v as Dumped) : unpackDumped(v as PortableDump, o.abi, o.files ?? files);
      if (each) each(i, d);
      else out[i] = d;
    },
  );
  return out;
}

/** Running from the TypeScript sources (tests): the worker is the build's. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER = fileURLToPath(
  new URL(FROM_SOURCES ? '../../dist/scan/parallel-worker.js' : './parallel-worker.js', import.meta.url),
);
/** A worker that reports no header read for this long is taken as dead; its job is run here. */
const STALL_MS = 60_000;
/** Jobs a worker holds at once: the next is there when it finishes one. */
const DEPTH = 2;
/** The least heap a worker gets (MB), however small this process's limit: the live set of a header tree and more. */
const MIN_WORKER_HEAP_MB = 192;
/**
 * A worker's young generation (MB; V8's default is about 48 on 64-bit): a dump allocates fast and keeps little of it,
 * so smaller semi-spaces collect as much per scavenge. Every ABI in two threads peaked at 582-625 MB with the default
 * and 530-558 MB with this, in the same time within the machine's noise (bench/all-abis.mjs, three runs each: 13.6-14.1
 * s and 13.6-14.3 s).
 */
const WORKER_YOUNG_MB = 12;

/** The keys of a scan's timings (ScanTimings), in the order they are added. */
const TIMING_KEYS = ['preprocess', 'parse', 'records', 'catalogue'] as const;

/** What main sends: one ABI's dump (`dump`: its result; `dumped`: its PortableDump). */
export interface Job {
  id: number;
  kind: 'dump' | 'dumped';
  abi: string;
  /** The ABI a flavour is of (i386 for i386+t64), else its own: a family reads the same header tree. */
  family: string;
  /** ScanOptions without abi, files, onProgress and timings (they stay here). */
  opts: Omit<ScanOptions, 'abi' | 'files' | 'onProgress' | 'timings'>;
  progress: boolean;
  timings: boolean;
}

/** What a worker sends: progress, a value (with what it read and its timings), or a failure. */
export type Reply =
  | { id: number; progress: [number, number, string] }
  | { id: number; value: unknown; reads: ReadsOf; timings?: ScanTimings }
  | { id: number; failed: string };

/** Shared counters: [0] replies posted (the caller waits on it), [1 + worker] headers read (liveness). */
export interface WorkerData {
  port: MessagePort;
  signal: SharedArrayBuffer;
  index: number;
}

/**
 * Runs one job per options object: in `threads` workers, or here when threads is 1 or an option
 * cannot cross threads (a function, an ABI object of the caller's own). Each value goes to
 * `deliver` as it comes (`here`: computed in this thread). A job that failed in a worker runs
 * here after the others, in order: the error thrown is the first a one-thread run meets.
 */
function runJobs(
  kind: Job['kind'],
  list: readonly ScanOptions[],
  threads: number,
  compute: (o: ScanOptions) => unknown,
  deliver: (index: number, value: unknown, here: boolean) => void,
): void {
  const jobs = threads > 1 ? list.map((o, i) => toJob(kind, o, i)) : [];
  if (threads <= 1 || !existsSync(WORKER) || jobs.some((j) => j === undefined)) {
    list.forEach((o, i) => deliver(i, compute(o), true));
    return;
  }
  const failed: number[] = [];
  /** Errors of this thread's own jobs, thrown in order at the end as a worker's failures are. */
  const errors = new Map<number, unknown>();
  const here = (i: number) => {
    let v: unknown;
    try {
      v = compute(list[i]!);
    } catch (e) {
      errors.set(i, e);
      failed.push(i);
      return;
    }
    deliver(i, v, true);
  };
  // this thread is one of the threads: it reads ABIs too, between looking at the workers' replies
  runInWorkers(jobs as Job[], threads - 1, here, {
    progress: (i, done, total, header) => list[i]!.onProgress?.(done, total, header),
    value: (i, v, reads, timings) => {
      noteReadsOf(reads);
      const t = list[i]!.timings;
      if (t && timings) for (const k of TIMING_KEYS) t[k] += timings[k];
      deliver(i, v, false);
    },
    failed: (i) => failed.push(i),
  });
  for (const i of failed.sort((a, b) => a - b)) {
    if (errors.has(i)) throw errors.get(i);
    deliver(i, compute(list[i]!), true);
  }
}

/** The job for one options object, or undefined when something in it cannot cross threads. */
function toJob(kind: Job['kind'], o: ScanOptions, id: number): Job | undefined {
  const { abi, files: _files, onProgress, timings, ...rest } = o;
  let same: Abi | undefined;
  try {
    same = getAbi(abi.name);
  } catch {
    return undefined;
  }
  if (same !== abi) return undefined;
  if (Object.values(rest).some((v) => typeof v === 'function')) return undefined;
  return {
    id,
    kind,
    abi: abi.name,
    family: abi.flavourOf ?? abi.name,
    opts: rest,
    progress: onProgress !== undefined,
    timings: timings !== undefined,
  };
}

interface Handlers {
  progress: (index: number, done: number, total: number, header: string) => void;
  value: (index: number, value: unknown, reads: ReadsOf, timings?: ScanTimings) => void;
  failed: (index: number) => void;
}

/**
 * The pool: `workers` workers and this thread take the jobs in order, each the next when done (a
 * worker holds DEPTH jobs, so it never waits for this thread to finish one of its own).
 */
function runInWorkers(jobs: Job[], count: number, here: (index: number) => void, on: Handlers): void {
  const signal = new SharedArrayBuffer(4 * (1 + count));
  const counters = new Int32Array(signal);
  // each worker's heap a share of this process's limit (a heap cap holds for the threads together)
  const heapMb = getHeapStatistics().heap_size_limit / 2 ** 20;
  const resourceLimits = {
    maxOldGenerationSizeMb: Math.max(MIN_WORKER_HEAP_MB, Math.floor(heapMb / (count + 1))),
    maxYoungGenerationSizeMb: WORKER_YOUNG_MB,
  };
  const workers = Array.from({ length: count }, (_, index) => {
    const { port1, port2 } = new MessageChannel();
    const data: WorkerData = { port: port2, signal, index };
    const worker = new Worker(WORKER, { workerData: data, transferList: [port2], resourceLimits });
    worker.unref();
    return { worker, port: port1, jobs: [] as Job[], families: new Set<string>(), beat: 0, since: Date.now() };
  });
  const pending = [...jobs];
  const mine = new Set<string>();
  let left = jobs.length;
  // a thread takes a flavour of an ABI it read before when one waits (the same header tree: its
  // FileCache has the tokens), else the next job
  const take = (families: Set<string>): Job | undefined => {
    const i = pending.findIndex((j) => families.has(j.family));
    const job = pending.splice(i < 0 ? 0 : i, 1)[0];
    if (job) families.add(job.family);
    return job;
  };
  const fail = (id: number) => {
    on.failed(id);
    left--;
  };
  const give = (w: (typeof workers)[number]) => {
    for (let job = w.jobs.length < DEPTH ? take(w.families) : undefined; job;) {
      try {
        w.port.postMessage(job);
        if (!w.jobs.length) w.since = Date.now();
        w.jobs.push(job);
      } catch {
        // an option a structured clone refuses: this thread runs it
        fail(job.id);
      }
      job = w.jobs.length < DEPTH ? take(w.families) : undefined;
    }
  };
  const drain = (): boolean => {
    let got = false;
    for (const w of workers) {
      for (let m = receiveMessageOnPort(w.port); m; m = receiveMessageOnPort(w.port)) {
        got = true;
        const r = m.message as Reply;
        if ('progress' in r) {
          on.progress(r.id, ...r.progress);
          continue;
        }
        w.jobs = w.jobs.filter((j) => j.id !== r.id);
        if ('failed' in r) fail(r.id);
        else {
          on.value(r.id, r.value, r.reads, r.timings);
          left--;
        }
        give(w);
      }
    }
    return got;
  };
  try {
    for (const w of workers) give(w);
    while (left > 0) {
      const seen = Atomics.load(counters, 0);
      if (drain()) continue;
      const job = take(mine);
      if (job) {
        here(job.id);
        left--;
        continue;
      }
      if (left === 0 || Atomics.wait(counters, 0, seen, 1000) !== 'timed-out') continue;
      // no reply for a while: a worker whose header count stands still that long is gone (out of memory)
      const now = Date.now();
      workers.forEach((w, i) => {
        const beat = Atomics.load(counters, 1 + i);
        if (beat !== w.beat || !w.jobs.length) [w.beat, w.since] = [beat, now];
        else if (now - w.since > STALL_MS) {
          void w.worker.terminate();
          for (const j of w.jobs.splice(0)) fail(j.id);
        }
      });
    }
  } finally {
    // a closed port ends its worker (nothing else keeps it alive)
    for (const w of workers) w.port.close();
  }
}

/**
 * One ABI's Dumped as plain data: what check reads of it, the display name of every file its
 * scan read (as that scan named it), the files the given headers resolve to, and its messages
 * shortened (by the scan that read them: the same text this thread's would give).
 */
export type PortableDump = Omit<Dumped, 'layouter' | 'scan'> & {
  scan: Pick<Scan, 'includeDirs' | 'defines' | 'undefines' | 'headers'> & {
    names: Map<string, string>;
    resolved: Map<string, string>;
  };
};

/** A worker's Dumped as plain data (PortableDump); `read`: every path its FileCache has read. */
export function packDumped(d: Dumped, read: Iterable<string>): PortableDump {
  const { scan } = d;
  const names = new Map<string, string>();
  for (const p of read) {
    const c = scan.files.canonical(p);
    if (!names.has(c)) names.set(c, scan.displayName(c));
  }
  for (const u of d.unresolved.values()) u.message = scan.shorten(u.message);
  const resolved = new Map(scan.headers.map((h) => [h, scan.files.canonical(scan.resolve(h))]));
  return {
    result: d.result,
    decls: d.decls,
    foundIn: d.foundIn,
    macroNames: d.macroNames,
    ioctls: d.ioctls,
    unresolved: d.unresolved,
    typedefs: d.typedefs,
    mended: d.mended,
    scan: {
      includeDirs: scan.includeDirs,
      defines: scan.defines,
      undefines: scan.undefines,
      headers: scan.headers,
      names,
      resolved,
    },
  };
}

/** A PortableDump as the Dumped check reads: a Layouter of this thread, the worker's names. */
function unpackDumped(p: PortableDump, abi: Abi, files: FileCache): Dumped {
  const layouter = new Layouter(abi);
  const { names, resolved } = p.scan;
  const scan: Scan = {
    abi,
    includeDirs: p.scan.includeDirs,
    defines: p.scan.defines,
    undefines: p.scan.undefines,
    headers: p.scan.headers,
    layouter,
    // a file no unit read is none of the headers': named as the user gave it, as scan.ts names theirs
    displayName: (file) => names.get(file) ?? asGiven(file),
    shorten: (message) => message,
    files,
    // the worker's memos stay there: a unit made here expands its includes
    memos: undefined,
    shareChunks: false,
    resolve: (header) => resolved.get(header) ?? resolvePath(header),
    each: () => {
      throw new Error(`the scan of ${abi.name} ran in a worker thread: its units are not here`);
    },
  };
  return { ...p, layouter, scan };
}

function asGiven(file: string): string {
  return file.startsWith('/') ? asFound(file) : file;
}
