/**
 * Runs replayed (src/cli/replay.cts): a command run again prints what the first run printed and
 * exits as it did, without the program, while every file and directory the first run consulted is
 * as it was — an edited header, a header that now shadows one found before, an edited annotations
 * file and a rebuilt ioctl32 each make the run again; a run that consulted a file changed just
 * before it is not kept; --no-cache neither replays nor records.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'ioctl32-replay-test-'));
const cache = join(root, 'cache');
const CLI = resolve('dist/cli/main.cjs');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const results = () => (existsSync(join(cache, 'results')) ? readdirSync(join(cache, 'results')) : []);
/** Entries of one kind: `run-` (replays) or `check-` (the program's result cache). */
const kind = (k: string) => results().filter((f) => f.startsWith(k));
const clearChecks = () => kind('check-').forEach((f) => rmSync(join(cache, 'results', f)));
const run = (...args: string[]) => {
  const r = spawnSync('node', [CLI, ...args], {
    env: { ...process.env, IOCTL32_CACHE: cache },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
};
/** Files written this recently make a run racy (RACY_MS): the tests wait past it before a run they keep. */
const settle = () => new Promise((r) => setTimeout(r, 2100));

const front = join(root, 'front');
const back = join(root, 'back');
const header = join(root, 'drv.h');
const ann = join(root, 'ann.json');
const args = ['check', '--pair', 'x86_64:i386', '-I', front, '-I', back, '--annotations', ann, '--format', 'json'];
const verdictOf = (r: { stdout: string }) =>
  (JSON.parse(r.stdout) as { pairs: Array<{ ioctls: Array<{ verdict: string }> }> }).pairs[0]!.ioctls[0]!.verdict;

test('a repeated check is replayed while nothing it read changed, and made again when anything did', async () => {
  mkdirSync(join(back, 'drv'), { recursive: true });
  mkdirSync(front, { recursive: true });
  writeFileSync(join(back, 'drv/types.h'), 'struct drv_req { __u64 p; };\n');
  writeFileSync(
    header,
    "#include <linux/ioctl.h>\n#include <linux/types.h>\n#include <drv/types.h>\n#define DRV_SET _IOW('x', 1, struct drv_req)\n",
  );
  writeFileSync(ann, '{}');
  // the cache directory is inside the directory of the header: made now, not by the first run
  mkdirSync(join(cache, 'results'), { recursive: true });
  await settle();
  const uncached = run('--no-cache', ...args, header);
  expect(results()).toEqual([]);
  const first = run(...args, header);
  expect(kind('run-')).toHaveLength(1);
  expect(verdictOf(first)).toBe('identical');
  // replayed: the same output and status, and the program did not run (its result cache is not written again)
  clearChecks();
  const again = run(...args, header);
  expect(again).toEqual(first);
  expect(again).toEqual(uncached);
  expect(kind('check-')).toEqual([]);
  // an argument differs: another run
  const text = run(...args.filter((a) => a !== '--format' && a !== 'json'), header);
  expect(text.stdout).toMatch(/^x86_64 <- i386: 1 ioctls/);
  expect(kind('run-')).toHaveLength(2);

  // the header included changes: made again
  writeFileSync(join(back, 'drv/types.h'), 'struct drv_req { long p; };\n');
  expect(verdictOf(run(...args, header))).toBe('convert');
  // a header that shadows the one found before (a path once missing): made again
  mkdirSync(join(front, 'drv'));
  writeFileSync(join(front, 'drv/types.h'), 'struct drv_req { __u64 p; };\n');
  expect(verdictOf(run(...args, header))).toBe('identical');
  // the annotations file changes: made again
  writeFileSync(ann, '{"records":{"struct drv_req":{"p":{"kind":"user-pointer"}}}}');
  expect(verdictOf(run(...args, header))).toBe('pointer-inside');
  // every one of those runs consulted a file changed within RACY_MS: none was kept for a replay
  expect(kind('run-')).toHaveLength(2);
  await settle();
  clearChecks();
  const kept = run(...args, header);
  expect(kind('check-')).toHaveLength(1);
  clearChecks();
  expect(run(...args, header)).toEqual(kept);
  expect(kind('check-')).toEqual([]);
});

test('--no-cache neither replays nor records; a failing run is replayed with its status and message', async () => {
  const missing = join(root, 'no-such.h');
  await settle();
  const failed = run('check', missing);
  expect(failed.status).toBe(2);
  expect(failed.stderr).toContain('no-such.h');
  const before = kind('run-').length;
  expect(run('check', missing)).toEqual(failed);
  // the header appears: its directory changed, so the run is made again
  writeFileSync(missing, "#include <linux/ioctl.h>\n#define NS_GET _IOR('x', 2, int)\n");
  const now = run('check', missing);
  expect(now.status).toBe(0);
  expect(now.stdout).toMatch(/1 ioctls/);
  const count = kind('run-').length;
  run('--no-cache', 'check', missing);
  expect(kind('run-').length).toBe(count);
  expect(count).toBeGreaterThanOrEqual(before);
});

test('a decode whose header only the index read is made again when that header changes', async () => {
  // the header index opens every header of the tree (openSync, not readFileSync); a number no macro of it has
  // is answered without a unit read by the front end: only the index's open stands for the header
  const inc = join(root, 'decode-inc');
  mkdirSync(join(inc, 'linux'), { recursive: true });
  const mine = join(inc, 'linux/zz-replay.h');
  writeFileSync(mine, "#include <linux/ioctl.h>\n#define ZZ_GET _IOR('q', 6, int)\n");
  await settle();
  const decode = () => run('decode', '--abi', 'x86_64', '-I', inc, '0x80047105');
  const runs = kind('run-').length;
  const first = decode();
  expect(first.stdout).not.toContain('ZZ_GET');
  // kept, and replayed (no other entry made)
  expect(kind('run-')).toHaveLength(runs + 1);
  expect(decode()).toEqual(first);
  expect(kind('run-')).toHaveLength(runs + 1);
  writeFileSync(mine, "#include <linux/ioctl.h>\n#define ZZ_GET _IOR('q', 5, int)\n");
  expect(decode().stdout).toContain('ZZ_GET');
});

test('a header only a worker thread read is made again when it changes', async () => {
  // check of one pair in two threads: the worker takes both ABIs' units, and what it read comes back with its
  // results (into the result cache's entry and the recording); this thread's own calls are watched
  const dir = join(root, 'threads');
  mkdirSync(dir, { recursive: true });
  const only = join(dir, 'only-i386.h');
  const drv = join(dir, 'thr.h');
  writeFileSync(only, 'struct thr_req { int a; };\n');
  writeFileSync(
    drv,
    '#include <linux/ioctl.h>\n#ifdef __i386__\n#include "only-i386.h"\n#else\nstruct thr_req { int a; };\n#endif\n' +
      "#define THR_SET _IOW('x', 9, struct thr_req)\n",
  );
  await settle();
  const threaded = (...extra: string[]) =>
    spawnSync('node', [CLI, ...extra, 'check', '--pair', 'x86_64:i386', '--no-lint', '--format', 'json', drv], {
      env: { ...process.env, IOCTL32_CACHE: cache, IOCTL32_THREADS: '2' },
      encoding: 'utf8',
    });
  const i386 = (r: { stdout: string }) =>
    (JSON.parse(r.stdout) as { pairs: Array<{ compat: string; ioctls: Array<{ verdict: string }> }> }).pairs.find(
      (p) => p.compat === 'i386',
    )!.ioctls[0]!.verdict;
  const runs = kind('run-').length;
  const first = threaded();
  expect(i386(first)).toBe('identical');
  expect(kind('run-')).toHaveLength(runs + 1);
  // replayed: the program did not run
  clearChecks();
  expect(threaded().stdout).toBe(first.stdout);
  expect(kind('check-')).toEqual([]);
  writeFileSync(only, 'struct thr_req { long long a; };\n');
  const changed = threaded();
  expect(i386(changed)).not.toBe('identical');
  expect(changed.stdout).toBe(threaded('--no-cache').stdout);
});

test('a run on a terminal and the same run into a pipe are replayed each as itself', async () => {
  const ANSI = /\x1b\[[0-9;]*m/;
  const base: NodeJS.ProcessEnv = { ...process.env, IOCTL32_CACHE: cache };
  delete base.NO_COLOR;
  const line = `node ${CLI} check --pair x86_64:i386 --no-lint -I ${front} -I ${back} --annotations ${ann} ${header}`;
  // script(1) gives the command a terminal; stderr goes to /dev/null on both
  const onTerminal = () =>
    spawnSync('script', ['-qec', `${line} 2>/dev/null`, '/dev/null'], { env: base }).stdout.toString();
  const intoPipe = () => spawnSync('sh', ['-c', `${line} 2>/dev/null`], { env: base, encoding: 'utf8' }).stdout;
  await settle();
  for (let i = 0; i < 2; i++) {
    expect(onTerminal()).toMatch(ANSI);
    expect(intoPipe()).not.toMatch(ANSI);
  }
  expect(intoPipe()).toMatch(/x86_64 <- i386: 1 ioctls/);
});

test('a reader that goes away ends the output, not the run: no EPIPE thrown, its own exit code', () => {
  // dump's JSON is far larger than a pipe holds: the writes after head exits meet a closed pipe
  const line = (extra: string) =>
    `node ${CLI} ${extra} dump --abi x86_64 linux/videodev2.h | head -c 10 >/dev/null; echo "status \${PIPESTATUS[0]}"`;
  for (const extra of ['--no-cache', '', '']) {
    const r = spawnSync('bash', ['-c', line(extra)], {
      env: { ...process.env, IOCTL32_CACHE: cache },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('status 0\n');
  }
});

test('the whole-UAPI check of the host pairs, replayed, is the uncached run byte for byte', () => {
  const uncached = run('--no-cache', 'check', '--format', 'json');
  const first = run('check', '--format', 'json');
  clearChecks();
  const replayed = run('check', '--format', 'json');
  // replayed: the program did not run
  expect(kind('check-')).toEqual([]);
  expect(uncached.stdout.length).toBeGreaterThan(1_000_000);
  expect([first.stdout, first.stderr, first.status]).toEqual([uncached.stdout, uncached.stderr, uncached.status]);
  expect([replayed.stdout, replayed.stderr, replayed.status]).toEqual([
    uncached.stdout,
    uncached.stderr,
    uncached.status,
  ]);
});
