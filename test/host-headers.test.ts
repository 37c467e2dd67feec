/**
 * Headers where users keep them (issue 14): -I and --sysroot for one ABI (ABI=DIR), every pair at
 * once (--arch all), the host's DRM headers where Debian puts them (their numbers against clang's),
 * one line naming the package when an ABI's libc part is missing, and s390's and sparc's 32-bit
 * libcs installed (the UAPI differential compares the headers that need them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compatPairs, getAbi } from '../src/abi/index.js';
import { BUILTIN_INCLUDE_DIR, includeDirsFor } from '../src/cfront/index.js';
import { HOST_DRM_SOURCES, hostDrmDir } from '../src/cfront/host-drm.js';
import { missingParts } from '../src/scan/coverage.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { compileObject } from './harness/compile.js';
import { u32Array } from './harness/elf.js';
import { compilerIncludeArgs, headerAcceptance, uapiIncludeDir } from './harness/uapi.js';

const BIN = resolve('dist/cli/main.cjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): Run {
  const env = { ...process.env, NO_COLOR: '1' };
  const r = spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env, maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-host-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

interface CheckJson {
  pairs: Array<{ native: string; compat: string; ioctls: Array<{ name: string; header: string; verdict: string }> }>;
  summary: {
    coverage?: Record<string, { headers: number; read: number; families: string[] }>;
    missing: Array<{ part: string; abis: string[]; packages: string[]; headers: string[]; message: string }>;
  };
  failed: Record<string, Record<string, string>>;
}

// a driver header whose argument's member type comes from drvtypes.h: int in a/, long long in b/
const DRIVER = tree({
  'drv.h':
    '#include <linux/ioctl.h>\n#include <drvtypes.h>\nstruct drv_req { drv_t v; };\n' +
    "#define DRV_GET _IOR('d', 1, struct drv_req)\n",
  'a/drvtypes.h': 'typedef int drv_t;\n',
  'b/drvtypes.h': 'typedef long long drv_t;\n',
  'sr/usr/include/mine.h': 'struct mine { char c[3]; };\n',
});

describe('-I ABI=DIR and --sysroot ABI=DIR apply to that ABI only', () => {
  const size = (abi: string, ...opts: string[]) => {
    const r = cli(['dump', '--abi', abi, ...opts, './drv.h'], DRIVER);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { records: Record<string, { size: number }> }).records['struct drv_req']!.size;
  };
  test('dump: the ABI named searches its own directory first, the others only the plain one', () => {
    expect(size('x86_64', '-I', 'a', '-I', 'i386=b')).toBe(4);
    expect(size('i386', '-I', 'a', '-I', 'i386=b')).toBe(8);
    expect(size('i386', '-I', 'x86_64=b', '-I', 'a')).toBe(4);
    expect(size('x86_64', '-I', 'x86_64=b', '-I', 'a')).toBe(8);
    // a flavour is its ABI built with other options: i386=DIR serves i386+t64 unless it has its own
    expect(size('i386+t64', '-I', 'a', '-I', 'i386=b')).toBe(8);
    expect(size('i386+t64', '-I', 'i386=a', '-I', 'i386+t64=b')).toBe(8);
    expect(size('i386', '-I', 'i386+t64=b', '-I', 'a')).toBe(4);
  });
  test('check: a pair over two trees', () => {
    const verdict = (...opts: string[]) => {
      const r = cli(['check', '--pair', 'x86_64:i386', '--format', 'json', '--no-lint', ...opts, './drv.h'], DRIVER);
      return (JSON.parse(r.stdout) as CheckJson).pairs[0]!.ioctls[0]!.verdict;
    };
    expect(verdict('-I', 'a')).toBe('identical');
    expect(verdict('-I', 'a', '-I', 'i386=b')).toBe('convert');
  });
  test('--sysroot ABI=DIR: that ABI reads DIR, and a plain --sysroot after it does not override it', () => {
    const mine = (abi: string, code: number) => {
      const r = cli(
        ['dump', '--abi', abi, '--sysroot', 'i386=sr', '--sysroot', '/usr/i686-linux-gnu', 'mine.h'],
        DRIVER,
      );
      expect(r.code, r.stderr).toBe(code);
      return JSON.parse(r.stdout) as { records: Record<string, unknown>; failed: Record<string, string> };
    };
    expect(mine('i386', 0).records['struct mine']).toMatchObject({ size: 3 });
    // the header named is not found on x86_64: listed under failed, and the run fails
    expect(mine('x86_64', 1).failed['mine.h']).toMatch(/file not found/);
  });
  test('an ABI that does not exist is a usage error, for every command that reads headers', () => {
    for (const args of [
      ['dump', '--abi', 'x86_64', '-I', 'nosuch=a', './drv.h'],
      ['check', '--sysroot', 'i387=sr', './drv.h'],
      ['layout', '--sysroot', 'i387=sr', './drv.h'],
      ['gen', 'c', '-I', 'nosuch=a', './drv.h'],
      ['convert', '--from', 'i386', '--to', 'x86_64', '--type', 'int', '-I', 'nosuch=a'],
      ['decode', '0x1234', '--sysroot', 'nosuch=sr'],
      ['explain', '0x1234', '-I', 'nosuch=a'],
    ]) {
      const r = cli(args, DRIVER);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/(-I|--sysroot) (nosuch|i387)=\w+: unknown ABI '(nosuch|i387)'/);
    }
  });
});

describe('--arch all: every compat pair of every native ABI', () => {
  test('check gives every pair', () => {
    const r = cli(['check', '--arch', 'all', '--format', 'json', '--no-lint', '-I', 'a', './drv.h'], DRIVER);
    expect(r.code, r.stderr).toBe(0);
    const pairs = (JSON.parse(r.stdout) as CheckJson).pairs;
    expect(pairs.map((p) => `${p.native}:${p.compat}`)).toEqual(
      compatPairs().map((p) => `${p.native.name}:${p.compat.name}`),
    );
    for (const p of pairs) expect(p.ioctls.map((i) => i.verdict)).toEqual(['identical']);
  });
  test('gen c writes one file per native ABI into --out-dir, and needs it', () => {
    const refused = cli(['gen', 'c', '--arch', 'all', '-I', 'b', './drv.h'], DRIVER);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/--arch all makes one file per native ABI: give --out-dir DIR/);
    const out = join(DRIVER, 'gen');
    const r = cli(['gen', 'c', '--arch', 'all', '--out-dir', out, '-I', 'b', './drv.h'], DRIVER);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const natives = [...new Set(compatPairs().map((p) => p.native.name))];
    expect(readdirSync(out).sort()).toEqual(natives.map((n) => `${n}.c`).sort());
  });
});

/** Every ioctl of the DRM headers read on `abi`, by ioctl32 and by clang over the same include directories. */
async function drmNumbers(abi: string, drmDir?: string): Promise<{ ours: Map<string, number>; clang: number[] }> {
  const a = getAbi(abi);
  const extra = drmDir === undefined ? [] : [drmDir];
  const headers = readdirSync(join(drmDir ?? hostDrmDir() ?? '/usr/include', 'drm')).map((h) => `drm/${h}`);
  const d = dumpHeaders({ abi: a, headers, includeDirs: extra });
  const ours = new Map<string, number>();
  for (const [name, io] of Object.entries(d.result.ioctls)) if (io.header.startsWith('drm/')) ours.set(name, io.cmd);
  const read = headers.filter((h) => !Object.hasOwn(d.result.failed, h));
  const source =
    read.map((h) => `#include <${h}>`).join('\n') +
    `\nconst unsigned int ioctl32_drm[] = { ${[...ours.keys()].join(', ')} };\n`;
  // the compiler's own headers, then exactly the directories ioctl32 searched
  const builtin = (await compilerIncludeArgs(a)).slice(0, 3);
  const dirs = [...extra, ...includeDirsFor(a)].filter((x) => x !== BUILTIN_INCLUDE_DIR);
  const obj = await compileObject(a, source, [...builtin, ...dirs.flatMap((x) => ['-isystem', x])]);
  return { ours, clang: u32Array(obj, 'ioctl32_drm') };
}

