/**
 * A worker thread of src/scan/parallel.ts: dumps one ABI per job it is sent, and replies with
 * plain data. One FileCache for all its jobs, as one thread keeps one for every ABI it reads.
 */
import { workerData } from 'node:worker_threads';
import { getAbi } from '../abi/index.js';
import { FileCache } from '../cfront/preprocess.js';
import { readsOf } from './cache.js';
import { dumpHeaders } from './dump.js';
import { packDumped, type Job, type Reply, type WorkerData } from './parallel.js';
import type { ScanTimings } from './scan.js';

const { port, signal, index } = workerData as WorkerData;
const counters = new Int32Array(signal);
const files = new FileCache();
/** Every path the FileCache has read (the files whose display names a PortableDump carries). */
const read = new Set<string>();
const get = files.get.bind(files);
files.get = (path: string) => {
  const f = get(path);
  if (f !== null) read.add(path);
  return f;
};

function post(reply: Reply): void {
  port.postMessage(reply);
  Atomics.add(counters, 0, 1);
  Atomics.notify(counters, 0);
}

function run(job: Job): Reply {
  const abi = getAbi(job.abi);
  const timings: ScanTimings | undefined = job.timings
    ? { preprocess: 0, parse: 0, records: 0, catalogue: 0 }
    : undefined;
  const onProgress = (done: number, total: number, header: string) => {
    // alive: the caller's thread takes a worker whose count stands still for long as gone
    Atomics.add(counters, 1 + index, 1);
    if (job.progress) post({ id: job.id, progress: [done, total, header] });
  };
  const { value: d, reads } = readsOf(() =>
    dumpHeaders({ ...job.opts, abi, files, onProgress, ...(timings ? { timings } : {}) }),
  );
  const value = job.kind === 'dump' ? d.result : packDumped(d, read);
  return timings ? { id: job.id, value, reads, timings } : { id: job.id, value, reads };
}

port.on('message', (job: Job) => {
  let reply: Reply;
  try {
    reply = run(job);
  } catch (e) {
    // the caller runs the job again in its own thread, where the error is thrown as it is
    reply = { id: job.id, failed: e instanceof Error ? e.message : String(e) };
  }
  try {
    post(reply);
  } catch (e) {
    // a value a structured clone refuses: the caller's thread computes it
    post({ id: job.id, failed: e instanceof Error ? e.message : String(e) });
  }
});
