#!/usr/bin/env node
// Benchmarks, as ratios against a baseline measured in the same run (never a timed test).
// The machines are shared and noisy (runs of the same build differ by 25%): each side is run
// five times; a ratio is of the best runs, and the medians' ratio is printed beside it.
//  1. `ioctl32 dump --abi x86_64` over the whole UAPI set (the command as a user runs it, node's
//     start and the JSON output included) vs clang-16 -fsyntax-only on one translation unit
//     including the same headers (target <= 3, aim <= 2: issue 18 item 4);
//  2. every ABI dumped in one process, in worker threads (one per core), vs that clang run repeated
//     per ABI (target <= 2, issue 18 item 5), and in one thread (IOCTL32_THREADS=1) beside it;
//  3. peak RSS of (2), every thread's memory together (target <= 500 MB);
//  4. `check --kernel-tree K --arch all` of one driver header (every pair of every native ABI, the
//     UAPI headers from a kernel tree) vs `check` of the same header on x86_64's pairs over the
//     installed headers: the commands as a user runs them (target <= 5), and the work alone in this
//     process beside them.
//  5. a user's first `decode X` over every ABI and `convert --type long`, each with an empty cache
//     (the header index: only the units that may define the number or type; a number of no ioctl and
//     one with two names), vs the clang run of
//     (1) (target <= 10); a repeated whole-UAPI `check` (and `dump`) with a warm cache vs the same
//     (target <= 0.5).
// Beside (1), a floor (bench/floor.mjs): the same headers preprocessed once as a single
// translation unit by a fresh process, the least any design of the dump pays on this runtime.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ABIS, getAbi } from '../dist/abi/index.js';
import { FileCache, includeDirsFor, BUILTIN_INCLUDE_DIR } from '../dist/cfront/index.js';
import { dump } from '../dist/scan/dump.js';
import { check } from '../dist/compat/check.js';
import { compatPairs } from '../dist/abi/index.js';
import { uapiHeaders } from '../dist/scan/scan.js';
import { defaultKernelTree, kernelSourceTree } from '../dist/cfront/kernel-tree.js';

const dir = mkdtempSync(join(tmpdir(), 'ioctl32-bench-'));
const seconds = (f) => {
  const t0 = process.hrtime.bigint();
  const r = f();
  return [Number(process.hrtime.bigint() - t0) / 1e9, r];
};
/** The best and the median of five timings. */
const spread = (run) => {
  const t = [run(), run(), run(), run(), run()].sort((a, b) => a - b);
  return { best: t[0], median: t[2] };
};
const fmt = (s) => `${s.best.toFixed(2)} s (median ${s.median.toFixed(2)} s)`;
/** Seconds per stage (dumpHeaders' timings, in milliseconds). */
const stages = (t) =>
  Object.entries(t)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
    .join(', ');
const ratio = (a, b) => `${(a.best / b.best).toFixed(2)} (medians: ${(a.median / b.median).toFixed(2)})`;

/** clang-16 -fsyntax-only over one TU that includes every header (errors do not stop it). */
function clangSyntaxOnly(abi, includeDirs) {
  const headers = uapiHeaders(includeDirs);
  const file = join(dir, `all-${abi.name}.c`);
  writeFileSync(file, headers.map((h) => `#include <${h}>`).join('\n') + '\n');
  const target = abi.clangTarget ? [`--target=${abi.clangTarget}`] : null;
  const cc = target ? ['clang-16', ...target] : [abi.gcc.command, ...abi.gcc.flags];
  const dirs = includeDirs.filter((d) => d !== BUILTIN_INCLUDE_DIR).flatMap((d) => ['-isystem', d]);
  const run = () =>
    seconds(() =>
      spawnSync(cc[0], [...cc.slice(1), '-fsyntax-only', '-w', '-ferror-limit=0', ...dirs, file], { stdio: 'ignore' }),
    )[0];
  return { t: spread(run), headers: headers.length, compiler: cc.join(' ') };
}