const host = process.platform === 'linux' && process.arch === 'x64';
const hostDrm = host && HOST_DRM_SOURCES.some((s) => existsSync(join(s.dir, 'drm.h')));

describe.runIf(hostDrm)("the host's DRM headers (libdrm-dev, linux-libc-dev-amd64-cross)", () => {
  test('the default set has them: check finds the DRM ioctls and says drm was read', () => {
    const r = cli(['check', '--pair', 'x86_64:i386', '--format', 'json'], DRIVER);
    const report = JSON.parse(r.stdout) as CheckJson;
    const names = new Set(report.pairs[0]!.ioctls.map((i) => i.name));
    for (const n of [
      'DRM_IOCTL_VERSION',
      'DRM_IOCTL_MODE_ADDFB2',
      'DRM_IOCTL_MODE_GETRESOURCES',
      'DRM_IOCTL_GEM_CLOSE',
    ])
      expect(names, n).toContain(n);
    expect(report.pairs[0]!.ioctls.find((i) => i.name === 'DRM_IOCTL_VERSION')!.header).toBe('drm/drm.h');
    expect(report.summary.coverage!.x86_64!.families).toContain('drm');
    expect(report.summary.coverage!.i386!.families).toContain('drm');
    expect(report.summary.missing.filter((m) => m.part === 'drm')).toEqual([]);
  });
  test.each(['x86_64', 'i386'])('%s: every DRM ioctl number equals clang-16 over the same headers', async (abi) => {
    const { ours, clang } = await drmNumbers(abi);
    expect(ours.size).toBeGreaterThan(300);
    expect(clang).toEqual([...ours.values()]);
  });
  test.runIf(existsSync('/usr/include/libdrm/drm.h'))("libdrm-dev's copies, as drm/NAME.h, equal clang's", async () => {
    const dir = hostDrmDir(HOST_DRM_SOURCES.filter((s) => s.package === 'libdrm-dev'));
    expect(dir).not.toBeNull();
    const { ours, clang } = await drmNumbers('x86_64', dir!);
    expect(ours.has('DRM_IOCTL_MODE_ADDFB2')).toBe(true);
    expect(clang).toEqual([...ours.values()]);
  });
});

