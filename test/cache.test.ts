/**
 * The result cache between runs (src/scan/cache.ts): a result comes back from it only while every
 * file it read is as it was — an edited header, even one included indirectly, is read again —;
 * the cached whole-UAPI dumps of three ABIs are the uncached ones byte for byte; --no-cache
 * leaves the cache directory alone; the directory stays within its bound.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { cachedResult, noteReads, noteReadsOf, readsOf, setResultCache, startReads } from '../src/scan/cache.js';
import { dump } from '../src/scan/dump.js';

const root = mkdtempSync(join(tmpdir(), 'ioctl32-cache-test-'));
const before = process.env.IOCTL32_CACHE;
const entries = () => (existsSync(join(root, 'cache/results')) ? readdirSync(join(root, 'cache/results')) : []);

beforeAll(() => {
  process.env.IOCTL32_CACHE = join(root, 'cache');
  setResultCache(true);
});
afterAll(() => {
  setResultCache(false);
  if (before === undefined) delete process.env.IOCTL32_CACHE;
  else process.env.IOCTL32_CACHE = before;
  rmSync(root, { recursive: true, force: true });
});

describe('a changed header is read again', () => {
  const x86 = getAbi('x86_64');
  const inc = join(root, 'inc');

  test('the named header, then one it includes', () => {
    // a copy of a header tree: the driver's header and the one it includes
    mkdirSync(join(inc, 'mydrv'), { recursive: true });
    writeFileSync(join(inc, 'mydrv/types.h'), 'struct mydrv_req { int a; int b; };\n');
    writeFileSync(
      join(inc, 'mydrv/mydrv.h'),
      "#include <linux/ioctl.h>\n#include <mydrv/types.h>\n#define MYDRV_GET _IOR('M', 1, struct mydrv_req)\n",
    );
    const opts = { abi: x86, includeDirs: [inc], headers: ['mydrv/mydrv.h'] };
    const first = dump(opts);
    expect(first.ioctls.MYDRV_GET!.size).toBe(8);
    expect(entries()).toHaveLength(1);
    // unchanged: the entry serves, none is added
    expect(dump(opts)).toEqual(first);
    expect(entries()).toHaveLength(1);
    // the header included changes: the answer does
    writeFileSync(join(inc, 'mydrv/types.h'), 'struct mydrv_req { int a; long long b[2]; };\n');
    expect(dump(opts).ioctls.MYDRV_GET!.size).toBe(24);
    // the header named changes
    writeFileSync(
      join(inc, 'mydrv/mydrv.h'),
      "#include <linux/ioctl.h>\n#include <mydrv/types.h>\n#define MYDRV_GET _IOR('M', 2, struct mydrv_req)\n",
    );
    expect(dump(opts).ioctls.MYDRV_GET!.nr).toBe(2);
  });

  test('a header that shadows one found before is read (a path once missing)', () => {
    const opts = { abi: x86, includeDirs: [join(root, 'front'), inc], headers: ['mydrv/mydrv.h'] };
    const was = dump(opts).ioctls.MYDRV_GET!.size;
    expect(was).toBe(24);
    cpSync(join(inc, 'mydrv'), join(root, 'front/mydrv'), { recursive: true });
    writeFileSync(join(root, 'front/mydrv/types.h'), 'struct mydrv_req { char c; };\n');
    expect(dump(opts).ioctls.MYDRV_GET!.size).toBe(1);
  });
});

test('cached and uncached whole-UAPI dumps of three ABIs are the same bytes', () => {
  for (const name of ['x86_64', 'i386', 'arm']) {
    const abi = getAbi(name);
    const computed = JSON.stringify(dump({ abi }), null, 1);
    const cached = JSON.stringify(dump({ abi }), null, 1);
    setResultCache(false);
    const uncached = JSON.stringify(dump({ abi }), null, 1);
    setResultCache(true);
    expect(cached.length).toBeGreaterThan(100_000);
    expect(cached === uncached && computed === uncached).toBe(true);
  }
});

test('the directory stays within its bound: the least recently used entries go', () => {
  const max = process.env.IOCTL32_CACHE_MB;
  process.env.IOCTL32_CACHE_MB = String(4096 / 2 ** 20);
  try {
    for (let i = 0; i < 8; i++)
      cachedResult(
        'bound',
        i,
        () => 'x'.repeat(1000),
        () => [],
      );
    const left = entries().filter((e) => e.startsWith('bound-'));
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(5);
    // the newest is kept
    let computed = false;
    cachedResult(
      'bound',
      7,
      () => ((computed = true), 'x'.repeat(1000)),
      () => [],
    );
    expect(computed).toBe(false);
  } finally {
    if (max === undefined) delete process.env.IOCTL32_CACHE_MB;
    else process.env.IOCTL32_CACHE_MB = max;
  }
});

test('--no-cache reads and writes nothing of the result cache', () => {
  const cache = join(root, 'cli-cache');
  const cli = resolve('dist/cli/main.cjs');
  const run = (...args: string[]) =>
    spawnSync('node', [cli, ...args], { env: { ...process.env, IOCTL32_CACHE: cache }, encoding: 'utf8' });
  const header = join(root, 'inc/mydrv/mydrv.h');
  const off = run('--no-cache', 'dump', '--abi', 'x86_64', '-I', join(root, 'inc'), header);
  expect(off.status).toBe(0);
  expect(existsSync(join(cache, 'results'))).toBe(false);
  const on = run('dump', '--abi', 'x86_64', '-I', join(root, 'inc'), header);
  expect(on.stdout).toBe(off.stdout);
  // the dump's entry (and the run's, for a replay: test/replay.test.ts)
  const dumps = readdirSync(join(cache, 'results')).filter((f) => f.startsWith('dump-'));
  expect(dumps).toHaveLength(1);
  expect(JSON.parse(readFileSync(join(cache, 'results', dumps[0]!), 'utf8')).format).toBe(2);
});

test('decode from the cache names what the headers define now', async () => {
  const cache = join(root, 'decode-cache');
  const inc = join(root, 'decode-inc');
  mkdirSync(join(inc, 'linux'), { recursive: true });
  mkdirSync(join(cache, 'results'), { recursive: true });
  const header = join(inc, 'linux/h18drv.h');
  const cli = resolve('dist/cli/main.cjs');
  const decode = () =>
    spawnSync('node', [cli, 'decode', '--abi', 'x86_64', '-I', inc, '--json', '0x80047877'], {
      env: { ...process.env, IOCTL32_CACHE: cache },
      encoding: 'utf8',
    });
  const names = () => (JSON.parse(decode().stdout) as Array<{ names: string[] }>)[0]!.names;
  writeFileSync(header, "#include <linux/ioctl.h>\n#define H18_GET _IOR('x', 0x77, int)\n");
  // a decode is kept as a run to replay (src/cli/replay.cts), once its files are older than a racy stamp
  await new Promise((r) => setTimeout(r, 2100));
  expect(names()).toEqual(['H18_GET']);
  expect(readdirSync(join(cache, 'results')).filter((f) => f.startsWith('run-'))).toHaveLength(1);
  expect(names()).toEqual(['H18_GET']);
  writeFileSync(header, "#include <linux/ioctl.h>\n#define H18_READ _IOR('x', 0x77, int)\n");
  expect(names()).toEqual(['H18_READ']);
});

test('check from the cache: the same text, JSON and SARIF; an edited header or annotations file is read again', () => {
  const cache = join(root, 'check-cache');
  const dir = join(root, 'check-inc');
  mkdirSync(dir, { recursive: true });
  const header = join(dir, 'h18chk.h');
  const ann = join(dir, 'ann.json');
  const cli = resolve('dist/cli/main.cjs');
  // `--no-cache` is the program's option, the rest the command's
  const check = (...args: string[]) =>
    spawnSync(
      'node',
      [
        cli,
        ...args.filter((a) => a === '--no-cache'),
        'check',
        ...args.filter((a) => a !== '--no-cache'),
        '--pair',
        'x86_64:i386',
        '--annotations',
        ann,
        header,
      ],
      {
        env: { ...process.env, IOCTL32_CACHE: cache, NO_COLOR: '1' },
        encoding: 'utf8',
      },
    );
  writeFileSync(
    header,
    "#include <linux/ioctl.h>\n#include <linux/types.h>\nstruct h18 { __u64 p; };\n#define H18_SET _IOW('x', 1, struct h18)\n",
  );
  writeFileSync(ann, '{}');
  for (const format of ['text', 'json', 'sarif']) {
    const uncached = check('--no-cache', '--format', format);
    const first = check('--format', format);
    const again = check('--format', format);
    expect([first.stdout, again.stdout, again.status]).toEqual([uncached.stdout, uncached.stdout, uncached.status]);
  }
  expect(readdirSync(join(cache, 'results')).some((f) => f.startsWith('check-'))).toBe(true);
  const verdict = () => (JSON.parse(check('--format', 'json').stdout) as CheckJson).pairs[0]!.ioctls[0]!.verdict;
  expect(verdict()).toBe('identical');
  // the annotations file is part of what was asked
  writeFileSync(ann, '{"records":{"struct h18":{"p":{"kind":"user-pointer"}}}}');
  expect(verdict()).toBe('pointer-inside');
  // so is every header the run read
  writeFileSync(
    header,
    "#include <linux/ioctl.h>\n#include <linux/types.h>\nstruct h18 { long p; };\n#define H18_SET _IOW('x', 1, struct h18)\n",
  );
  writeFileSync(ann, '{}');
  expect(verdict()).toBe('convert');
});

interface CheckJson {
  pairs: Array<{ ioctls: Array<{ verdict: string }> }>;
}

test('reads noted: this thread’s and other threads’; a session that watches its own: the others’', () => {
  const others = startReads({ othersOnly: true });
  const all = startReads();
  // this thread's read, and a worker's (readsOf's) handed over
  noteReads([['/here.h', true]]);
  const { reads } = readsOf(() => noteReads([['/there.h', false]]));
  noteReadsOf(reads);
  expect(all().files).toEqual([
    ['/here.h', true],
    ['/there.h', false],
  ]);
  expect(others().files).toEqual([['/there.h', false]]);
  // stopped: nothing more comes
  noteReads([['/later.h', true]]);
  expect(all().files).toHaveLength(2);
});