const x86 = getAbi('x86_64');
const x86dirs = includeDirsFor(x86);
const clang = clangSyntaxOnly(x86, x86dirs);
const cli = new URL('../dist/cli/main.cjs', import.meta.url).pathname;
const runCli = () =>
  seconds(() =>
    // the work, not the result cache of an earlier run
    spawnSync('node', [cli, '--no-cache', 'dump', '--abi', 'x86_64'], { stdio: ['ignore', 'ignore', 'inherit'] }),
  )[0];
const tCli = spread(runCli);
const x86Stages = { preprocess: 0, parse: 0, records: 0, catalogue: 0 };
const [tDump, one] = seconds(() => dump({ abi: x86, timings: x86Stages }));
console.log(
  `dump x86_64: ${one.headers} headers, ${Object.keys(one.records).length} records, ` +
    `${Object.keys(one.ioctls).length} ioctls; the command ${fmt(tCli)} ` +
    `(dump() in this process, cold: ${tDump.toFixed(2)} s: ${stages(x86Stages)})`,
);
console.log(`clang -fsyntax-only, one TU of the same ${clang.headers} headers: ${fmt(clang.t)}`);
console.log(`RATIO dump/clang (x86_64): ${ratio(tCli, clang.t)}  (target <= 3, aim <= 2)`);
// the floor (bench/floor.mjs): one translation unit preprocessed by a fresh process, nothing else
const floorScript = new URL('./floor.mjs', import.meta.url).pathname;
const runFloor = () =>
  seconds(() => spawnSync('node', [floorScript, 'x86_64'], { stdio: ['ignore', 'ignore', 'inherit'] }))[0];
const tFloor = spread(runFloor);
const startOnly = spread(() => seconds(() => spawnSync('node', ['-e', '0'], { stdio: 'ignore' }))[0]);
console.log(
  'FLOOR (x86_64): a fresh node process preprocessing the same headers once, as ONE translation unit ' +
    `(no parse, no layout, no catalogue): ${fmt(tFloor)}, of which node's start ${fmt(startOnly)}`,
);
console.log(
  `RATIO floor/clang (x86_64): ${ratio(tFloor, clang.t)}  ` +
    '(what any dump on this preprocessor and runtime pays at least)',
);

// a user's first `decode` and `convert` (an empty cache): only the units the header index names
/** The command run with an empty cache directory of its own. */
const cold = (args, input) => () => {
  const cache = mkdtempSync(join(tmpdir(), 'ioctl32-cold-'));
  const env = { ...process.env, IOCTL32_CACHE: cache, XDG_CACHE_HOME: cache };
  const stdio = [input === undefined ? 'ignore' : 'pipe', 'ignore', 'inherit'];
  const t = seconds(() => spawnSync('node', [cli, ...args], { stdio, env, input }))[0];
  rmSync(cache, { recursive: true, force: true });
  return t;
};
const tDecode = spread(cold(['decode', '0xc0185617']));
console.log(`cold decode 0xc0185617 over every ABI (${ABIS.length}), an empty cache: ${fmt(tDecode)}`);
console.log(`RATIO cold decode/clang (x86_64 one TU): ${ratio(tDecode, clang.t)}  (target <= 10)`);
// a number that has names (VIDIOC_G_STD, VIDIOC_SUBDEV_G_STD): the units that define them are read on every ABI
const tDecodeHit = spread(cold(['decode', '0x80085617']));
console.log(`cold decode 0x80085617 (two names) over every ABI: ${fmt(tDecodeHit)}`);
console.log(`RATIO cold decode of a named number/clang: ${ratio(tDecodeHit, clang.t)}  (target <= 10)`);
const tConvert = spread(cold(['convert', '--from', 'i386', '--to', 'x86_64', '--type', 'long'], Buffer.alloc(4)));
const tConvertStruct = spread(
  cold(['convert', '--from', 'i386', '--to', 'x86_64', '--type', 'struct termios'], Buffer.alloc(36)),
);
console.log(
  `cold convert --type long: ${fmt(tConvert)}; --type 'struct termios' (no header given): ${fmt(tConvertStruct)}`,
);
console.log(`RATIO cold convert --type long/clang: ${ratio(tConvert, clang.t)}  (no scan: about node's start)`);