// the links to the host's DRM headers go where every cache of ioctl32 goes (src/cache-root.cts): with a home that
// cannot hold them and XDG_CACHE_HOME set, they are made below XDG_CACHE_HOME and the DRM ioctls are found
const drmSource = HOST_DRM_SOURCES.some((s) => existsSync(join(s.dir, 'drm.h')));
test.runIf(drmSource && !existsSync('/usr/include/drm/drm.h'))(
  'the DRM links honour XDG_CACHE_HOME: a home without a cache still finds the DRM ioctls',
  () => {
    const xdg = mkdtempSync(join(tmpdir(), 'ioctl32-xdg-'));
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: xdg, HOME: join(xdg, 'no-such-home') };
    delete env.IOCTL32_CACHE;
    const r = spawnSync('node', [BIN, '--no-cache', 'dump', '--abi', 'x86_64', 'drm/drm.h'], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Object.keys((JSON.parse(r.stdout) as { ioctls: object }).ioctls)).toContain('DRM_IOCTL_VERSION');
    expect(readdirSync(join(xdg, 'ioctl32')).some((n) => n.startsWith('host-drm-'))).toBe(true);
    expect(existsSync(join(xdg, 'no-such-home'))).toBe(false);
  },
);

describe('what the headers lack, once, with the package that installs it', () => {
  // a UAPI set whose s390 glibc part is missing: gnu/stubs.h includes stubs-32.h, which is not there
  const sysroot = tree({
    'usr/include/gnu/stubs.h':
      '#ifdef __s390x__\n#include <gnu/stubs-64.h>\n#else\n#include <gnu/stubs-32.h>\n#endif\n',
    'usr/include/gnu/stubs-64.h': '\n',
    'usr/include/linux/a.h': '#include <gnu/stubs.h>\nstruct a { int x; };\n',
    'usr/include/linux/b.h': '#include <gnu/stubs.h>\nstruct b { int x; };\n',
    'usr/include/linux/c.h': '#include <gnu/stubs.h>\nstruct c { int x; };\n',
    'usr/include/linux/good.h': 'struct good { int x; };\n',
  });
  const PAIR = ['--pair', 's390x:s390', '--sysroot', '.'];
  test('a missing libc part: one line naming the Debian package, not a failure per header', () => {
    const r = cli(['check', ...PAIR], sysroot);
    expect(r.code).toBe(0);
    const line =
      "s390: 3 header(s) need s390's glibc headers (gnu/stubs-32.h not found): install libc6-dev-s390-s390x-cross";
    expect(r.stdout.split('\n')).toContain(`${line} (--verbose lists the headers)`);
    expect(r.stdout).not.toMatch(/could not be read|linux\/a\.h/);
    // --verbose and JSON keep every header
    const verbose = cli(['check', ...PAIR, '--verbose'], sysroot);
    expect(verbose.stdout.split('\n')).toContain(line);
    expect(verbose.stdout).toMatch(/^3 header\(s\) could not be read:$/m);
    expect(verbose.stdout).toMatch(
      /s390: .*'gnu\/stubs-32\.h' file not found: 3 headers: linux\/a\.h, linux\/b\.h, linux\/c\.h/,
    );
    const json = JSON.parse(cli(['check', ...PAIR, '--format', 'json'], sysroot).stdout) as CheckJson;
    expect(Object.keys(json.failed.s390!).sort()).toEqual(['linux/a.h', 'linux/b.h', 'linux/c.h']);
    expect(json.summary.missing.find((m) => m.part === 'libc')).toMatchObject({
      abis: ['s390'],
      packages: ['libc6-dev-s390-s390x-cross'],
      headers: ['linux/a.h', 'linux/b.h', 'linux/c.h'],
    });
  });
  test('no DRM headers: the summary says so once and names libdrm-dev', () => {
    const r = cli(['check', ...PAIR], sysroot);
    const lines = r.stdout.split('\n').filter((l) => /drm/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/^families read: .*; none of: drm, /),
      's390x, s390: no drm headers (drm/drm.h): install linux-libc-dev-amd64-cross or libdrm-dev ' +
        "(Debian's linux-libc-dev has no drm/)",
    ]);
    const json = JSON.parse(cli(['check', ...PAIR, '--format', 'json'], sysroot).stdout) as CheckJson;
    expect(json.summary.coverage).toEqual({
      s390x: { headers: 4, read: 4, families: [] },
      s390: { headers: 4, read: 1, families: [] },
    });
  });
  test.each([
    ['x32', 'gnu/stubs-x32.h', ['libc6-dev-x32', 'libc6-dev-x32-cross']],
    ['i386', 'gnu/stubs-32.h', ['libc6-dev-i386', 'libc6-dev-i386-cross']],
    ['sparc', 'gnu/stubs-32.h', ['libc6-dev-sparc-sparc64-cross']],
    ['s390+t64', 'gnu/stubs-32.h', ['libc6-dev-s390-s390x-cross']],
  ])('%s: the package for %s', (abi, file, packages) => {
    const failed = { [abi]: { 'linux/a.h': `gnu/stubs.h:13:11: error: '${file}' file not found` } };
    expect(missingParts(failed)).toMatchObject([{ part: 'libc', abis: [abi], file, packages }]);
  });
});

describe("s390's and sparc's 32-bit libcs (scripts/install-toolchains.sh) serve the headers that need them", () => {
  // headers that stopped on gnu/stubs-32.h without libc6-dev-s390-s390x-cross / libc6-dev-sparc-sparc64-cross
  const NEED_LIBC = ['linux/atmbr2684.h', 'linux/auto_fs.h', 'linux/am437x-vpfe.h'];
  test.each(['s390', 'sparc'])('%s: ioctl32 and the compiler read them', async (name) => {
    const abi = getAbi(name);
    const d = dumpHeaders({ abi, headers: NEED_LIBC, sysroot: uapiIncludeDir(abi).replace(/\/include$/, '') });
    expect(d.result.failed).toEqual({});
    const accepted = await headerAcceptance(abi, NEED_LIBC);
    expect([...accepted.values()]).toEqual(NEED_LIBC.map(() => ({ ok: true })));
  });
});
