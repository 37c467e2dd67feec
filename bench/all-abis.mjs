// Every ABI's UAPI set dumped in this one process; prints {seconds, cpuSeconds, rssMb, threads, first, later}
// as JSON: `first` and `later` are the milliseconds per stage of the first ABI and of all the others;
// cpuSeconds is the process's CPU time, every thread's (V8's collector and compiler threads too).
// The ABIs go to worker threads (src/scan/parallel.ts: one per core, IOCTL32_THREADS=N sets it),
// this thread one of them; each thread keeps one FileCache: its ABIs' header trees share the
// tokens of the files they have in common (same name, same text), each dump's include memos go
// with it. maxRSS is the process's: every thread's memory together.
import { ABIS } from '../dist/abi/index.js';
import { FileCache } from '../dist/cfront/index.js';
import { boundHeapGrowth, forEachDump, threadsFor } from '../dist/scan/parallel.js';

// as the CLI runs: the heap grows by half its live set between full collections (src/scan/parallel.ts)
boundHeapGrowth();

const stages = () => ({ preprocess: 0, parse: 0, records: 0, catalogue: 0 });
const first = stages();
const later = stages();
const t0 = process.hrtime.bigint();
const files = new FileCache();
const list = ABIS.map((abi) => ({
  abi,
  sysroot: `/usr/${abi.headerTriple}`,
  files,
  timings: abi === ABIS[0] ? first : later,
}));
// the results are dropped as they come: the figure is the dumps' cost, not holding 29 results
forEachDump(list, () => {});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage();
const round = (t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)]));
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssMb: process.resourceUsage().maxRSS / 1024,
    threads: threadsFor(ABIS.length),
    first: round(first),
    later: round(later),
  }),
);