// the caches between runs: the same whole-UAPI dump again (src/scan/cache.ts), the same whole-UAPI check again
// (the host's pairs, as `ioctl32 check` runs; a replay of src/cli/replay.cts)
const again = (args) => {
  const warm = mkdtempSync(join(tmpdir(), 'ioctl32-warm-'));
  const runWarm = () =>
    seconds(() =>
      spawnSync('node', [cli, ...args], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, IOCTL32_CACHE: warm },
      }),
    )[0];
  runWarm();
  const t = spread(runWarm);
  rmSync(warm, { recursive: true, force: true });
  return t;
};
const tWarm = again(['dump', '--abi', 'x86_64']);
console.log(`dump --abi x86_64 again (a warm cache): ${fmt(tWarm)}`);
console.log(`RATIO repeated dump/clang (x86_64): ${ratio(tWarm, clang.t)}`);
const tCheckAgain = again(['check']);
console.log(`check (the whole UAPI set, the host's pairs) again: ${fmt(tCheckAgain)}`);
console.log(`RATIO repeated check/clang (x86_64): ${ratio(tCheckAgain, clang.t)}  (target <= 0.5)`);

// 4. ioctl32 check over the same set for x86_64's pairs vs dumping those ABIs (target <= 1.3)
const x86Pairs = compatPairs().filter((p) => p.native.name === 'x86_64');
// best of two runs each: the first of anything pays for the JIT and the collector's moods
const best = (f) => Math.min(seconds(f)[0], seconds(f)[0]);
const tCheck = best(() => check({ pairs: x86Pairs, scan: {}, lint: false }));
const tDumps = best(() => {
  const files = new FileCache();
  for (const abi of [x86, ...x86Pairs.map((p) => p.compat)]) dump({ abi, files });
});
console.log(`check x86_64 pairs: ${tCheck.toFixed(2)} s; dump of the same ABIs: ${tDumps.toFixed(2)} s`);
console.log(`RATIO check/dump: ${(tCheck / tDumps).toFixed(2)}  (target <= 1.3)`);

const tCompilers = { best: 0, median: 0 };
for (const abi of ABIS) {
  const { t } = clangSyntaxOnly(abi, includeDirsFor(abi, { sysroot: `/usr/${abi.headerTriple}` }));
  tCompilers.best += t.best;
  tCompilers.median += t.median;
}
// in a process of its own, so its peak RSS is its own; no heap cap: the heap's growth bounded as the CLI bounds it
const allAbis = (env = process.env) =>
  JSON.parse(
    execFileSync('node', [new URL('./all-abis.mjs', import.meta.url).pathname], {
      encoding: 'utf8',
      env,
    }),
  );
