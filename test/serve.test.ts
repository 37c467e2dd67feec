/**
 * `ioctl32 serve`: its /api/ answers are the library's; paths that leave the include directories
 * (`..`, encoded dots, absolute paths, symlinks out) get 4xx; random paths and queries get 4xx
 * and a message, never a 5xx, and the server keeps serving.
 */
import { request, Agent } from 'node:http';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { includeDirsFor } from '../src/cfront/index.js';
import { check } from '../src/compat/check.js';
import { generateCompatC } from '../src/codegen/c.js';
import { explain } from '../src/report/explain.js';
import { layoutDiagrams, renderSvg } from '../src/report/svg.js';
import { serve, type Viewer } from '../src/web/server.js';

const x86 = getAbi('x86_64');
const i386 = getAbi('i386');
const x32 = getAbi('x32');
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

let server: Server;
let viewer: Viewer;
let port: number;
let dir: string;
const SECRET = 'ioctl32-secret-outside-the-include-directories';

/** A raw request target, sent as it is (fetch would normalise `..`). */
function get(target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function json(target: string): Promise<unknown> {
  const r = await get(target);
  expect(r.status, r.body.slice(0, 200)).toBe(200);
  return JSON.parse(r.body);
}

beforeAll(async () => {
  // a header directory of our own, before the system ones: a header, and symlinks that lead out of every directory
  dir = mkdtempSync(join(tmpdir(), 'ioctl32-serve-'));
  const outside = mkdtempSync(join(tmpdir(), 'ioctl32-outside-'));
  writeFileSync(join(outside, 'secret.h'), `/* ${SECRET} */\nstruct secret { int x; };\n`);
  mkdirSync(join(dir, 'mydrv'));
  writeFileSync(
    join(dir, 'mydrv/ok.h'),
    '#include <linux/ioctl.h>\nstruct ok { int a; long b; };\n#define OK _IOW(1, 2, struct ok)\n',
  );
  symlinkSync(join(outside, 'secret.h'), join(dir, 'mydrv/evil.h'));
  symlinkSync(outside, join(dir, 'out'));
  const started = await serve({ scan: { includeDirs: [dir] }, port: 0 });
  server = started.server;
  viewer = started.viewer;
  expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  port = Number(new URL(started.url).port);
});

afterAll(async () => {
  agent.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('ioctl32 serve', () => {
  test('the page and its script, with no external resource', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/app.js">');
    expect(page.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const script = await get('/app.js');
    expect(script.status).toBe(200);
  });

  test('traversal probes are refused with 4xx and a message', async () => {
    const probes = [
      '/api/check?header=../../../../etc/passwd',
      '/api/check?header=%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/api/check?header=%252e%252e/%252e%252e/etc/passwd',
      '/api/check?header=linux/../../../../etc/shadow.h',
      '/api/check?header=/etc/passwd',
      '/api/check?header=%2fetc%2fpasswd',
      '/api/layout?header=..%2f..%2fetc%2fpasswd&record=x',
      '/api/layout?header=mydrv/evil.h&record=struct%20secret',
      '/api/check?header=mydrv/evil.h',
      '/api/check?header=out/secret.h',
      '/api/gen-c?header=out/secret.h',
      '/api/check?header=linux\\..\\..\\etc\\passwd',
      '/api/check?header=linux/kvm.h%00.h',
      '/../../etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '//etc/passwd',
      '/api/../../etc/passwd',
      '/app.js/../../../etc/passwd',
    ];
    for (const p of probes) {
      const r = await get(p);
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(r.status, p).toBeLessThan(500);
      expect((JSON.parse(r.body) as { error: string }).error.length, p).toBeGreaterThan(0);
      expect(r.body).not.toContain(SECRET);
    }
    expect((await get('/api/check?header=mydrv/evil.h')).status).toBe(403);
    expect((await get('/api/check?header=out/secret.h')).status).toBe(403);
    // a header of our directory that stays in it is served
    expect((await json('/api/layout?header=mydrv/ok.h&record=ok&abis=x86_64,i386')) as object).toHaveProperty('svg');
    // the host's DRM headers, links of ioctl32's own directory to their source (host-drm.ts): offered and served
    const offered = (await json('/api/headers')) as unknown;
    expect(JSON.stringify(offered)).toContain('drm/drm.h');
    const drm = await get('/api/check?header=drm/drm.h&pairs=x86_64:i386');
    expect(drm.status, drm.body.slice(0, 200)).toBe(200);
    expect(drm.body).toContain('DRM_IOCTL_VERSION');
    // another host name (a DNS rebinding page's) is refused
    expect((await get('/api/config', { host: 'evil.example:80' })).status).toBe(403);
    expect((await get('/api/config')).status).toBe(200);
  });

  test('layout: the diagram and SVG of report/svg.ts', async () => {
    const answer = await json('/api/layout?header=linux/kvm.h&record=kvm_dirty_log&abis=x86_64,i386,x32');
    const lib = layoutDiagrams(
      [x86, i386, x32].map((abi) => ({ abi, headers: ['linux/kvm.h'], includeDirs: [dir] })),
      ['kvm_dirty_log'],
    );
    const diagram = lib.diagrams[0]!;
    expect(answer).toEqual({
      diagram,
      svg: renderSvg(diagram, { idPrefix: 'diagram', focusable: true }),
      failed: lib.failed,
    });
    expect(diagram.differing).toEqual(['dirty_bitmap']);
  });

  test('check: the verdicts of the library', async () => {
    const answer = (await json('/api/check?header=linux/kvm.h&pairs=x86_64:i386,x86_64:x32')) as {
      pairs: unknown;
      findings: unknown;
      lintError?: string;
    };
    const pairs = [
      { native: x86, compat: i386 },
      { native: x86, compat: x32 },
    ];
    const lint = answer.lintError === undefined;
    const lib = check({ pairs, scan: { headers: ['linux/kvm.h'], includeDirs: [dir] }, lint });
    expect(answer.pairs).toEqual(lib.pairs);
    expect(answer.findings).toEqual(lib.findings);
    const dirty = lib.pairs[0]!.ioctls.find((v) => v.name === 'KVM_GET_DIRTY_LOG')!;
    expect(dirty.verdict).toBe('pointer-inside');
  });

  test('gen c and explain: the library', async () => {
    const gen = await json('/api/gen-c?header=mydrv/ok.h&native=x86_64');
    const lib = generateCompatC({
      pair: { native: x86, compat: [i386, x32] },
      scan: { headers: ['mydrv/ok.h'], includeDirs: [dir], kernelTree: null },
    });
    expect(gen).toEqual({ source: lib.source, ioctls: lib.ioctls });
    expect(lib.source).toContain('compat_ok');
    const ex = await json(`/api/explain?q=${encodeURIComponent('0x4010ae42')}&native=x86_64`);
    expect(ex).toEqual(
      JSON.parse(JSON.stringify(explain('0x4010ae42', { native: x86, include: { includeDirs: [dir] } }))),
    );
  });

  test('a kernel no compat ABI of ioctl32 is: 400, saying why (ppc64le: its tasks are little-endian)', async () => {
    for (const target of [
      '/api/gen-c?header=mydrv/ok.h&native=ppc64le',
      '/api/check?header=mydrv/ok.h&pairs=ppc64le',
    ]) {
      const r = await get(target);
      expect(r.status, target).toBe(400);
      expect((JSON.parse(r.body) as { error: string }).error, target).toMatch(
        /^ppc64le serves no compat ABI ioctl32 models: 32-bit tasks run little-endian/,
      );
    }
  });

  test('a 404 says why: the ABI that lacks the header; the error of a header that does not parse', async () => {
    // arm's headers have no linux/kvm.h (KVM on 32-bit arm is gone), arm64's have
    const kvm = await get('/api/layout?header=linux/kvm.h&record=kvm_dirty_log&abis=arm64,arm');
    expect(kvm.status).toBe(404);
    expect((JSON.parse(kvm.body) as { error: string }).error).toBe(
      'no header linux/kvm.h below the include directories (on arm)',
    );
    writeFileSync(join(dir, 'mydrv/bad.h'), 'struct bad { int a; int b c; };\n');
    const bad = await get('/api/layout?header=mydrv/bad.h&record=bad&abis=x86_64,i386');
    expect(bad.status).toBe(404);
    expect((JSON.parse(bad.body) as { error: string }).error).toMatch(
      new RegExp(
        String.raw`^no record bad in mydrv/bad\.h \(mydrv/bad\.h cannot be read on x86_64: ` +
          String.raw`.*bad\.h:1:27: error: expected ';' before 'c'\)$`,
      ),
    );
    // check says the same, as a 422 with the located error (gen-c did), not 200 with no ioctl
    const checked = await get('/api/check?header=mydrv/bad.h&pairs=x86_64:i386');
    expect(checked.status).toBe(422);
    expect((JSON.parse(checked.body) as { error: string }).error).toMatch(/bad\.h:1:27: error: expected ';'/);
  });

  test('an edited header is read again: the same question gets the new answer', async () => {
    const url = '/api/check?header=mydrv/edit.h&pairs=x86_64:i386';
    const head = '#include <linux/ioctl.h>\n#include <linux/types.h>\n';
    writeFileSync(join(dir, 'mydrv/edit.h'), `${head}struct e { long a; };\n#define E_SET _IOW('e', 1, struct e)\n`);
    const rows = async () =>
      (
        (await json(url)) as { pairs: Array<{ ioctls: Array<{ name: string; verdict: string }> }> }
      ).pairs[0]!.ioctls.map((r) => `${r.name} ${r.verdict}`).sort();
    expect(await rows()).toEqual(['E_SET convert']);
    writeFileSync(
      join(dir, 'mydrv/edit.h'),
      `${head}struct e { __u64 a; };\n#define E_SET _IOW('e', 1, struct e)\n#define E_GET _IOR('e', 2, struct e)\n`,
    );
    expect(await rows()).toEqual(['E_GET identical', 'E_SET identical']);
  });

  test('random paths and queries: 4xx and a message, never 5xx, and it keeps serving', async () => {
    const roots = [
      ...new Set([...includeDirsFor(x86, { includeDirs: [dir] }), ...includeDirsFor(i386, { includeDirs: [dir] })]),
    ]
      .map((d) => {
        try {
          return realpathSync(d);
        } catch {
          return null;
        }
      })
      .filter((d): d is string => d !== null);
    const accepted: string[] = [];
    const headerOf = viewer.header.bind(viewer);
    viewer.header = (name, abis) => {
      const h = headerOf(name, abis);
      accepted.push(h);
      return h;
    };
    const piece = fc.oneof(
      fc.constantFrom(
        '..',
        '%2e%2e',
        '%252e',
        '.',
        '',
        'etc',
        'passwd',
        'linux',
        'kvm.h',
        'mydrv',
        'evil.h',
        'out',
        'secret.h',
        'api',
        'check',
        'layout',
        'gen-c',
        'explain',
        'config',
        'headers',
        '%2f',
        '%00',
        '\\',
        '~',
        'app.js',
      ),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    const pathArb = fc.array(piece, { maxLength: 6 }).map((ps) => `/${ps.join('/')}`);
    const value = fc.oneof(
      fc.array(piece, { maxLength: 5 }).map((ps) => ps.join('/')),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
    );
    const key = fc.constantFrom('header', 'record', 'abis', 'pairs', 'native', 'q', 'x');
    const query = fc
      .array(fc.tuple(key, value), { maxLength: 4 })
      .map((kv) => kv.map(([k, v]) => `${k}=${v}`).join('&'));
    const target = fc.oneof(
      fc.tuple(pathArb, query).map(([p, q]) => `${p}?${q}`),
      fc
        .tuple(fc.constantFrom('/api/check', '/api/layout', '/api/gen-c', '/api/explain'), query)
        .map(([p, q]) => `${p}?${q}`),
    );
    const started = Date.now();
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(target, async (t) => {
        requests++;
        const r = await get(t);
        expect(r.status, t).toBeLessThan(500);
        expect(r.body).not.toContain(SECRET);
        if (r.status >= 400) expect((JSON.parse(r.body) as { error: string }).error, t).toBeTruthy();
      }),
      { numRuns: 2000, interruptAfterTimeLimit: 240_000 },
    );
    expect(requests).toBeGreaterThanOrEqual(2000);
    expect(Date.now() - started).toBeLessThan(240_000);
    // every header let through is inside the include directories, its symlinks resolved
    for (const h of new Set(accepted)) {
      const file = roots
        .map((r) => join(r, h))
        .find((f) => {
          try {
            realpathSync(f);
            return true;
          } catch {
            return false;
          }
        });
      const real = realpathSync(file!);
      expect(
        roots.some((r) => !relative(r, real).startsWith('..')),
        h,
      ).toBe(true);
    }
    expect((await get('/api/config')).status).toBe(200);
  });
});
