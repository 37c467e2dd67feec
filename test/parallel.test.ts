/**
 * Both cores (src/scan/parallel.ts): the ABIs' work in worker threads gives the same bytes as
 * one thread — the whole UAPI set of three ABIs dumped, and check over pairs of them —, a
 * worker's error is the one thread's, and progress and timings come back. The workers run the
 * build (dist/): `npm run build` first, as `npm test` does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { FileCache } from '../src/cfront/preprocess.js';
import { check } from '../src/compat/check.js';
import { UsageError } from '../src/errors.js';
import { dumpEach, forEachDump, threadsFor } from '../src/scan/parallel.js';
import type { ScanOptions, ScanTimings } from '../src/scan/scan.js';

const THREE = ['x86_64', 'i386', 'arm'].map(getAbi);
/** One FileCache for the ABIs of a run, as check and the bench share one. */
const shared = (extra: Partial<ScanOptions> = {}): ScanOptions[] => {
  const files = new FileCache();
  return THREE.map((abi) => ({ abi, files, ...extra }));
};

describe('one thread against several, byte for byte', () => {
  test('the whole UAPI set of x86_64, i386 and arm dumped', () => {
    const one = dumpEach(shared(), { threads: 1 });
    const two = dumpEach(shared(), { threads: 2 });
    const three = dumpEach(shared(), { threads: 3 });
    for (let i = 0; i < THREE.length; i++) {
      // the sets are large: a real run, not an empty one
      expect(Object.keys(one[i]!.ioctls).length).toBeGreaterThan(1000);
      expect(JSON.stringify(two[i]), THREE[i]!.name).toBe(JSON.stringify(one[i]));
      expect(JSON.stringify(three[i]), THREE[i]!.name).toBe(JSON.stringify(one[i]));
    }
  });

  test('check of the whole UAPI set over x86_64:i386 and arm64:arm (the declarations cross threads)', () => {
    const pairs = [
      { native: getAbi('x86_64'), compat: getAbi('i386') },
      { native: getAbi('arm64'), compat: getAbi('arm') },
    ];
    const one = check({ pairs, scan: {}, threads: 1 });
    const two = check({ pairs, scan: {}, threads: 2 });
    expect(one.pairs.every((p) => p.ioctls.length > 1000)).toBe(true);
    expect(JSON.stringify(two.pairs)).toBe(JSON.stringify(one.pairs));
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });

  test("check of a driver's header with lint, every pair of x86_64 (names, lint's fixes, own files)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-parallel-'));
    const header = join(dir, 'pardrv.h');
    writeFileSync(
      header,
      '#include <linux/types.h>\n#include <linux/ioctl.h>\n#include <linux/kvm.h>\n' +
        'struct pardrv_req { __u32 flags; __u64 addr; long len; void *buf; struct kvm_dirty_log log; };\n' +
        "#define PARDRV_GET _IOWR('M', 1, struct pardrv_req)\n#define PARDRV_SET _IOW('M', 2, __u64)\n" +
        "#define PARDRV_NONE _IOW('M', 3, struct pardrv_missing)\n",
    );
    const pairs = ['i386', 'i386+t64', 'x32'].map((c) => ({ native: getAbi('x86_64'), compat: getAbi(c) }));
    const one = check({ pairs, scan: { headers: [header] }, lint: true, threads: 1 });
    const two = check({ pairs, scan: { headers: [header] }, lint: true, threads: 2 });
    expect(one.findings.length).toBeGreaterThan(0);
    expect(one.pairs[0]!.ioctls.map((v) => v.name).sort()).toEqual(['PARDRV_GET', 'PARDRV_NONE', 'PARDRV_SET']);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });
});

test("a worker's error is the one thread's: the first ABI's in order, of its class", () => {
  const list = (): ScanOptions[] => [
    { abi: getAbi('x86_64'), headers: ['linux/ioctl.h'] },
    { abi: getAbi('i386'), headers: ['linux/ioctl.h'], kernelTree: '/nonexistent/kernel' },
    { abi: getAbi('arm'), headers: ['linux/ioctl.h'], sysroot: '/nonexistent/sysroot' },
  ];
  const thrown = (threads: number) => {
    try {
      dumpEach(list(), { threads });
    } catch (e) {
      return e;
    }
    return undefined;
  };
  const one = thrown(1);
  const two = thrown(2);
  expect(one).toBeInstanceOf(UsageError);
  expect(two).toBeInstanceOf(UsageError);
  expect((two as Error).message).toBe((one as Error).message);
});

test('progress per ABI and timings come back from the workers', () => {
  const run = (threads: number) => {
    const calls = new Map<string, string[]>();
    const timings: ScanTimings = { preprocess: 0, parse: 0, records: 0, catalogue: 0 };
    const list = THREE.map((abi) => ({
      abi,
      headers: ['linux/kvm.h', 'linux/fs.h', 'sound/asound.h'],
      timings,
      onProgress: (done: number, total: number, header: string) =>
        calls.set(abi.name, [...(calls.get(abi.name) ?? []), `${done}/${total} ${header}`]),
    }));
    const seen: number[] = [];
    forEachDump(list, (i) => seen.push(i), { threads });
    return { calls: Object.fromEntries(calls), timings, seen: seen.sort() };
  };
  const one = run(1);
  const two = run(2);
  expect(two.calls).toEqual(one.calls);
  expect(one.calls['arm']).toEqual(['0/3 linux/kvm.h', '1/3 linux/fs.h', '2/3 sound/asound.h', '3/3 ']);
  expect(two.seen).toEqual([0, 1, 2]);
  expect(two.timings.preprocess).toBeGreaterThan(0);
  expect(two.timings.catalogue).toBeGreaterThan(0);
});

test('threads: the option, else IOCTL32_THREADS, never more than the jobs', () => {
  const before = process.env.IOCTL32_THREADS;
  try {
    process.env.IOCTL32_THREADS = '1';
    expect(threadsFor(29)).toBe(1);
    expect(threadsFor(29, 2)).toBe(2);
    process.env.IOCTL32_THREADS = '8';
    expect(threadsFor(3)).toBe(3);
    expect(threadsFor(1, 4)).toBe(1);
  } finally {
    if (before === undefined) delete process.env.IOCTL32_THREADS;
    else process.env.IOCTL32_THREADS = before;
  }
});

test('the CLI (the build, two cores) and IOCTL32_THREADS=1 print the same check', () => {
  const cli = resolve('dist/cli/main.cjs');
  const run = (threads: string) =>
    spawnSync('node', [cli, '--no-cache', 'check', '--format', 'json', '--pair', 'x86_64:i386', 'linux/kvm.h'], {
      env: { ...process.env, IOCTL32_THREADS: threads },
      encoding: 'utf8',
    });
  const one = run('1');
  const two = run('2');
  expect(one.stdout.length).toBeGreaterThan(1000);
  expect([two.stdout, two.stderr, two.status]).toEqual([one.stdout, one.stderr, one.status]);
});