const runs = [allAbis(), allAbis(), allAbis(), allAbis(), allAbis()].sort((a, b) => a.seconds - b.seconds);
const tAll = { best: runs[0].seconds, median: runs[2].seconds };
const rssMb = Math.max(...runs.map((r) => r.rssMb));
// one thread, once: what the workers gain
const single = allAbis({ ...process.env, IOCTL32_THREADS: '1' });
console.log(
  `dump of all ${ABIS.length} ABIs in one process, ${runs[0].threads} threads: ${fmt(tAll)} ` +
    `(one thread, one run: ${single.seconds.toFixed(2)} s, ${single.rssMb.toFixed(0)} MB); ` +
    `the reference compiler once per ABI: ${fmt(tCompilers)}`,
);
console.log(
  `  where the time goes (s, the median run): ${ABIS[0].name}: ${stages(runs[2].first)}; ` +
    `the other ${ABIS.length - 1}: ${stages(runs[2].later)}`,
);
console.log(`RATIO all-ABIs dump/compilers: ${ratio(tAll, tCompilers)}  (target <= 2, with worker threads)`);
console.log(
  `PEAK RSS: ${rssMb.toFixed(0)} MB, every thread together (one thread: ${single.rssMb.toFixed(0)} MB)  ` +
    '(target <= 500)',
);
// the same ABIs as a user meets them: the command (one thread, the heap's growth bounded by the CLI), once
const rssAtExit = new URL('./rss-at-exit.cjs', import.meta.url).pathname;
const archAll = spawnSync('node', ['--require', rssAtExit, cli, '--no-cache', 'check', '--arch', 'all'], {
  encoding: 'utf8',
  stdio: ['ignore', 'ignore', 'pipe'],
});
const archAllMb = Number(/MAXRSS (\d+)/.exec(archAll.stderr)?.[1]) / 1024;
console.log(`PEAK RSS of ioctl32 check --arch all, the command: ${archAllMb.toFixed(0)} MB  (target <= 500)`);
// what two cores can give at most: the work's CPU time (every thread's, the collector's and the JIT's
// included) halved; the compilers are one thread each, their time is their CPU time
const cores = runs[0].threads;
const perAbiMs = (s) => ((s / ABIS.length) * 1000).toFixed(0);
console.log(
  `  CPU time of the best run: ${runs[0].cpuSeconds.toFixed(2)} s, every thread ` +
    `(${perAbiMs(runs[0].cpuSeconds)} ms per ABI; one thread's run: ${single.cpuSeconds.toFixed(2)} s); ` +
    `the compilers: ${perAbiMs(tCompilers.best)} ms per ABI`,
);
console.log(
  `  the least the ratio can be on ${cores} cores at this CPU time: ` +
    `${(runs[0].cpuSeconds / cores / tCompilers.best).toFixed(2)} (CPU / cores / compilers)`,
);

// 4. a driver author's check over a kernel tree, every pair of every architecture
const tree = defaultKernelTree(x86);
if (tree) {
  const source = kernelSourceTree(tree);
  const driver = join(dir, 'mydrv.h');
  writeFileSync(
    driver,
    '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
      'struct mydrv_req { __u32 flags; __u64 addr; long len; void *buf; };\n' +
      "#define MYDRV_GET _IOWR('M', 1, struct mydrv_req)\n#define MYDRV_SET _IOW('M', 2, __u64)\n",
  );
  const once = (pairs, scan) => () =>
    seconds(() => check({ pairs, scan: { headers: [driver], ...scan }, lint: true }))[0];
  const tTree = spread(once(compatPairs(), { kernelTree: source }));
  const tHost = spread(
    once(
      compatPairs().filter((p) => p.native.name === 'x86_64'),
      {},
    ),
  );
  console.log(
    `check of one driver header: --kernel-tree ${source} --arch all (${compatPairs().length} pairs) ${fmt(tTree)}; ` +
      `x86_64's pairs over the installed headers ${fmt(tHost)}`,
  );
  console.log(`RATIO check --kernel-tree --arch all / x86_64 pairs, the work: ${ratio(tTree, tHost)}`);
  // the commands as a user runs them (node's start included), without the caches between runs
  const command = (args) => () =>
    seconds(() => spawnSync('node', [cli, '--no-cache', 'check', ...args, driver], { stdio: 'ignore' }))[0];
  const cTree = spread(command(['--kernel-tree', source, '--arch', 'all']));
  const cHost = spread(command([]));
  console.log(`the commands: ioctl32 check --kernel-tree --arch all ${fmt(cTree)}; ioctl32 check ${fmt(cHost)}`);
  console.log(
    `RATIO check --kernel-tree --arch all / x86_64 pairs, the commands: ${ratio(cTree, cHost)}  (target <= 5)`,
  );
} else console.log('no kernel build tree installed (linux-headers-amd64): the --kernel-tree ratio is not measured');
